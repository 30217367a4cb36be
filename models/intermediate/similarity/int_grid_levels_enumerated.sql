-- The levels of the search grid (macro grid_levels), coarsest first; level 0 is one cell.
with levels as (
    select
        grid_levels.grid_level,
        grid_levels.cell_scale,
        grid_levels.last_cell
    from (
        values
        {%- for cell_scale, last_cell in grid_levels() %}
        ({{ loop.index0 }}, cast({{ cell_scale }} as double), cast({{ last_cell }} as bigint))
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    ) as grid_levels (grid_level, cell_scale, last_cell)
),

final as (
    select
        cast(grid_level as integer) as grid_level,
        cell_scale,
        last_cell
    from levels
)

select * from final
