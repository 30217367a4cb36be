{#-
    A select of the rows of `boxes` (a common table expression of artist_number,
    grid_level, cell_key, recommendable_artist_count, distance_bound, nearest_distance and
    the operands of box_distance, as box_distance_operands lists them) whose box's nearest
    point is within the artist's bound (bound_with_margin), with the distance to the box's
    farthest corner, computed for those rows only. The others would be dropped by the next
    step, and cannot tighten its bound: their farthest corner is farther still.
-#}
{% macro boxes_within_bound(boxes, features) %}
    select
        artist_number,
        grid_level,
        cell_key,
        recommendable_artist_count,
        distance_bound,
        nearest_distance,
        {{ box_distance(boxes, boxes, features, "farthest") }} as farthest_distance
    from {{ boxes }}
    where nearest_distance <= {{ bound_with_margin('distance_bound') }}
{% endmacro %}


{#-
    The columns box_distance reads, carried to a later common table expression: every
    feature's normalised value of `artist` and the lowest and highest of `box`, each
    followed by a comma.
-#}
{% macro box_distance_operands(artist, box, features) %}
    {%- for feature in features %}
        {{ artist }}.{{ feature }}_normalised,
        {{ box }}.lowest_{{ feature }},
        {{ box }}.highest_{{ feature }},
    {%- endfor %}
{% endmacro %}
