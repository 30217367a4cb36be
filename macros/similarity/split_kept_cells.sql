{#-
    The whole select of one split model (int_artist_search_cells_split_<n>): the cells of
    `previous_step` that descent_kept_cells keeps, split into their children that hold a
    recommendable artist (two grid levels finer, half as wide, joined on
    (grid_level, parent_cell_key)), with the artist's bound so far and the distances from
    the artist to each child's box; only the children whose box's nearest point is within
    that bound. `descending_only`: split only the artists that descend
    (the first split; the later ones split whatever the previous one kept).
-#}
{% macro split_kept_cells(previous_step, descending_only=false) %}
    {%- set features = similarity_features() -%}
with kept_cells as (
    {{ descent_kept_cells(previous_step) }}
),

artist_vectors as (
    select
        artist_number,
        {%- for feature in features %}
        {{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artist_vectors_gridded') }}
),

grid_cells as (
    select
        grid_level,
        cell_key,
        parent_cell_key,
        recommendable_artist_count,
        {%- for feature in features %}
        lowest_{{ feature }},
        highest_{{ feature }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_grid_cells_counted') }}
),

children as (
    select
        kept_cells.artist_number,
        grid_cells.grid_level,
        grid_cells.cell_key,
        grid_cells.recommendable_artist_count,
        kept_cells.distance_bound,
        {{- box_distance_operands("artist", "grid_cells", features) }}
        {{ box_distance("artist", "grid_cells", features, "nearest") }} as nearest_distance
    from kept_cells
    -- A left join so that DuckDB's join-order optimiser cannot join the previous step's
    -- cells to their children before the bound prunes them (130 instead of 27 million rows
    -- at 300,000 artists). It keeps no unmatched row: a kept cell holds a recommendable
    -- artist, whose cell two levels finer is its child.
    left join grid_cells
        on
            kept_cells.grid_level + 2 = grid_cells.grid_level
            and kept_cells.cell_key = grid_cells.parent_cell_key
    inner join artist_vectors as artist
        on kept_cells.artist_number = artist.artist_number
    {%- if descending_only %}
    where kept_cells.descends
    {%- endif %}
),

final as (
    -- Only the children within the bound so far, with the distance to their farthest
    -- corner: the next step would drop the others, and they cannot tighten its bound. At a
    -- million artists this keeps 20 of the first split's 150 million children.
    {{ boxes_within_bound("children", features) }}
)

select * from final
{% endmacro %}
