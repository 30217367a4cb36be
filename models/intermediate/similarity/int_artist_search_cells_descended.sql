{#- The descent's cells are read straight from the models, not through import common table
    expressions: descent_kept_cells reads them twice (see the macro). -#}
with last_split_kept as (
    -- The artists that descended: the cells the last split keeps.
    {{ descent_kept_cells(ref('int_artist_search_cells_split_' ~ grid_descent_steps())) }}
),

boxed_kept as (
    -- The others: their walked cells, pruned once by their boxes.
    {{ descent_kept_cells(ref('int_artist_search_cells_boxed')) }}
),

final as (
    -- Every cell that may hold one of the artist's top_k, at the level the descent ended
    -- (the search level for an artist that did not descend), with the artist's bound.
    select
        artist_number,
        grid_level,
        cell_key,
        distance_bound
    from last_split_kept
    union all
    select
        artist_number,
        grid_level,
        cell_key,
        distance_bound
    from boxed_kept
    where not descends
)

select * from final
