{#-
    An order-independent average: the values are summed as exact decimals (18 decimal
    places), so any order of addition (parallel aggregation, another thread count) gives the
    same sum, and only the finished sum is converted to double. A plain avg() over doubles
    can differ in its last bit from one run to the next.
-#}
{% macro exact_average(value) -%}
    cast(sum(cast({{ value }} as decimal(38, 18))) as double) / cast(count({{ value }}) as double)
{%- endmacro %}
