{#-
    An artist descends (int_artist_search_cells_split_1 to _4) only when its boxed cells
    (int_artist_search_cells_boxed) hold more recommendable artists than this, the var
    grid_descent_min_candidates (512 in dbt_project.yml): below it, measuring every one of
    them costs less than the descent's steps (measured at 100,000 artists, docs/scale.md).
    Tuning only: the result is the same whatever it is (0: every artist descends).
-#}
{% macro grid_descent_min_candidates() %}
    {%- set value = var('grid_descent_min_candidates') -%}
    {%- if value is not number or value < 0 or value != (value | int) -%}
        {{ exceptions.raise_compiler_error("var grid_descent_min_candidates: a whole number >= 0, not " ~ value) }}
    {%- endif -%}
    {{ return(value | int) }}
{% endmacro %}
