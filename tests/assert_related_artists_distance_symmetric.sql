-- Distance is symmetric: where a pair is related in both directions, both rows carry the
-- same distance (within floating-point noise).
with related_artists as (
    select
        artist_id,
        related_artist_id,
        distance
    from {{ ref('fct_related_artists') }}
),

final as (
    select
        forward_pairs.artist_id,
        forward_pairs.related_artist_id,
        forward_pairs.distance,
        backward_pairs.distance as reverse_distance
    from related_artists as forward_pairs
    inner join related_artists as backward_pairs
        on
            forward_pairs.artist_id = backward_pairs.related_artist_id
            and forward_pairs.related_artist_id = backward_pairs.artist_id
)

select
    artist_id,
    related_artist_id,
    distance,
    reverse_distance
from final
where abs(distance - reverse_distance) > 1e-12
