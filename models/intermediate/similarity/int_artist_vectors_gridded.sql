{%- set features = similarity_features() -%}
{%- set grid_dimensions = grid_dimension_count(features) -%}
{#- A fixed set of columns, whatever the vars (unit tests mock them): every audio feature's
    normalised value (null when not a similarity feature, as in dim_artists) and six grid
    coordinates (null beyond the gridded dimensions). -#}
{%- set all_features = audio_feature_names() -%}
{#- With more features than grid dimensions, grid the ones that spread the artists most;
    otherwise all of them, in similarity_features order. -#}
{%- set grids_a_subset = features | length > grid_dimensions -%}

with artists as (
    select
        artist_id,
        is_recommendable,
        {%- for feature in all_features %}
        {{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('dim_artists') }}
    where has_similarity_vector
),

feature_moments as (
    -- With more features than grid dimensions, the ones that spread the artists most are
    -- gridded, by population variance (mean square minus squared mean) from exact decimal
    -- sums, so the choice is the same on every engine and every run: under z_score the
    -- spreads are equal but for the last bits, which a floating-point variance would let
    -- decide.
    select
        {%- for feature in features %}
        {{ exact_average(feature ~ "_normalised * " ~ feature ~ "_normalised") }} as {{ feature }}_mean_square,
        {%- endfor %}
        {%- for feature in features %}
        {{ exact_average(feature ~ "_normalised") }} as {{ feature }}_mean{% if not loop.last %},{% endif %}
        {%- endfor %}
    from artists
),

feature_spreads as (
    {%- for feature in features %}
    select
        '{{ feature }}' as feature_name,
        {{ loop.index }} as feature_order,
        coalesce(
            feature_moments.{{ feature }}_mean_square
            - feature_moments.{{ feature }}_mean * feature_moments.{{ feature }}_mean,
            0
        ) as spread
    from feature_moments
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

feature_grid_dimensions as (
    -- 1 = largest spread, equal spreads in similarity_features order (with at most six
    -- features: similarity_features order).
    select
        feature_name,
        row_number() over (
            order by {% if grids_a_subset %}spread desc, {% endif %}feature_order asc
        ) as grid_dimension
    from feature_spreads
),

grid_features as (
    select
        max(feature_name) filter (where grid_dimension = 1) as grid_feature_1{% if grid_dimensions > 1 %},{% endif %}
        {%- for dimension in range(2, grid_dimensions + 1) %}
        max(feature_name) filter (where grid_dimension = {{ dimension }}) as grid_feature_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from feature_grid_dimensions
),

artist_id_prefixes as (
    -- The artists counted by the first two characters of their id, and how many artists
    -- have an id of an earlier prefix: a small table (at most one row per prefix; 3,844
    -- for Spotify's base-62 ids), so the window over it is cheap on a single node.
    select
        id_prefix,
        coalesce(
            sum(artist_count) over (
                order by id_prefix asc rows between unbounded preceding and 1 preceding
            ),
            0
        ) as artists_before
    from (
        select
            substr(artist_id, 1, 2) as id_prefix,
            count(*) as artist_count
        from artists
        group by substr(artist_id, 1, 2)
    ) as prefix_counts
),

final as (
    -- artist_number: integers in artist_id order, cheaper to hash, compare and carry than
    -- strings; ordering by them is ordering by artist_id. Numbered within each id prefix
    -- (a prefix's ids all sort after every id of an earlier prefix) plus the artists of
    -- the earlier prefixes: the global rank over artist_id, which is unique, so 1..n, but
    -- without a window over every artist, which Trino would run on a single node.
    select
        cast(
            artist_id_prefixes.artists_before
            + rank() over (
                partition by artist_id_prefixes.id_prefix order by artists.artist_id asc
            ) as integer
        ) as artist_number,
        artists.artist_id,
        artists.is_recommendable,
        {%- for feature in all_features %}
        artists.{{ feature }}_normalised,
        {%- endfor %}
        {%- for dimension in range(1, 7) %}
        {%- if dimension <= grid_dimensions %}
        case grid_features.grid_feature_{{ dimension }}
            {%- for feature in features %}
            when '{{ feature }}' then artists.{{ feature }}_normalised
            {%- endfor %}
        end as grid_coordinate_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- else %}
        cast(null as double) as grid_coordinate_{{ dimension }}{% if not loop.last %},{% endif %}
        {%- endif %}
        {%- endfor %}
    from artists
    inner join artist_id_prefixes
        on substr(artists.artist_id, 1, 2) = artist_id_prefixes.id_prefix
    cross join grid_features
)

select * from final
