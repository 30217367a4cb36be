{#-
    The Euclidean distance between two rows' normalised feature vectors: the square root of
    the summed squared differences (not the Manhattan sum of absolute differences).
    Columns are named `<feature>_normalised`.
-#}
{% macro euclidean_distance(left, right, features) %}
    sqrt(
    {%- for feature in features %}
        ({{ left }}.{{ feature }}_normalised - {{ right }}.{{ feature }}_normalised)
        * ({{ left }}.{{ feature }}_normalised - {{ right }}.{{ feature }}_normalised)
        {%- if not loop.last %} +{% endif %}
    {%- endfor %}
    )
{% endmacro %}


{#-
    The exact nearest-artists search works on grids over the normalised vectors (every
    feature spans [0, 1]). A grid level has `cell_scale` cells per unit: a coordinate x
    falls in cell least(floor(x * cell_scale), last_cell), so x = 1 stays in the last
    cell. The scales are 2^p and 1.5 * 2^p (1, 1.5, 2, 3, 4, 6, ... 1024): a search radius
    never gets a cell more than 1.5 times wider than itself.

    - grid_scales: the levels, as (cell_scale, last_cell). A cell index takes at most 10
      bits and a cell key packs up to 6 grid dimensions into one bigint (60 bits).
    - grid_dimension_count: at most 6 features are gridded. With more similarity features,
      the 6 whose normalised values spread most (population standard deviation over the
      artists, computed in the query) are gridded; the others still count in every
      distance, the grid only prunes.
-#}
{% macro grid_scales() %}
    {%- set scales = [] -%}
    {%- for power in range(11) -%}
        {%- for step in [1.0, 1.5] -%}
            {%- set scale = (2 ** power) * step -%}
            {%- if scale <= 1024 -%}
                {%- do scales.append([scale, (scale | round(0, "ceil") | int) - 1]) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(scales) }}
{% endmacro %}
{% macro grid_dimension_count(features) %}{{ return([features | length, 6] | min) }}{% endmacro %}


{#- The cell index of `value` (a normalised coordinate) on a grid level. -#}
{% macro grid_cell(value, scale, last_cell) -%}
    least(cast(floor({{ value }} * {{ scale }}) as bigint), {{ last_cell }})
{%- endmacro %}


{#-
    Each artist's `top_k` nearest other candidates, as CTEs to splice into a model's `with`
    after the CTE named by `vectors` (artist_id, `<feature>_normalised` columns and the
    boolean `candidate_column`: whether the artist may be found as somebody's neighbour;
    every artist of `vectors` gets neighbours, only candidates are neighbours). Ends
    with the CTE `nearest_artists` (artist_id, related_artist_id, distance,
    similarity_rank); the caller adds a comma-less `select` after it. Never pairs an artist
    with itself; ties are broken by related_artist_id; identical vectors are neighbours at
    distance 0; with fewer than top_k other candidates, an artist gets all of them.

    Exact, without enumerating all n^2 pairs (a grid index in plain SQL):
    1. artist_grid_cells: every artist's cell at every grid level (level 0, one cell a
       side, holds everybody); grid_cell_counts: candidates per cell.
    2. artist_first_search: per artist, the finest level whose cell holds at least
       2 * (top_k + 1) candidates (at least top_k besides itself; twice that tightens the
       bound for little work), chosen from the counts per cell, so dense regions get small
       cells and sparse ones large cells. first_search_radius: the top_k-th smallest
       distance to those candidate cell mates. They are top_k real candidates, so the true
       top_k-th distance is no larger: an upper bound R. (No level qualifies only with
       fewer than 2 * (top_k + 1) candidates in all: R is unbounded and level 0, everybody,
       is searched.)
    3. artist_search_level: the finest level whose cell side is at least R; search_block_1
       .. search_block_g walk the 3^g block of cells around the artist's cell one grid
       dimension at a time, keeping a neighbouring cell only while the squared distance
       from the point to the block (summed over the dimensions walked) stays within R^2,
       so the corners the R-ball misses are never visited. Every artist within R of the
       point lies in a kept cell: a coordinate two cells away differs by more than one cell
       side, which is at least R.
    4. candidate_pairs: the artists of the kept cells, within R of the point; the dispatched
       top-k ranks them by (distance, related_artist_id). Every artist at the top_k-th
       distance (ties included) is within R, so the cut is the exact one.
    R carries a relative margin of 1e-9 (plus 1e-12) to absorb the last-bit differences
    between a distance summed over all features and the face distances summed over the
    grid dimensions.
-#}
{% macro nearest_artists(vectors, features, top_k, candidate_column) %}
    {%- set grid_dimensions = grid_dimension_count(features) -%}
    {%- set unbounded_radius = (features | length) + 1 -%}
{%- if features | length > grid_dimensions %}
feature_spreads as (
    -- More features than grid dimensions: grid the ones that spread the artists most.
    select
        {%- for feature in features %}
        coalesce(stddev_pop({{ vectors }}.{{ feature }}_normalised), 0) as {{ feature }}_spread
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ vectors }}
),

grid_feature_ranks as (
    -- 1 = largest spread; equal spreads ranked in similarity_features order.
    select
        {%- for feature in features %}
        {%- set outer_index = loop.index0 %}
        1
        {%- for other in features if other != feature %}
        + case
            when feature_spreads.{{ other }}_spread > feature_spreads.{{ feature }}_spread
                {%- if features.index(other) < outer_index %}
                or feature_spreads.{{ other }}_spread = feature_spreads.{{ feature }}_spread
                {%- endif %}
                then 1
            else 0
        end
        {%- endfor %} as {{ feature }}_rank{% if not loop.last %},{% endif %}
        {%- endfor %}
    from feature_spreads
),

{% endif -%}
search_points as (
    -- Integer ids in artist_id order: cheaper to hash, compare and carry than strings, and
    -- ordering by them is ordering by artist_id (which is unique, so rank() numbers the
    -- artists 1..n; this is a numbering, not a top-N filter). grid_1 .. grid_g are the
    -- gridded coordinates.
    select
        rank() over (order by {{ vectors }}.artist_id) as point_id,
        {{ vectors }}.artist_id,
        {{ vectors }}.{{ candidate_column }} as is_candidate,
        {%- for feature in features %}
        {{ vectors }}.{{ feature }}_normalised,
        {%- endfor %}
        {%- for dimension in range(1, grid_dimensions + 1) %}
        {%- if features | length > grid_dimensions %}
        case
            {%- for feature in features %}
            when grid_feature_ranks.{{ feature }}_rank = {{ dimension }} then {{ vectors }}.{{ feature }}_normalised
            {%- endfor %}
        end as grid_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- else %}
        {{ vectors }}.{{ features[dimension - 1] }}_normalised as grid_{{ dimension }}
        {%- if not loop.last %},{% endif %}
        {%- endif %}
        {%- endfor %}
    from {{ vectors }}
    {%- if features | length > grid_dimensions %}
    cross join grid_feature_ranks
    {%- endif %}
),

grid_levels as (
    select
        grid_level,
        cell_scale,
        last_cell
    from (
        values
        {%- for scale, last_cell in grid_scales() %}
            ({{ loop.index0 }}, cast({{ scale }} as double), cast({{ last_cell }} as bigint))
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    ) as levels (grid_level, cell_scale, last_cell)
),

grid_offsets as (
    select cell_offset
    from (values (-1), (0), (1)) as offsets (cell_offset)
),

artist_grid_cells as (
    select
        search_points.point_id,
        search_points.is_candidate,
        grid_levels.grid_level,
        {%- for dimension in range(1, grid_dimensions + 1) %}
        {{ grid_cell("search_points.grid_" ~ dimension, "grid_levels.cell_scale", "grid_levels.last_cell") }}
        * {{ 1024 ** loop.index0 }}{% if not loop.last %} +{% else %} as cell_key{% endif %}
        {%- endfor %}
    from search_points
    cross join grid_levels
),

grid_cell_counts as (
    select
        grid_level,
        cell_key,
        count(*) as candidate_count
    from artist_grid_cells
    where is_candidate
    group by grid_level, cell_key
),

artist_first_search as (
    select
        artist_grid_cells.point_id,
        max(artist_grid_cells.grid_level) as grid_level
    from artist_grid_cells
    inner join grid_cell_counts
        on
            artist_grid_cells.grid_level = grid_cell_counts.grid_level
            and artist_grid_cells.cell_key = grid_cell_counts.cell_key
    where grid_cell_counts.candidate_count >= {{ 2 * (top_k + 1) }}
    group by artist_grid_cells.point_id
),

first_search_pairs as (
    select
        artist.point_id,
        {{ euclidean_distance("artist", "cell_mate", features) }} as distance
    from artist_first_search
    inner join artist_grid_cells as own_cell
        on
            artist_first_search.point_id = own_cell.point_id
            and artist_first_search.grid_level = own_cell.grid_level
    inner join artist_grid_cells as cell_mate_cell
        on
            own_cell.grid_level = cell_mate_cell.grid_level
            and own_cell.cell_key = cell_mate_cell.cell_key
            and own_cell.point_id <> cell_mate_cell.point_id
            and cell_mate_cell.is_candidate
    inner join search_points as artist
        on own_cell.point_id = artist.point_id
    inner join search_points as cell_mate
        on cell_mate_cell.point_id = cell_mate.point_id
),

first_search_radius as (
    {{ kth_smallest_distance("first_search_pairs", top_k) }}
),

artist_search_radius as (
    select
        search_points.point_id,
        coalesce(
            first_search_radius.distance * (1.0 + 1e-9) + 1e-12,
            cast({{ unbounded_radius }} as double)
        ) as search_radius,
        first_search_radius.distance as distance_bound
    from search_points
    left join first_search_radius
        on search_points.point_id = first_search_radius.point_id
),

artist_search_level as (
    -- The finest level whose cells are at least as wide as the search radius; level 0
    -- (one cell) when none is.
    select
        artist_search_radius.point_id,
        coalesce(max(grid_levels.grid_level), 0) as grid_level
    from artist_search_radius
    left join grid_levels
        on 1 / grid_levels.cell_scale >= artist_search_radius.search_radius
    group by artist_search_radius.point_id
),

search_grid_levels as (
    select distinct grid_level
    from artist_search_level
),

candidate_cells as (
    -- Every candidate's cell, with its vector, at the levels some artist searches.
    select
        search_points.point_id,
        {%- for feature in features %}
        search_points.{{ feature }}_normalised,
        {%- endfor %}
        grid_levels.grid_level,
        {%- for dimension in range(1, grid_dimensions + 1) %}
        {{ grid_cell("search_points.grid_" ~ dimension, "grid_levels.cell_scale", "grid_levels.last_cell") }}
        * {{ 1024 ** loop.index0 }}{% if not loop.last %} +{% else %} as cell_key{% endif %}
        {%- endfor %}
    from search_points
    cross join grid_levels
    inner join search_grid_levels
        on grid_levels.grid_level = search_grid_levels.grid_level
    where search_points.is_candidate
    -- Layout only (the result does not depend on it): with the artists of one cell next
    -- to each other, and the search cells walked in the same order, DuckDB's hash join in
    -- candidate_pairs reads memory in order (30-40% faster). Trino ignores it.
    order by grid_levels.grid_level, cell_key
),

search_origins as (
    -- Each artist at its search level: per grid dimension its cell and the squared
    -- distances to the cell's lower and upper faces (null where no cell lies beyond).
    select
        search_points.point_id,
        {%- for feature in features %}
        search_points.{{ feature }}_normalised,
        {%- endfor %}
        artist_search_radius.search_radius * artist_search_radius.search_radius as radius_squared,
        artist_search_radius.distance_bound,
        grid_levels.grid_level,
        {%- for dimension in range(1, grid_dimensions + 1) %}
        {%- set cell = grid_cell("search_points.grid_" ~ dimension, "grid_levels.cell_scale", "grid_levels.last_cell") %}
        {{ cell }} as cell_{{ loop.index }},
        case
            when {{ cell }} > 0
                then
                    (search_points.grid_{{ dimension }} - cast({{ cell }} as double) / grid_levels.cell_scale)
                    * (search_points.grid_{{ dimension }} - cast({{ cell }} as double) / grid_levels.cell_scale)
        end as below_squared_{{ loop.index }},
        case
            when {{ cell }} < grid_levels.last_cell
                then
                    (cast({{ cell }} + 1 as double) / grid_levels.cell_scale - search_points.grid_{{ dimension }})
                    * (cast({{ cell }} + 1 as double) / grid_levels.cell_scale - search_points.grid_{{ dimension }})
        end as above_squared_{{ loop.index }},
        {%- endfor %}
        cast(0 as bigint) as cell_key,
        cast(0 as double) as face_distance_squared
    from search_points
    inner join artist_search_radius
        on search_points.point_id = artist_search_radius.point_id
    inner join artist_search_level
        on search_points.point_id = artist_search_level.point_id
    inner join grid_levels
        on artist_search_level.grid_level = grid_levels.grid_level
    -- Layout only, as for candidate_cells: neighbouring artists walk neighbouring cells.
    order by
        grid_levels.grid_level{% for dimension in range(grid_dimensions, 0, -1) %},
        cell_{{ dimension }}
        {%- endfor %}
),

{%- set dimensions = grid_dimensions %}
{%- for dimension in range(1, dimensions + 1) %}
{%- set previous = "search_origins" if dimension == 1 else "search_block_" ~ (dimension - 1) %}

search_block_{{ dimension }} as (
    -- Walk grid dimension {{ dimension }}: the
    -- neighbouring cell on a side is kept only when the block's nearest point stays within
    -- the search radius.
    select
        {{ previous }}.point_id,
        {%- for feature in features %}
        {{ previous }}.{{ feature }}_normalised,
        {%- endfor %}
        {{ previous }}.radius_squared,
        {{ previous }}.distance_bound,
        {{ previous }}.grid_level,
        {%- for later in range(dimension + 1, dimensions + 1) %}
        {{ previous }}.cell_{{ later }},
        {{ previous }}.below_squared_{{ later }},
        {{ previous }}.above_squared_{{ later }},
        {%- endfor %}
        {{ previous }}.cell_key
        + ({{ previous }}.cell_{{ dimension }} + grid_offsets.cell_offset) * {{ 1024 ** (dimension - 1) }} as cell_key,
        {{ previous }}.face_distance_squared + case grid_offsets.cell_offset
            when -1 then {{ previous }}.below_squared_{{ dimension }}
            when 1 then {{ previous }}.above_squared_{{ dimension }}
            else cast(0 as double)
        end as face_distance_squared
    from {{ previous }}
    cross join grid_offsets
    where
        grid_offsets.cell_offset = 0
        or (
            grid_offsets.cell_offset = -1
            and {{ previous }}.face_distance_squared + {{ previous }}.below_squared_{{ dimension }}
            <= {{ previous }}.radius_squared
        )
        or (
            grid_offsets.cell_offset = 1
            and {{ previous }}.face_distance_squared + {{ previous }}.above_squared_{{ dimension }}
            <= {{ previous }}.radius_squared
        )
),
{%- endfor %}
{%- set checked = "search_block_" ~ dimensions %}

search_cells as (
    select
        {{ checked }}.point_id,
        {%- for feature in features %}
        {{ checked }}.{{ feature }}_normalised,
        {%- endfor %}
        {{ checked }}.distance_bound,
        {{ checked }}.grid_level,
        {{ checked }}.cell_key
    from {{ checked }}
),

candidate_pairs as (
    select
        artist.point_id,
        candidate.point_id as related_point_id,
        {{ euclidean_distance("artist", "candidate", features) }} as distance,
        artist.distance_bound
    from search_cells as artist
    inner join candidate_cells as candidate
        on
            artist.grid_level = candidate.grid_level
            and artist.cell_key = candidate.cell_key
            and artist.point_id <> candidate.point_id
),

nearest_candidates as (
    -- Nothing beyond the bound can be among the nearest top_k (the bound is the top_k-th
    -- distance of real artists).
    select
        candidate_pairs.point_id,
        candidate_pairs.related_point_id,
        candidate_pairs.distance
    from candidate_pairs
    where
        candidate_pairs.distance_bound is null
        or candidate_pairs.distance <= candidate_pairs.distance_bound
),

nearest_points as (
    {{ top_k_by_distance("nearest_candidates", top_k) }}
),

nearest_artists as (
    select
        artist.artist_id,
        related_artist.artist_id as related_artist_id,
        nearest_points.distance,
        nearest_points.similarity_rank
    from nearest_points
    inner join search_points as artist
        on nearest_points.point_id = artist.point_id
    inner join search_points as related_artist
        on nearest_points.related_point_id = related_artist.point_id
)
{%- endmacro %}


{#-
    Per point_id of `pairs` (point_id, distance): its `top_k`-th smallest distance, as
    (point_id, distance). Artists with fewer than top_k pairs are left out.
-#}
{% macro kth_smallest_distance(pairs, top_k) %}
    {{ return(adapter.dispatch("kth_smallest_distance")(pairs, top_k)) }}
{% endmacro %}


{% macro default__kth_smallest_distance(pairs, top_k) %}
    select
        ranked_distances.point_id,
        ranked_distances.distance
    from (
        select
            {{ pairs }}.point_id,
            {{ pairs }}.distance,
            row_number() over (
                partition by {{ pairs }}.point_id
                order by {{ pairs }}.distance asc
            ) as distance_rank
        from {{ pairs }}
    ) as ranked_distances
    where ranked_distances.distance_rank = {{ top_k }}
{% endmacro %}


{% macro duckdb__kth_smallest_distance(pairs, top_k) %}
    select
        smallest_distances.point_id,
        list_max(smallest_distances.distances) as distance
    from (
        select
            {{ pairs }}.point_id,
            min({{ pairs }}.distance, {{ top_k }}) as distances
        from {{ pairs }}
        group by {{ pairs }}.point_id
    ) as smallest_distances
    where len(smallest_distances.distances) = {{ top_k }}
{% endmacro %}


{#-
    Per point_id of `pairs` (point_id, related_point_id, distance): the `top_k` rows of
    smallest (distance, related_point_id), with similarity_rank 1..top_k. The engines get
    different plans for the same answer:
    - default (Athena/Trino): row_number() filtered in an outer query, which Trino executes
      as a streaming TopNRanking per artist;
    - duckdb: a top-k aggregate (min_by with n), which keeps k rows per artist instead of
      sorting all pairs.
-#}
{% macro top_k_by_distance(pairs, top_k) %}
    {{ return(adapter.dispatch("top_k_by_distance")(pairs, top_k)) }}
{% endmacro %}


{% macro default__top_k_by_distance(pairs, top_k) %}
    select
        ranked_pairs.point_id,
        ranked_pairs.related_point_id,
        ranked_pairs.distance,
        ranked_pairs.similarity_rank
    from (
        select
            {{ pairs }}.point_id,
            {{ pairs }}.related_point_id,
            {{ pairs }}.distance,
            row_number() over (
                partition by {{ pairs }}.point_id
                order by {{ pairs }}.distance asc, {{ pairs }}.related_point_id asc
            ) as similarity_rank
        from {{ pairs }}
    ) as ranked_pairs
    where ranked_pairs.similarity_rank <= {{ top_k }}
{% endmacro %}


{% macro duckdb__top_k_by_distance(pairs, top_k) %}
    select
        nearest.point_id,
        nearest.neighbour.related_point_id as related_point_id,
        nearest.neighbour.distance as distance,
        nearest.similarity_rank
    from (
        select
            neighbour_lists.point_id,
            unnest(neighbour_lists.neighbours) as neighbour,
            generate_subscripts(neighbour_lists.neighbours, 1) as similarity_rank
        from (
            select
                {{ pairs }}.point_id,
                min_by(
                    struct_pack({{ pairs }}.related_point_id, {{ pairs }}.distance),
                    struct_pack({{ pairs }}.distance, {{ pairs }}.related_point_id),
                    {{ top_k }}
                ) as neighbours
            from {{ pairs }}
            group by {{ pairs }}.point_id
        ) as neighbour_lists
    ) as nearest
{% endmacro %}
