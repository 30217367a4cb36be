-- Every artist with audio features has exactly min(top_k, profiled artists - 1) related
-- artists in fct_related_artists (and an artist without audio features has none).
with artists as (
    select
        artist_id,
        has_audio_features
    from {{ ref('dim_artists') }}
),

related_artists as (
    select artist_id
    from {{ ref('fct_related_artists') }}
),

profiled_artist_count as (
    select count(*) as artist_count
    from artists
    where has_audio_features
),

rows_per_artist as (
    select
        artists.artist_id,
        artists.has_audio_features,
        count(related_artists.artist_id) as related_count
    from artists
    left join related_artists
        on artists.artist_id = related_artists.artist_id
    group by artists.artist_id, artists.has_audio_features
),

final as (
    select
        rows_per_artist.artist_id,
        rows_per_artist.related_count,
        case
            when rows_per_artist.has_audio_features
                then least({{ var('top_k') }}, profiled_artist_count.artist_count - 1)
            else 0
        end as expected_count
    from rows_per_artist
    cross join profiled_artist_count
)

select
    artist_id,
    related_count,
    expected_count
from final
where related_count <> expected_count
