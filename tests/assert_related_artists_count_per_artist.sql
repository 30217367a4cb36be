-- Every artist with a similarity vector has exactly min(top_k, recommendable artists other
-- than itself) related artists in fct_related_artists; any other artist has none.
with artists as (
    select
        artist_id,
        has_similarity_vector,
        is_recommendable
    from {{ ref('dim_artists') }}
),

related_artists as (
    select artist_id
    from {{ ref('fct_related_artists') }}
),

recommendable_artist_count as (
    select count(*) as artist_count
    from artists
    where is_recommendable
),

rows_per_artist as (
    select
        artists.artist_id,
        artists.has_similarity_vector,
        artists.is_recommendable,
        count(related_artists.artist_id) as related_count
    from artists
    left join related_artists
        on artists.artist_id = related_artists.artist_id
    group by artists.artist_id, artists.has_similarity_vector, artists.is_recommendable
),

final as (
    select
        rows_per_artist.artist_id,
        rows_per_artist.related_count,
        case
            when rows_per_artist.has_similarity_vector
                then least(
                    {{ var('top_k') }},
                    recommendable_artist_count.artist_count
                    - case when rows_per_artist.is_recommendable then 1 else 0 end
                )
            else 0
        end as expected_count
    from rows_per_artist
    cross join recommendable_artist_count
)

select
    artist_id,
    related_count,
    expected_count
from final
where related_count <> expected_count
