{%- set grid_dimensions = grid_dimension_count(similarity_features()) -%}

with artist_vectors as (
    select
        artist_number,
        {%- for dimension in range(1, grid_dimensions + 1) %}
        grid_coordinate_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artist_vectors_gridded') }}
),

search_radii as (
    select
        artist_number,
        distance_bound,
        search_radius,
        search_grid_level
    from {{ ref('int_artist_search_radii_bounded') }}
),

grid_levels as (
    select
        grid_level,
        cell_scale,
        last_cell
    from {{ ref('int_grid_levels_enumerated') }}
),

grid_offsets as (
    select cell_offsets.cell_offset
    from (values (-1), (0), (1)) as cell_offsets (cell_offset)
),

search_origins as (
    -- Each artist at its search level: per grid dimension its cell and the squared
    -- distances to the cell's lower and upper faces (null where no cell lies beyond).
    select
        artist_vectors.artist_number,
        search_radii.search_radius * search_radii.search_radius as radius_squared,
        search_radii.distance_bound,
        grid_levels.grid_level,
        {%- for dimension in range(1, grid_dimensions + 1) %}
        {%- set coordinate = "artist_vectors.grid_coordinate_" ~ dimension %}
        {%- set cell = grid_cell(coordinate, "grid_levels.cell_scale", "grid_levels.last_cell") %}
        {{ cell }} as cell_{{ dimension }},
        case
            when {{ cell }} > 0
                then
                    ({{ coordinate }} - cast({{ cell }} as double) / grid_levels.cell_scale)
                    * ({{ coordinate }} - cast({{ cell }} as double) / grid_levels.cell_scale)
        end as below_squared_{{ dimension }},
        case
            when {{ cell }} < grid_levels.last_cell
                then
                    (cast({{ cell }} + 1 as double) / grid_levels.cell_scale - {{ coordinate }})
                    * (cast({{ cell }} + 1 as double) / grid_levels.cell_scale - {{ coordinate }})
        end as above_squared_{{ dimension }},
        {%- endfor %}
        cast(0 as bigint) as cell_key,
        cast(0 as double) as face_distance_squared
    from artist_vectors
    inner join search_radii
        on artist_vectors.artist_number = search_radii.artist_number
    inner join grid_levels
        on search_radii.search_grid_level = grid_levels.grid_level
    -- Layout only (the result does not depend on it): neighbouring artists walk
    -- neighbouring cells, stored next to each other for the joins that read them on
    -- DuckDB. Trino ignores it.
    order by
        grid_levels.grid_level,
        {%- for dimension in range(grid_dimensions, 0, -1) %}
        cell_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
),

{%- for dimension in range(1, grid_dimensions + 1) %}
{%- set previous = "search_origins" if dimension == 1 else "search_block_" ~ (dimension - 1) %}

search_block_{{ dimension }} as (
    -- Walk grid dimension {{ dimension }}: the neighbouring cell on a side is kept only
    -- when the block's nearest point stays within the search radius.
    select
        {{ previous }}.artist_number,
        {{ previous }}.radius_squared,
        {{ previous }}.distance_bound,
        {{ previous }}.grid_level,
        {%- for later in range(dimension + 1, grid_dimensions + 1) %}
        {{ previous }}.cell_{{ later }},
        {{ previous }}.below_squared_{{ later }},
        {{ previous }}.above_squared_{{ later }},
        {%- endfor %}
        {{ previous }}.cell_key
        + {{ grid_cell_key([previous ~ ".cell_" ~ dimension ~ " + grid_offsets.cell_offset"], dimension) }} as cell_key,
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
{%- set walked = "search_block_" ~ grid_dimensions %}

final as (
    -- Every cell within the search radius of the artist, at its search level (the
    -- level and the bound are the artist's, in int_artist_search_radii_bounded).
    select
        {{ walked }}.artist_number,
        {{ walked }}.cell_key
    from {{ walked }}
)

select * from final
