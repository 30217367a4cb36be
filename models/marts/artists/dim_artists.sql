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

similarity_parameters as (
    select
        feature_name,
        min_value,
        max_value,
        mean_value,
        standard_deviation,
        coordinate_min,
        coordinate_max
    from {{ ref('dim_similarity_features') }}
),

feature_statistics as (
    -- The warehouse's normalisation parameters, one row: each similarity feature's min,
    -- max, mean and population standard deviation over every profiled artist, and the
    -- bounds of the search space, as dim_similarity_features keeps them (the one place
    -- they are computed; the on-demand lookup reads them there too).
    select
        {% for feature in similarity -%}
        max(case when feature_name = '{{ feature }}' then min_value end) as {{ feature }}_min,
        max(case when feature_name = '{{ feature }}' then max_value end) as {{ feature }}_max,
        max(case when feature_name = '{{ feature }}' then mean_value end) as {{ feature }}_mean,
        max(case when feature_name = '{{ feature }}' then standard_deviation end)
            as {{ feature }}_standard_deviation,
        {% endfor -%}
        max(coordinate_min) as coordinate_min,
        max(coordinate_max) as coordinate_max
    from similarity_parameters
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

search_space as (
    -- Into the unit cube the grid search works in, by one affine map shared by every
    -- feature (a uniform scale keeps every artist's order of neighbours): cosine's unit
    -- vectors by (v + 1) / 2; otherwise by the overall bounds of dim_similarity_features
    -- (the smallest and largest coordinate over every artist and feature),
    -- (v - min) / (max - min), which leaves min-max values as they are.
    select
        oriented.artist_id,
        {%- for feature in similarity %}
        {%- if cosine %}
        (oriented.{{ feature }}_oriented + 1.0) / 2.0 as {{ feature }}_normalised
        {%- else %}
        coalesce(
            (oriented.{{ feature }}_oriented - feature_statistics.coordinate_min)
            / nullif(feature_statistics.coordinate_max - feature_statistics.coordinate_min, 0),
            0.0
        ) as {{ feature }}_normalised
        {%- endif %}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from oriented
    {%- if not cosine %}
    cross join feature_statistics
    {%- endif %}
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
