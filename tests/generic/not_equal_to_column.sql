{#- Fails for every row where `column_name` equals `other_column` (e.g. an artist paired with itself). -#}
{% test not_equal_to_column(model, column_name, other_column) %}
    select
        {{ column_name }},
        {{ other_column }}
    from {{ model }}
    where {{ column_name }} = {{ other_column }}
{% endtest %}
