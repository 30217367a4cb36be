-- The rank cut keeps the nearest artists: an artist's ranks follow its distances
-- (a better rank never has a larger distance), so no farther artist outranks a nearer one.
with related_artists as (
    select
        artist_id,
        related_artist_id,
        distance,
        similarity_rank
    from {{ ref('fct_related_artists') }}
),

final as (
    select
        better.artist_id,
        better.similarity_rank as better_rank,
        better.distance as better_distance,
        worse.similarity_rank as worse_rank,
        worse.distance as worse_distance
    from related_artists as better
    inner join related_artists as worse
        on
            better.artist_id = worse.artist_id
            and better.similarity_rank < worse.similarity_rank
)

select
    artist_id,
    better_rank,
    better_distance,
    worse_rank,
    worse_distance
from final
where better_distance > worse_distance
