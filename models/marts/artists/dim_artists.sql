{%- set features = audio_feature_names() -%}
{%- set similarity = similarity_features() -%}
{%- set cosine = similarity_distance() == "cosine" -%}

with artists as (
    select
        artist_id,
        artist_name,
        genres,
        playlist_genre,
        playlist_subgenre,
        popularity,
        followers,
        record_source
    from {{ ref('stg_spotify__artists') }}
),

audio_profiles as (
    select
        artist_id,
        track_count,
        {%- for feature in features %}
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

standardised as (
    -- Each similarity feature on the chosen normalisation's scale
    -- (var similarity_normalisation: {{ similarity_normalisation() }}).
    select
        audio_profiles.artist_id,
        {%- for feature in similarity %}
        {%- set value = "audio_profiles." ~ feature %}
        {{ standardised_feature(value, "feature_statistics", feature) }} as {{ feature }}_standardised
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from audio_profiles
    cross join feature_statistics
),

oriented as (
    {%- if cosine %}
    -- Cosine: each vector divided by its length (a unit vector, every coordinate in
    -- [-1, 1]). A vector of all zeros has no direction: its coordinates stay null.
    select
        standardised.artist_id,
        {%- for feature in similarity %}
        standardised.{{ feature }}_standardised / nullif(sqrt(
            {%- for other in similarity %}
            standardised.{{ other }}_standardised * standardised.{{ other }}_standardised
            {%- if not loop.last %} +{% endif %}
            {%- endfor %}
        ), 0) as {{ feature }}_oriented{% if not loop.last %},{% endif %}
        {%- endfor %}
    from standardised
    {%- else %}
    -- Euclidean: the standardised vector as it is.
    select
        standardised.artist_id,
        {%- for feature in similarity %}
        standardised.{{ feature }}_standardised as {{ feature }}_oriented{% if not loop.last %},{% endif %}
        {%- endfor %}
    from standardised
    {%- endif %}
),

search_space_bounds as (
    -- The smallest and largest coordinate over every artist and every similarity feature.
    select
        least(
            {%- for feature in similarity %}
            min({{ feature }}_oriented){% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as coordinate_min,
        greatest(
            {%- for feature in similarity %}
            max({{ feature }}_oriented){% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as coordinate_max
    from oriented
),

search_space as (
    -- Into the unit cube the grid search works in, by one affine map shared by every
    -- feature (a uniform scale keeps every artist's order of neighbours): cosine's unit
    -- vectors by (v + 1) / 2; otherwise by the overall bounds, (v - min) / (max - min), which
    -- leaves min-max values as they are.
    select
        oriented.artist_id,
        {%- for feature in similarity %}
        {%- if cosine %}
        (oriented.{{ feature }}_oriented + 1.0) / 2.0 as {{ feature }}_normalised
        {%- else %}
        coalesce(
            (oriented.{{ feature }}_oriented - search_space_bounds.coordinate_min)
            / nullif(search_space_bounds.coordinate_max - search_space_bounds.coordinate_min, 0),
            0.0
        ) as {{ feature }}_normalised
        {%- endif %}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from oriented
    cross join search_space_bounds
),

final as (
    select
        artists.artist_id,
        artists.artist_name,
        artists.genres,
        artists.playlist_genre,
        artists.playlist_subgenre,
        artists.popularity,
        artists.followers,
        artists.record_source,
        audio_profiles.artist_id is not null as has_audio_features,
        coalesce(search_space.{{ similarity[0] }}_normalised is not null, false)
            as has_similarity_vector,
        coalesce(
            search_space.{{ similarity[0] }}_normalised is not null
            and audio_profiles.track_count >= {{ min_related_track_count() }},
            false
        ) as is_recommendable,
        coalesce(audio_profiles.track_count, 0) as track_count,
        {%- for feature in features %}
        audio_profiles.{{ feature }},
        {%- endfor %}
        {%- for feature in features %}
        {%- if feature in similarity %}
        search_space.{{ feature }}_normalised
        {%- else %}
        cast(null as double) as {{ feature }}_normalised
        {%- endif %}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from artists
    left join audio_profiles
        on artists.artist_id = audio_profiles.artist_id
    left join search_space
        on artists.artist_id = search_space.artist_id
)

select * from final
