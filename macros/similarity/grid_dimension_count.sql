{#-
    How many of the similarity `features` are gridded: all of them, up to 6 (a cell key
    holds six dimensions). With more features, int_artist_vectors_gridded grids the six
    that spread the artists most; the others still count in every distance: the grid only
    prunes.
-#}
{% macro grid_dimension_count(features) %}{{ return([features | length, 6] | min) }}{% endmacro %}
