{%- set grid_dimensions = grid_dimension_count(similarity_features()) -%}

with artist_vectors as (
    select
        artist_number,
        is_recommendable,
        {%- for dimension in range(1, grid_dimensions + 1) %}
        grid_coordinate_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artist_vectors_gridded') }}
),

grid_levels as (
    select
        grid_level,
        cell_scale,
        last_cell
    from {{ ref('int_grid_levels_enumerated') }}
),

final as (
    -- Every artist's cell at every grid level, and its cell at the level of half as many
    -- cells a side (two levels coarser, which holds it: the parent cell).
    {%- set cells = [] %}
    {%- set parent_cells = [] %}
    {%- for dimension in range(1, grid_dimensions + 1) %}
    {%- do cells.append(grid_cell("artist_vectors.grid_coordinate_" ~ dimension, "grid_levels.cell_scale", "grid_levels.last_cell")) %}
    {%- do parent_cells.append(grid_cell("artist_vectors.grid_coordinate_" ~ dimension, "parent_levels.cell_scale", "parent_levels.last_cell")) %}
    {%- endfor %}
    select
        artist_vectors.artist_number,
        artist_vectors.is_recommendable,
        grid_levels.grid_level,
        {{ grid_cell_key(cells) }} as cell_key,
        {{ grid_cell_key(parent_cells) }} as parent_cell_key
    from artist_vectors
    cross join grid_levels
    left join grid_levels as parent_levels
        on grid_levels.grid_level - 2 = parent_levels.grid_level
)

select * from final
