{%- set features = similarity_features() -%}

with artists as (
    select
        artist_id,
        {%- for feature in features %}
        {{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('dim_artists') }}
    where has_audio_features
),

{{ nearest_artists('artists', features, var('top_k')) }},

final as (
    select
        artist_id,
        related_artist_id,
        distance,
        cast(similarity_rank as integer) as similarity_rank,
        1.0 - distance / {{ max_similarity_distance() }} as similarity_score
    from nearest_artists
)

select * from final
