{#-
    An aggregate expression: the group's values of `expression` in an array, in ascending
    order of `order_by` (ties in the order of the values themselves on DuckDB; never
    relied on here: every caller's order_by is unique in its group). The engines get
    different plans for the same array:
    - default (Athena/Trino): `array_agg(expression order by order_by)`;
    - duckdb: an unordered `array_agg` of (order_by, expression) pairs, sorted by
      `list_sort` and unpaired by `list_transform`. DuckDB's ordered aggregate keeps a
      buffer per group that cannot spill, so at a million artists the answers mart ran out
      of a 3 GB memory limit; the unordered aggregate spills, and is faster besides.
-#}
{% macro ordered_array_agg(expression, order_by) %}
    {{ return(adapter.dispatch("ordered_array_agg")(expression, order_by)) }}
{% endmacro %}


{% macro default__ordered_array_agg(expression, order_by) -%}
    array_agg({{ expression }} order by {{ order_by }} asc)
{%- endmacro %}


{% macro duckdb__ordered_array_agg(expression, order_by) -%}
    list_transform(
        list_sort(
            array_agg({'sort_key': {{ order_by }}, 'element': {{ expression }}}),
            'ASC',
            'NULLS LAST'
        ),
        lambda pair: pair.element
    )
{%- endmacro %}
