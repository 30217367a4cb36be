{%- set features = similarity_features() -%}
{%- set top_k = var('top_k') -%}
{%- set steps = grid_descent_steps() -%}
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

finest_grid_level as (
    select max(grid_level) as grid_level
    from {{ ref('int_grid_levels_enumerated') }}
),

grid_cells as (
    select
        grid_level,
        cell_key,
        parent_cell_key,
        recommendable_artist_count,
        {%- for feature in features %}
        lowest_{{ feature }},
        highest_{{ feature }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_grid_cells_counted') }}
),

descent_cells_0 as (
    -- The walked cells that hold a recommendable artist, with the distances from the
    -- artist to the nearest point and to the farthest corner of their artists' box.
    select
        walked_cells.artist_number,
        grid_cells.grid_level,
        grid_cells.cell_key,
        grid_cells.recommendable_artist_count,
        search_radii.distance_bound,
        finest_grid_level.grid_level as max_grid_level,
        {{ box_distance("artist", "grid_cells", features, "nearest") }} as nearest_distance,
        {{ box_distance("artist", "grid_cells", features, "farthest") }} as farthest_distance
    from walked_cells
    inner join search_radii
        on walked_cells.artist_number = search_radii.artist_number
    inner join grid_cells
        on
            search_radii.search_grid_level = grid_cells.grid_level
            and walked_cells.cell_key = grid_cells.cell_key
    inner join artist_vectors as artist
        on walked_cells.artist_number = artist.artist_number
    cross join finest_grid_level
),
{%- for step in range(steps + 1) %}

descent_bounded_{{ step }} as (
    -- The bound tightened by the cells of this step: no farther than the farthest corner
    -- of a cell holding top_k + 1 artists, or than that of the (top_k + 1)-th nearest
    -- cell by farthest corner (the artist's own may be among them: top_k besides it).
    select
        artist_number,
        grid_level,
        cell_key,
        nearest_distance,
        least(
            distance_bound,
            coalesce(
                min(case when recommendable_artist_count > {{ top_k }} then farthest_distance end) over (
                    partition by artist_number order by farthest_distance asc
                    rows between unbounded preceding and unbounded following
                ),
                distance_bound
            ),
            coalesce(
                nth_value(farthest_distance, {{ top_k + 1 }}) over (
                    partition by artist_number order by farthest_distance asc
                    rows between unbounded preceding and unbounded following
                ),
                distance_bound
            )
        ) as distance_bound
        {%- if step == 0 %},
        -- Whether the artist descends: its walked cells hold more candidates than are
        -- cheaper to measure than to descend to, and the levels below leave room.
        (
            sum(recommendable_artist_count) over (
                partition by artist_number order by farthest_distance asc
                rows between unbounded preceding and unbounded following
            ) > {{ grid_descent_min_candidates() }}
            and grid_level + {{ 2 * steps }} <= max_grid_level
        ) as descends{% endif %}
    from descent_cells_{{ step }}
),

descent_kept_{{ step }} as (
    -- The cells that may hold an artist within the tightened bound (with the search
    -- radius's relative margin of 1e-9, plus 1e-12).
    select
        artist_number,
        grid_level,
        cell_key,
        distance_bound{% if step == 0 %},
        descends{% endif %}
    from descent_bounded_{{ step }}
    where nearest_distance <= distance_bound * (1.0 + 1e-9) + 1e-12
),
{%- if step == 0 %}

descent_started as (
    select
        artist_number,
        grid_level,
        cell_key,
        distance_bound
    from descent_kept_0
    where descends
),
{%- endif %}
{%- if not loop.last %}
{%- set parent = "descent_started" if step == 0 else "descent_kept_" ~ step %}

descent_cells_{{ step + 1 }} as (
    -- The kept cells split in two on every grid dimension: their non-empty child cells,
    -- two levels finer.
    select
        {{ parent }}.artist_number,
        grid_cells.grid_level,
        grid_cells.cell_key,
        grid_cells.recommendable_artist_count,
        {{ parent }}.distance_bound,
        {{ box_distance("artist", "grid_cells", features, "nearest") }} as nearest_distance,
        {{ box_distance("artist", "grid_cells", features, "farthest") }} as farthest_distance
    from {{ parent }}
    inner join grid_cells
        on
            {{ parent }}.grid_level + 2 = grid_cells.grid_level
            and {{ parent }}.cell_key = grid_cells.parent_cell_key
    inner join artist_vectors as artist
        on {{ parent }}.artist_number = artist.artist_number
),
{%- endif %}
{%- endfor %}

final as (
    -- Every cell that may hold one of the artist's top_k, at the level the descent ended
    -- (the search level for an artist that did not descend), with the artist's bound.
    select
        artist_number,
        grid_level,
        cell_key,
        distance_bound
    from descent_kept_{{ steps }}
    union all
    select
        artist_number,
        grid_level,
        cell_key,
        distance_bound
    from descent_kept_0
    where not descends
)

select * from final
