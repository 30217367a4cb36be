{#-
    The Euclidean distance from a row's normalised feature vector (`artist`) to a box of
    feature values (`box`, columns lowest_<feature> and highest_<feature>, as
    int_grid_cells_counted spans its cell's artists): to the box's nearest point when
    `to` is "nearest", to its farthest corner when "farthest". Summed term by term in
    `features` order, as euclidean_distance is: rounding is monotonic, so for any vector
    inside the box, euclidean_distance to it computes no less than the nearest and no more
    than the farthest distance, to the last bit.

    Per feature, with below = value - lowest and above = highest - value, the nearest gap
    is max(0, -below, -above) and the farthest max(below, above), computed without
    greatest(), which DuckDB evaluates 2-3 times slower than this arithmetic (these
    distances are computed for every child cell of the descent: 171 million rows in the
    first split at a million artists). The same numbers to the last bit:
    - nearest: (|below| - below) * 0.5 + (|above| - above) * 0.5. |x| - x is 0 for x >= 0
      and exactly -2x otherwise, halving is exact, and at most one of the two terms is not
      0 (a value cannot lie both below the lowest and above the highest);
    - farthest: a case picking the larger of below and above (the values are never null).
-#}
{% macro box_distance(artist, box, features, to) %}
    {%- if to not in ["nearest", "farthest"] -%}
        {{ exceptions.raise_compiler_error("box_distance: to is 'nearest' or 'farthest', not '" ~ to ~ "'") }}
    {%- endif %}
    sqrt(
    {%- for feature in features %}
        {#- below: how far the value is above the box's lowest; above: below its highest. #}
        {%- set below = "(" ~ artist ~ "." ~ feature ~ "_normalised - " ~ box ~ ".lowest_" ~ feature ~ ")" %}
        {%- set above = "(" ~ box ~ ".highest_" ~ feature ~ " - " ~ artist ~ "." ~ feature ~ "_normalised)" %}
        {%- if to == "nearest" %}
        {%- set gap = "((abs(" ~ below ~ ") - " ~ below ~ ") * 0.5 + (abs(" ~ above ~ ") - " ~ above ~ ") * 0.5)" %}
        {%- else %}
        {%- set gap = "(case when " ~ below ~ " >= " ~ above ~ " then " ~ below ~ " else " ~ above ~ " end)" %}
        {%- endif %}
        {{ gap }} * {{ gap }}
        {%- if not loop.last %} +{% endif %}
    {%- endfor %}
    )
{% endmacro %}
