-- The search finds the true nearest artists: for a fixed sample of artists (the 300 first
-- by md5 of artist_id, whatever the size of the warehouse), the top_k computed by brute
-- force, every sampled artist against every recommendable artist, straight from
-- dim_artists, must be fct_related_artists' rows: same related artists in the same ranks,
-- distances within 1e-9. A walk of the grid that missed a neighbour fails here, at the cost
-- of 300 * n distances instead of n^2.
{%- set features = similarity_features() %}
{%- set top_k = var('top_k') %}

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

related_artists as (
    select
        artist_id,
        related_artist_id,
        distance,
        similarity_rank
    from {{ ref('fct_related_artists') }}
),

sample_ranks as (
    select
        artists.artist_id,
        row_number() over (order by {{ md5_hex('artists.artist_id') }}, artists.artist_id) as sample_rank
    from artists
),

sampled_artists as (
    select artists.*
    from artists
    inner join sample_ranks
        on artists.artist_id = sample_ranks.artist_id
    where sample_ranks.sample_rank <= 300
),

all_pairs as (
    select
        sampled_artists.artist_id,
        candidates.artist_id as related_artist_id,
        {{ euclidean_distance('sampled_artists', 'candidates', features) }} as distance
    from sampled_artists
    inner join artists as candidates
        on
            candidates.is_recommendable
            and sampled_artists.artist_id <> candidates.artist_id
),

ranked_pairs as (
    select
        artist_id,
        related_artist_id,
        distance,
        row_number() over (
            partition by artist_id
            order by distance asc, related_artist_id asc
        ) as similarity_rank
    from all_pairs
),

brute_force as (
    select
        artist_id,
        related_artist_id,
        distance,
        similarity_rank
    from ranked_pairs
    where similarity_rank <= {{ top_k }}
),

sampled_related_artists as (
    select related_artists.*
    from related_artists
    inner join sampled_artists
        on related_artists.artist_id = sampled_artists.artist_id
),

final as (
    select
        coalesce(brute_force.artist_id, sampled_related_artists.artist_id) as artist_id,
        coalesce(brute_force.similarity_rank, sampled_related_artists.similarity_rank) as similarity_rank,
        brute_force.related_artist_id as expected_related_artist_id,
        sampled_related_artists.related_artist_id,
        brute_force.distance as expected_distance,
        sampled_related_artists.distance
    from brute_force
    full outer join sampled_related_artists
        on
            brute_force.artist_id = sampled_related_artists.artist_id
            and brute_force.similarity_rank = sampled_related_artists.similarity_rank
)

select
    artist_id,
    similarity_rank,
    expected_related_artist_id,
    related_artist_id,
    expected_distance,
    distance
from final
where
    expected_related_artist_id is null
    or related_artist_id is null
    or expected_related_artist_id <> related_artist_id
    or abs(expected_distance - distance) > 1e-9
