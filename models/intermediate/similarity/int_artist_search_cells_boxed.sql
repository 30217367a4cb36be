{%- set features = similarity_features() -%}
{#- Beyond the unit cube's diagonal: a bound that holds everybody. -#}
{%- set unbounded_radius = (features | length) + 1 -%}

with artist_vectors as (
    select
        artist_number,
        {%- for feature in features %}
        {{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artist_vectors_gridded') }}
),

search_radii as (
    select
        artist_number,
        coalesce(distance_bound, cast({{ unbounded_radius }} as double)) as distance_bound,
        search_grid_level
    from {{ ref('int_artist_search_radii_bounded') }}
),

walked_cells as (
    select
        artist_number,
        cell_key
    from {{ ref('int_artist_search_cells_walked') }}
),

grid_cells as (
    select
        grid_level,
        cell_key,
        recommendable_artist_count,
        {%- for feature in features %}
        lowest_{{ feature }},
        highest_{{ feature }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_grid_cells_counted') }}
),

boxes as (
    -- The walked cells that hold a recommendable artist, with the artist's first-search
    -- bound, its vector, the box of the cell's artists and the distance to the box's
    -- nearest point.
    select
        walked_cells.artist_number,
        grid_cells.grid_level,
        grid_cells.cell_key,
        grid_cells.recommendable_artist_count,
        search_radii.distance_bound,
        {{- box_distance_operands("artist", "grid_cells", features) }}
        {{ box_distance("artist", "grid_cells", features, "nearest") }} as nearest_distance
    from walked_cells
    inner join search_radii
        on walked_cells.artist_number = search_radii.artist_number
    inner join grid_cells
        on
            search_radii.search_grid_level = grid_cells.grid_level
            and walked_cells.cell_key = grid_cells.cell_key
    inner join artist_vectors as artist
        on walked_cells.artist_number = artist.artist_number
),

final as (
    -- Only the boxes within the first bound, with the distance to their farthest corner:
    -- the descent would drop the others, and they cannot tighten its bound. At a million
    -- artists this keeps 17 of the 49 million walked cells that hold a candidate.
    {{ boxes_within_bound("boxes", features) }}
)

select * from final
