{#-
    `array` (an expression of an array type), or an empty array of the same type where it is
    null, e.g. an artist without aliases after a left join:
    - default (Athena/Trino): coalesced with `cast(array[] as array(<athena_element_type>))`
      (an untyped `array[]` has Trino's unknown element type);
    - duckdb: coalesced with `[]`, which DuckDB casts to the type of `array`.
-#}
{% macro empty_array_if_null(array, athena_element_type) %}
    {{ return(adapter.dispatch("empty_array_if_null")(array, athena_element_type)) }}
{% endmacro %}


{% macro default__empty_array_if_null(array, athena_element_type) -%}
    coalesce({{ array }}, cast(array[] as {{ athena_array_type(athena_element_type) }}))
{%- endmacro %}


{% macro duckdb__empty_array_if_null(array, athena_element_type) -%}
    coalesce({{ array }}, [])
{%- endmacro %}
