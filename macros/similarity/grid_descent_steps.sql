{#-
    How many times int_artist_search_cells_descended halves the cells after the walk
    (each step two grid levels finer, twice as many cells a side).
-#}
{% macro grid_descent_steps() %}{{ return(4) }}{% endmacro %}
