{%- set features = similarity_features() -%}
{%- set top_k = var('top_k') -%}
{#- Beyond the unit cube's diagonal: a radius that holds everybody. -#}
{%- set unbounded_radius = (features | length) + 1 -%}

with artist_vectors as (
    select
        artist_number,
        {%- for feature in features %}
        {{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artist_vectors_gridded') }}
),

artist_grid_cells as (
    select
        artist_number,
        is_recommendable,
        grid_level,
        cell_key
    from {{ ref('int_artist_grid_cells_assigned') }}
),

first_search_cell_mates as (
    -- The first first_search_cell_mates() recommendable artists of each cell, by
    -- artist_number: the most an artist measures in its first search. Any top_k of them
    -- bound it, and a cell may hold thousands.
    select
        artist_number,
        grid_level,
        cell_key
    from (
        select
            artist_number,
            grid_level,
            cell_key,
            row_number() over (
                partition by grid_level, cell_key
                order by artist_number
            ) as cell_mate_number
        from artist_grid_cells
        where is_recommendable
    ) as numbered_cell_mates
    where cell_mate_number <= {{ first_search_cell_mates() }}
),

grid_cells as (
    select
        grid_level,
        cell_key,
        recommendable_artist_count
    from {{ ref('int_grid_cells_counted') }}
),

grid_levels as (
    select
        grid_level,
        cell_scale
    from {{ ref('int_grid_levels_enumerated') }}
),

first_search_levels as (
    -- The finest level whose cell holds at least 2 * (top_k + 1) recommendable artists (at
    -- least top_k besides the artist; twice that tightens the bound for little work):
    -- dense regions get small cells, sparse ones large cells.
    select
        artist_grid_cells.artist_number,
        max(artist_grid_cells.grid_level) as grid_level
    from artist_grid_cells
    inner join grid_cells
        on
            artist_grid_cells.grid_level = grid_cells.grid_level
            and artist_grid_cells.cell_key = grid_cells.cell_key
    where grid_cells.recommendable_artist_count >= {{ 2 * (top_k + 1) }}
    group by artist_grid_cells.artist_number
),

first_search_pairs as (
    -- The artist and the first first_search_cell_mates() recommendable artists of its
    -- first-search cell (itself left out).
    select
        artist.artist_number,
        {{ euclidean_distance("artist", "cell_mate", features) }} as distance
    from first_search_levels
    inner join artist_grid_cells as own_cell
        on
            first_search_levels.artist_number = own_cell.artist_number
            and first_search_levels.grid_level = own_cell.grid_level
    inner join first_search_cell_mates as cell_mate_cell
        on
            own_cell.grid_level = cell_mate_cell.grid_level
            and own_cell.cell_key = cell_mate_cell.cell_key
            and own_cell.artist_number <> cell_mate_cell.artist_number
    inner join artist_vectors as artist
        on own_cell.artist_number = artist.artist_number
    inner join artist_vectors as cell_mate
        on cell_mate_cell.artist_number = cell_mate.artist_number
),

first_search_bounds as (
    -- The top_k-th smallest of those distances: top_k real candidates are that close, so
    -- the artist's true top_k-th distance is no larger.
    {{ kth_smallest_distance("first_search_pairs", top_k) }}
),

artist_radii as (
    -- The radius carries a relative margin of 1e-9 (plus 1e-12) to absorb the last-bit
    -- differences between a distance summed over all features and the face distances
    -- summed over the grid dimensions. No bound (no cell holds enough artists): the
    -- radius holds everybody.
    select
        artist_vectors.artist_number,
        first_search_bounds.distance as distance_bound,
        coalesce(
            first_search_bounds.distance * (1.0 + 1e-9) + 1e-12,
            cast({{ unbounded_radius }} as double)
        ) as search_radius
    from artist_vectors
    left join first_search_bounds
        on artist_vectors.artist_number = first_search_bounds.artist_number
),

search_levels as (
    -- The finest level whose cells are at least as wide as the search radius; level 0
    -- (one cell) when none is.
    select
        artist_radii.artist_number,
        coalesce(max(grid_levels.grid_level), 0) as grid_level
    from artist_radii
    left join grid_levels
        on 1 / grid_levels.cell_scale >= artist_radii.search_radius
    group by artist_radii.artist_number
),

final as (
    select
        artist_radii.artist_number,
        artist_radii.distance_bound,
        artist_radii.search_radius,
        search_levels.grid_level as search_grid_level
    from artist_radii
    inner join search_levels
        on artist_radii.artist_number = search_levels.artist_number
)

select * from final
