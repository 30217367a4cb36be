{%- set features = audio_feature_names() -%}

with artists as (
    select
        artist_id,
        artist_name,
        genres,
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

-- Min-max bounds of each averaged feature over every profiled artist.
feature_bounds as (
    select
        {% for feature in features -%}
        min({{ feature }}) as {{ feature }}_min,
        max({{ feature }}) as {{ feature }}_max,
        {% endfor -%}
        count(*) as profiled_artist_count
    from audio_profiles
),

normalised as (
    -- A feature with max = min carries no information: it is 0 for everyone.
    select
        {% for feature in features -%}
        audio_profiles.{{ feature }},
        coalesce(
            (audio_profiles.{{ feature }} - feature_bounds.{{ feature }}_min)
            / nullif(feature_bounds.{{ feature }}_max - feature_bounds.{{ feature }}_min, 0),
            0.0
        ) as {{ feature }}_normalised,
        {% endfor -%}
        audio_profiles.artist_id,
        audio_profiles.track_count
    from audio_profiles
    cross join feature_bounds
),

final as (
    select
        artists.artist_id,
        artists.artist_name,
        artists.genres,
        artists.popularity,
        artists.followers,
        artists.record_source,
        normalised.artist_id is not null as has_audio_features,
        coalesce(normalised.track_count, 0) as track_count,
        {%- for feature in features %}
        normalised.{{ feature }},
        {%- endfor %}
        {%- for feature in features %}
        normalised.{{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from artists
    left join normalised
        on artists.artist_id = normalised.artist_id
)

select * from final
