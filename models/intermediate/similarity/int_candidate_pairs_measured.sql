{%- set features = similarity_features() -%}
{%- set grid_dimensions = grid_dimension_count(features) -%}

with artist_vectors as (
    select
        artist_number,
        is_recommendable,
        {%- for feature in features %}
        {{ feature }}_normalised,
        {%- endfor %}
        {%- for dimension in range(1, grid_dimensions + 1) %}
        grid_coordinate_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artist_vectors_gridded') }}
),

search_cells as (
    select
        artist_number,
        cell_key
    from {{ ref('int_artist_search_cells_walked') }}
),

search_radii as (
    select
        artist_number,
        distance_bound,
        search_grid_level
    from {{ ref('int_artist_search_radii_bounded') }}
),

grid_levels as (
    select
        grid_level,
        cell_scale,
        last_cell
    from {{ ref('int_grid_levels_enumerated') }}
),

search_grid_levels as (
    select distinct search_grid_level as grid_level
    from search_radii
),

candidate_cells as (
    -- Every recommendable artist's cell, with its vector, at the levels some artist
    -- searches.
    {%- set cells = [] %}
    {%- for dimension in range(1, grid_dimensions + 1) %}
    {%- do cells.append(grid_cell("artist_vectors.grid_coordinate_" ~ dimension, "grid_levels.cell_scale", "grid_levels.last_cell")) %}
    {%- endfor %}
    select
        artist_vectors.artist_number,
        {%- for feature in features %}
        artist_vectors.{{ feature }}_normalised,
        {%- endfor %}
        grid_levels.grid_level,
        {{ grid_cell_key(cells) }} as cell_key
    from artist_vectors
    cross join grid_levels
    inner join search_grid_levels
        on grid_levels.grid_level = search_grid_levels.grid_level
    where artist_vectors.is_recommendable
    -- Layout only (the result does not depend on it): with the artists of one cell next
    -- to each other, and the search cells walked in the same order, DuckDB's hash join
    -- below reads memory in order (30-40% faster). Trino ignores it.
    order by grid_levels.grid_level, cell_key
),

searching_artists as (
    -- Each search cell with the searching artist's level, bound and vector.
    select
        search_cells.artist_number,
        search_radii.search_grid_level as grid_level,
        search_cells.cell_key,
        search_radii.distance_bound,
        {%- for feature in features %}
        artist_vectors.{{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from search_cells
    inner join search_radii
        on search_cells.artist_number = search_radii.artist_number
    inner join artist_vectors
        on search_cells.artist_number = artist_vectors.artist_number
),

candidate_pairs as (
    select
        artist.artist_number,
        candidate.artist_number as related_artist_number,
        {{ euclidean_distance("artist", "candidate", features) }} as distance,
        artist.distance_bound
    from searching_artists as artist
    inner join candidate_cells as candidate
        on
            artist.grid_level = candidate.grid_level
            and artist.cell_key = candidate.cell_key
            and artist.artist_number <> candidate.artist_number
),

final as (
    -- Nothing beyond the bound can be among the nearest top_k (the bound is the top_k-th
    -- distance of real artists).
    select
        artist_number,
        related_artist_number,
        distance
    from candidate_pairs
    where
        distance_bound is null
        or distance <= distance_bound
)

select * from final
