{#-
    The Euclidean distance from a row's normalised feature vector (`artist`) to a box of
    feature values (`box`, columns lowest_<feature> and highest_<feature>, as
    int_grid_cells_counted spans its cell's artists): to the box's nearest point when
    `to` is "nearest", to its farthest corner when "farthest". Summed term by term in
    `features` order, as euclidean_distance is: rounding is monotonic, so for any vector
    inside the box, euclidean_distance to it computes no less than the nearest and no more
    than the farthest distance, to the last bit.
-#}
{% macro box_distance(artist, box, features, to) %}
    {%- if to not in ["nearest", "farthest"] -%}
        {{ exceptions.raise_compiler_error("box_distance: to is 'nearest' or 'farthest', not '" ~ to ~ "'") }}
    {%- endif %}
    sqrt(
    {%- for feature in features %}
        {#- below: how far the value is above the box's lowest; above: below its highest.
            Written the same way for both distances, so an engine can compute them once. #}
        {%- set below = "(" ~ artist ~ "." ~ feature ~ "_normalised - " ~ box ~ ".lowest_" ~ feature ~ ")" %}
        {%- set above = "(" ~ box ~ ".highest_" ~ feature ~ " - " ~ artist ~ "." ~ feature ~ "_normalised)" %}
        {%- if to == "nearest" %}
        greatest(0.0, -{{ below }}, -{{ above }}) * greatest(0.0, -{{ below }}, -{{ above }})
        {%- else %}
        greatest({{ below }}, {{ above }}) * greatest({{ below }}, {{ above }})
        {%- endif %}
        {%- if not loop.last %} +{% endif %}
    {%- endfor %}
    )
{% endmacro %}
