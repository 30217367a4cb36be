{%- set features = audio_feature_names() -%}

with top_tracks as (
    select
        artist_id,
        track_id
    from {{ ref('stg_spotify__top_tracks') }}
),

audio_features as (
    select
        track_id,
        {%- for feature in features %}
        {{ feature }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('stg_spotify__audio_features') }}
    where has_valid_features
),

track_features as (
    select
        top_tracks.artist_id,
        top_tracks.track_id,
        {%- for feature in features %}
        audio_features.{{ feature }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from top_tracks
    inner join audio_features
        on top_tracks.track_id = audio_features.track_id
),

final as (
    -- Exact decimal sums: the same tracks give bit-for-bit the same averages in any build.
    select
        artist_id,
        count(*) as track_count,
        {%- for feature in features %}
        {{ exact_average(feature) }} as {{ feature }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from track_features
    group by artist_id
)

select * from final
