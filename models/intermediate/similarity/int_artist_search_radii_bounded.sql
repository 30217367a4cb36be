{%- set features = similarity_features() -%}
{%- set top_k = var('top_k') -%}
{%- set grid_dimensions = grid_dimension_count(features) -%}
{#- Beyond the unit cube's diagonal: a radius that holds everybody. -#}
{%- set unbounded_radius = (features | length) + 1 -%}

with artist_vectors as (
    select
        artist_number,
        {%- for dimension in range(1, grid_dimensions + 1) %}
        grid_coordinate_{{ dimension }},
        {%- endfor %}
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
        cell_scale,
        last_cell
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

shifted_cell_mates as (
    -- The same first search again on the grid shifted by half a cell on every grid
    -- dimension: an artist near its cell's faces, whose nearest artists lie in the
    -- neighbouring cells, sits nearer the middle of its shifted cell. Any top_k real
    -- candidates bound the search, so the shift cannot change the result, only tighten the
    -- bound (docs/scale.md). Per shifted cell at every level: its first
    -- first_search_cell_mates() recommendable artists by artist_number, and how many it
    -- holds.
    select
        artist_number,
        grid_level,
        cell_key,
        cell_mate_number,
        recommendable_artist_count
    from {{ ref('int_shifted_grid_cell_mates_numbered') }}
),

shifted_own_cells as (
    -- Each artist's shifted cell at the levels from two coarser to three finer than its
    -- first-search level (where the shifted grid's first-search level is for 99.6% of the
    -- artists at 1,000,000; elsewhere a coarser one in the range serves, as good a bound).
    select
        artist_vectors.artist_number,
        grid_levels.grid_level,
        {{ shifted_grid_cell_key("artist_vectors", "grid_levels") }} as cell_key
    from first_search_levels
    inner join artist_vectors
        on first_search_levels.artist_number = artist_vectors.artist_number
    inner join grid_levels
        on grid_levels.grid_level between first_search_levels.grid_level - 2 and first_search_levels.grid_level + 3
),

shifted_first_search_cells as (
    -- As first_search_levels, on the shifted grid: the finest of those levels whose
    -- shifted cell holds at least 2 * (top_k + 1) recommendable artists, and that cell.
    select
        shifted_own_cells.artist_number,
        max(shifted_own_cells.grid_level) as grid_level,
        max_by(shifted_own_cells.cell_key, shifted_own_cells.grid_level) as cell_key
    from shifted_own_cells
    inner join shifted_cell_mates
        on
            shifted_own_cells.grid_level = shifted_cell_mates.grid_level
            and shifted_own_cells.cell_key = shifted_cell_mates.cell_key
    where
        shifted_cell_mates.recommendable_artist_count >= {{ 2 * (top_k + 1) }}
        -- One row per cell: its first cell mate's.
        and shifted_cell_mates.cell_mate_number = 1
    group by shifted_own_cells.artist_number
),

shifted_first_search_pairs as (
    -- As first_search_pairs, on the shifted grid.
    select
        artist.artist_number,
        {{ euclidean_distance("artist", "cell_mate", features) }} as distance
    from shifted_first_search_cells as own_cell
    inner join shifted_cell_mates as cell_mate_cell
        on
            own_cell.grid_level = cell_mate_cell.grid_level
            and own_cell.cell_key = cell_mate_cell.cell_key
            and own_cell.artist_number <> cell_mate_cell.artist_number
    inner join artist_vectors as artist
        on own_cell.artist_number = artist.artist_number
    inner join artist_vectors as cell_mate
        on cell_mate_cell.artist_number = cell_mate.artist_number
),

shifted_first_search_bounds as (
    -- Its top_k-th smallest distance: a second bound, from other real candidates (a
    -- cell mate may be in both searches, so the two are not pooled: counted twice, it
    -- could pass for two of the top_k).
    {{ kth_smallest_distance("shifted_first_search_pairs", top_k) }}
),

first_search_bounds_combined as (
    -- The tighter of the two bounds, where either exists.
    select
        artist_vectors.artist_number,
        least(
            coalesce(first_search_bounds.distance, shifted_first_search_bounds.distance),
            coalesce(shifted_first_search_bounds.distance, first_search_bounds.distance)
        ) as distance
    from artist_vectors
    left join first_search_bounds
        on artist_vectors.artist_number = first_search_bounds.artist_number
    left join shifted_first_search_bounds
        on artist_vectors.artist_number = shifted_first_search_bounds.artist_number
),

artist_radii as (
    -- The radius carries a relative margin of 1e-9 (plus 1e-12) to absorb the last-bit
    -- differences between a distance summed over all features and the face distances
    -- summed over the grid dimensions. No bound (no cell holds enough artists): the
    -- radius holds everybody.
    select
        artist_vectors.artist_number,
        first_search_bounds_combined.distance as distance_bound,
        coalesce(
            {{ bound_with_margin('first_search_bounds_combined.distance') }},
            cast({{ unbounded_radius }} as double)
        ) as search_radius
    from artist_vectors
    inner join first_search_bounds_combined
        on artist_vectors.artist_number = first_search_bounds_combined.artist_number
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
