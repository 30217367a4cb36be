{%- set features = similarity_features() -%}

with artists as (
    select
        artist_id,
        is_recommendable,
        {%- for feature in features %}
        {{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('dim_artists') }}
    where has_similarity_vector
),

{{ nearest_artists('artists', features, var('top_k'), 'is_recommendable') }},

final as (
    select
        artist_id,
        related_artist_id,
        distance,
        cast(similarity_rank as integer) as similarity_rank,
        {{ similarity_score('distance') }} as similarity_score
    from nearest_artists
)

select * from final
