{#-
    A select of the cells of one descent step (`cells`: a relation of artist_number,
    grid_level, cell_key, recommendable_artist_count, distance_bound, nearest_distance,
    farthest_distance) that may hold one of the artist's top_k, with the artist's bound
    tightened by them: no farther than the farthest corner of a box holding top_k + 1
    candidates, nor than the (top_k + 1)-th smallest farthest corner (the artist's own box
    may be among them: top_k besides it). A cell is kept while its box's nearest point is
    within that bound, with the search radius's relative margin of 1e-9 (plus 1e-12).
    `descends` says whether the artist's cells hold more candidates than
    grid_descent_min_candidates() and the levels below leave room for the split models.

    `cells` is read twice (the per-artist bound, then the cells within it): pass a model,
    not a common table expression, which DuckDB would hold in memory to read it twice.
-#}
{% macro descent_kept_cells(cells) %}
    {%- set top_k = var('top_k') -%}
    {%- set finest_grid_level = (grid_levels() | length) - 1 -%}
    select
        descent_cells.artist_number,
        descent_cells.grid_level,
        descent_cells.cell_key,
        artist_bounds.distance_bound,
        (
            artist_bounds.candidate_count > {{ grid_descent_min_candidates() }}
            and descent_cells.grid_level + {{ 2 * grid_descent_steps() }} <= {{ finest_grid_level }}
        ) as descends
    from {{ cells }} as descent_cells
    inner join (
        select
            artist_cells.artist_number,
            least(
                min(artist_cells.distance_bound),
                coalesce(
                    min(artist_cells.farthest_distance)
                        filter (where artist_cells.recommendable_artist_count > {{ top_k }}),
                    min(artist_cells.distance_bound)
                ),
                coalesce(
                    -- Typed for the engines' type inference: the array function's result
                    -- has the values' type, a double.
                    cast({{ nth_smallest("artist_cells.farthest_distance", top_k + 1) }} as double),
                    min(artist_cells.distance_bound)
                )
            ) as distance_bound,
            sum(artist_cells.recommendable_artist_count) as candidate_count
        from {{ cells }} as artist_cells
        group by artist_cells.artist_number
    ) as artist_bounds
        on descent_cells.artist_number = artist_bounds.artist_number
    where descent_cells.nearest_distance <= {{ bound_with_margin('artist_bounds.distance_bound') }}
{% endmacro %}
