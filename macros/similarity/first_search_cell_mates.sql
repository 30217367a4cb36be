{#-
    How many recommendable artists of its first-search cell an artist measures
    (int_artist_search_radii_bounded), on the grid and again on the grid shifted by half a
    cell, the var first_search_cell_mates (32 in dbt_project.yml): the first that many of
    the cell by artist_number. Any top_k of them
    bound the search, so the result is the same whatever it is; it keeps the first search's
    pairs at most that many per artist (a cell may hold thousands). It must leave top_k
    besides the artist: at least top_k + 1.
-#}
{% macro first_search_cell_mates() %}
    {%- set value = var('first_search_cell_mates') -%}
    {%- set least = var('top_k') + 1 -%}
    {%- if value is not number or value < least or value != (value | int) -%}
        {{ exceptions.raise_compiler_error("var first_search_cell_mates: a whole number >= top_k + 1 (" ~ least ~ "), not " ~ value) }}
    {%- endif -%}
    {{ return(value | int) }}
{% endmacro %}
