{#-
    An artist descends (int_artist_search_cells_descended) only when its walked cells hold
    more recommendable artists than this: below it, measuring every one of them costs less
    than the descent's steps (measured at 100,000 artists, docs/scale.md).
-#}
{% macro grid_descent_min_candidates() %}{{ return(512) }}{% endmacro %}
