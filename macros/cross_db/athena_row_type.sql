{#-
    Athena's (Trino's) type of named_struct(fields): `row(name type, ...)` from the name and
    athena_type of each of `fields` ([name, expression, athena_type]; the expression is not
    read). Only Athena's SQL spells these types: DuckDB takes a struct's types from its
    fields' expressions.
-#}
{% macro athena_row_type(fields) -%}
    row(
        {%- for name, expression, athena_type in fields -%}
        {{ name }} {{ athena_type }}{% if not loop.last %}, {% endif %}
        {%- endfor -%}
    )
{%- endmacro %}
