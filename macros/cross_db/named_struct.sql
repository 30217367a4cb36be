{#-
    A struct (a row with named fields) from `fields`, a list of [name, expression,
    athena_type]:
    - default (Athena/Trino): a row cast to its row type (athena_row_type), the only way
      Trino names a row's fields, so each field's type is spelled out;
    - duckdb: the struct literal {'name': expression, ...}, each field of its expression's
      type (so give each expression its declared type, casting it where needed).
    The cross-engine test compares the column types the two engines give.
-#}
{% macro named_struct(fields) %}
    {{ return(adapter.dispatch("named_struct")(fields)) }}
{% endmacro %}


{% macro default__named_struct(fields) -%}
    cast(row(
        {%- for name, expression, athena_type in fields -%}
        {{ expression }}{% if not loop.last %}, {% endif %}
        {%- endfor -%}
    ) as {{ athena_row_type(fields) }})
{%- endmacro %}


{% macro duckdb__named_struct(fields) -%}
    {
        {%- for name, expression, athena_type in fields -%}
        '{{ name }}': {{ expression }}{% if not loop.last %}, {% endif %}
        {%- endfor -%}
    }
{%- endmacro %}
