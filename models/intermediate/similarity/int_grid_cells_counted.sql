with artist_grid_cells as (
    select
        grid_level,
        cell_key,
        is_recommendable
    from {{ ref('int_artist_grid_cells_assigned') }}
),

final as (
    -- The recommendable artists (who may be found) in each non-empty cell of each level.
    select
        grid_level,
        cell_key,
        count(*) as recommendable_artist_count
    from artist_grid_cells
    where is_recommendable
    group by grid_level, cell_key
)

select * from final
