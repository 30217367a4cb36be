{%- set similarity = similarity_features() -%}
{%- set cosine = similarity_distance() == "cosine" -%}

with audio_profiles as (
    select
        artist_id,
        {%- for feature in similarity %}
        {{ feature }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artists_audio_profiled') }}
),

feature_means as (
    -- Bounds and means of each similarity feature over every profiled artist; the means
    -- are exact (decimal sums), so they do not depend on the order of aggregation.
    select
        {% for feature in similarity -%}
        min({{ feature }}) as {{ feature }}_min,
        max({{ feature }}) as {{ feature }}_max,
        {{ exact_average(feature) }} as {{ feature }}_mean,
        {% endfor -%}
        count(*) as profiled_artist_count
    from audio_profiles
),

feature_statistics as (
    -- Population standard deviations, exact too: each squared deviation is summed as a
    -- decimal (a squared deviation under 5e-19 counts as 0, so a feature that does not
    -- vary has a standard deviation of exactly 0).
    select
        {% for feature in similarity -%}
        feature_means.{{ feature }}_min,
        feature_means.{{ feature }}_max,
        feature_means.{{ feature }}_mean,
        sqrt({{ exact_average(
            "(audio_profiles." ~ feature ~ " - feature_means." ~ feature ~ "_mean)"
            ~ " * (audio_profiles." ~ feature ~ " - feature_means." ~ feature ~ "_mean)"
        ) }}) as {{ feature }}_standard_deviation,
        {% endfor -%}
        feature_means.profiled_artist_count
    from audio_profiles
    cross join feature_means
    group by
        {% for feature in similarity -%}
        feature_means.{{ feature }}_min,
        feature_means.{{ feature }}_max,
        feature_means.{{ feature }}_mean,
        {% endfor -%}
        feature_means.profiled_artist_count
),

search_space_bounds as (
    {%- if cosine %}
    -- Cosine: unit vectors, every coordinate in [-1, 1]; dim_artists maps them by
    -- (v + 1) / 2, which is (v - (-1)) / (1 - (-1)).
    select
        cast(-1.0 as double) as coordinate_min,
        cast(1.0 as double) as coordinate_max
    from feature_statistics
    {%- else %}
    -- Euclidean: the smallest and largest standardised coordinate over every artist and
    -- every similarity feature. Standardising is increasing in the value (a shift, then a
    -- division by a positive spread; a feature that does not vary is 0 for everyone), and
    -- floating-point rounding keeps that order, so each feature's smallest and largest
    -- coordinate are its min's and max's, bit for bit.
    select
        least(
            {%- for feature in similarity %}
            {{ standardised_feature("feature_statistics." ~ feature ~ "_min", "feature_statistics", feature) }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ) as coordinate_min,
        greatest(
            {%- for feature in similarity %}
            {{ standardised_feature("feature_statistics." ~ feature ~ "_max", "feature_statistics", feature) }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ) as coordinate_max
    from feature_statistics
    {%- endif %}
),

features as (
    -- One row per similarity feature, in similarity_features order.
    {%- for feature in similarity %}
    select
        cast('{{ feature }}' as varchar) as feature_name,
        cast({{ loop.index }} as integer) as feature_position,
        feature_statistics.{{ feature }}_min as min_value,
        feature_statistics.{{ feature }}_max as max_value,
        feature_statistics.{{ feature }}_mean as mean_value,
        feature_statistics.{{ feature }}_standard_deviation as standard_deviation,
        feature_statistics.profiled_artist_count
    from feature_statistics
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        features.feature_name,
        features.feature_position,
        features.min_value,
        features.max_value,
        features.mean_value,
        features.standard_deviation,
        features.profiled_artist_count,
        search_space_bounds.coordinate_min,
        search_space_bounds.coordinate_max,
        cast('{{ similarity_normalisation() }}' as varchar) as similarity_normalisation,
        cast('{{ similarity_distance() }}' as varchar) as similarity_distance,
        cast({{ min_related_track_count() }} as integer) as min_related_track_count,
        cast({{ var('top_k') }} as integer) as top_k
    from features
    cross join search_space_bounds
)

select * from final
