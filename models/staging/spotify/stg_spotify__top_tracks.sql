with source as (
    select
        artist_id,
        track_id,
        track_name,
        track_rank,
        selection,
        popularity,
        album_id,
        album_name,
        release_date,
        duration_ms,
        is_explicit,
        isrc,
        spotify_url,
        extracted_at,
        dt
    from {{ source('spotify', 'top_tracks') }}
),

renamed as (
    select
        cast(artist_id as varchar) as artist_id,
        cast(track_id as varchar) as track_id,
        cast(track_name as varchar) as track_name,
        cast(track_rank as integer) as track_rank,
        cast(selection as varchar) as track_selection,
        case
            when popularity between 0 and 100 then cast(popularity as integer)
        end as popularity,
        cast(album_id as varchar) as album_id,
        cast(album_name as varchar) as album_name,
        cast(release_date as varchar) as release_date,
        case
            when duration_ms > 0 then cast(duration_ms as bigint)
        end as duration_ms,
        is_explicit,
        cast(isrc as varchar) as isrc,
        cast(spotify_url as varchar) as spotify_url,
        cast(extracted_at as timestamp) as extracted_at,
        cast(dt as date) as snapshot_date,
        dt as partition_dt
    from source
    where
        artist_id is not null
        and track_id is not null
),

-- An artist's tracks come from its latest extraction only: a newer run replaces the list.
-- Within it, a track listed twice for the artist keeps its best rank.
ranked as (
    select
        artist_id,
        track_id,
        track_name,
        track_rank,
        track_selection,
        popularity,
        album_id,
        album_name,
        release_date,
        duration_ms,
        is_explicit,
        isrc,
        spotify_url,
        extracted_at,
        snapshot_date,
        dense_rank() over (
            partition by artist_id
            order by partition_dt desc, extracted_at desc
        ) as extraction_recency,
        row_number() over (
            partition by artist_id, track_id
            order by partition_dt desc, extracted_at desc, track_rank asc, track_selection asc
        ) as duplicate_rank
    from renamed
),

final as (
    select
        artist_id,
        track_id,
        track_name,
        track_rank,
        track_selection,
        popularity,
        album_id,
        album_name,
        release_date,
        duration_ms,
        is_explicit,
        isrc,
        spotify_url,
        extracted_at,
        snapshot_date
    from ranked
    where
        extraction_recency = 1
        and duplicate_rank = 1
)

select * from final
