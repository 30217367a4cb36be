{#-
    An aggregate expression: the `n`-th smallest value of `expression` in the group (ties
    counted), null when the group holds fewer than `n` non-null values. Both engines keep
    only the n smallest (`min(x, n)`, an aggregate that parallelises); they differ in the
    name of the function that takes the largest element of the resulting array.
-#}
{% macro nth_smallest(expression, n) %}
    {{ return(adapter.dispatch("nth_smallest")(expression, n)) }}
{% endmacro %}


{% macro default__nth_smallest(expression, n) -%}
    case when count({{ expression }}) >= {{ n }} then array_max(min({{ expression }}, {{ n }})) end
{%- endmacro %}


{% macro duckdb__nth_smallest(expression, n) -%}
    case when count({{ expression }}) >= {{ n }} then list_max(min({{ expression }}, {{ n }})) end
{%- endmacro %}
