-- Under the cosine distance every similarity vector is a unit vector mapped into the cube
-- by (v + 1) / 2: the length of 2 * normalised - 1 is 1 (within floating-point noise).
-- Under Euclidean there is nothing to check.
{%- set features = similarity_features() %}
with artists as (
    select
        artist_id,
        {%- for feature in features %}
        {{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('dim_artists') }}
    where has_similarity_vector
),

final as (
    select
        artist_id,
        sqrt(
            {%- for feature in features %}
            (2.0 * {{ feature }}_normalised - 1.0) * (2.0 * {{ feature }}_normalised - 1.0)
            {%- if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as vector_length
    from artists
)

select
    artist_id,
    vector_length
from final
where
    {{ "true" if similarity_distance() == "cosine" else "false" }}
    and abs(vector_length - 1.0) > 1e-9
