with candidate_pairs as (
    select
        artist_number,
        related_artist_number,
        distance
    from {{ ref('int_candidate_pairs_measured') }}
),

artist_vectors as (
    select
        artist_number,
        artist_id
    from {{ ref('int_artist_vectors_gridded') }}
),

nearest_pairs as (
    -- Each artist's top_k candidates by (distance, related artist): the rank cut.
    {{ top_k_by_distance("candidate_pairs", var('top_k')) }}
),

final as (
    select
        artist.artist_id,
        related_artist.artist_id as related_artist_id,
        nearest_pairs.distance,
        cast(nearest_pairs.similarity_rank as integer) as similarity_rank,
        {{ similarity_score('nearest_pairs.distance') }} as similarity_score
    from nearest_pairs
    inner join artist_vectors as artist
        on nearest_pairs.artist_number = artist.artist_number
    inner join artist_vectors as related_artist
        on nearest_pairs.related_artist_number = related_artist.artist_number
)

select * from final
