{%- set grid_dimensions = grid_dimension_count(similarity_features()) -%}

with artist_vectors as (
    select
        artist_number,
        {%- for dimension in range(1, grid_dimensions + 1) %}
        grid_coordinate_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artist_vectors_gridded') }}
    where is_recommendable
),

grid_levels as (
    select
        grid_level,
        cell_scale,
        last_cell
    from {{ ref('int_grid_levels_enumerated') }}
),

shifted_grid_cells as (
    -- Every recommendable artist's cell at every level of the grid shifted by half a cell
    -- on every grid dimension.
    select
        artist_vectors.artist_number,
        grid_levels.grid_level,
        {{ shifted_grid_cell_key("artist_vectors", "grid_levels") }} as cell_key
    from artist_vectors
    cross join grid_levels
),

numbered_cell_mates as (
    select
        artist_number,
        grid_level,
        cell_key,
        row_number() over (
            partition by grid_level, cell_key
            order by artist_number
        ) as cell_mate_number,
        count(*) over (partition by grid_level, cell_key) as recommendable_artist_count
    from shifted_grid_cells
),

final as (
    -- Per shifted cell: its first first_search_cell_mates() recommendable artists by
    -- artist_number (the most an artist measures in its first search; a cell may hold
    -- thousands), each with how many the cell holds in all.
    select
        artist_number,
        grid_level,
        cell_key,
        cell_mate_number,
        recommendable_artist_count
    from numbered_cell_mates
    where cell_mate_number <= {{ first_search_cell_mates() }}
)

select * from final
