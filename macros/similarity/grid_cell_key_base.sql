{#-
    The base of a cell key: a cell index on one grid dimension is below this number (the
    finest level has this many cells a side), so a cell key packs the indexes as digits of
    this base, dimension 1 first. 1024 = 10 bits a dimension: six dimensions fit a bigint.
-#}
{% macro grid_cell_key_base() %}{{ return(1024) }}{% endmacro %}
