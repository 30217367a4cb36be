{#-
    Fails for every row whose `column_name` lies outside [min_value, max_value] (either
    bound may be omitted; both are SQL expressions, e.g. `sqrt(6.0)`). Nulls pass: pair
    with not_null where a value is required.
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    select {{ column_name }}
    from {{ model }}
    where
        {%- if min_value is not none %}
        {{ column_name }} {{ "<" if inclusive else "<=" }} {{ min_value }}
        {%- endif %}
        {%- if min_value is not none and max_value is not none %}
        or
        {%- endif %}
        {%- if max_value is not none %}
        {{ column_name }} {{ ">" if inclusive else ">=" }} {{ max_value }}
        {%- endif %}
{% endtest %}
