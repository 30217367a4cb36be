with source as (
    select
        artist_id,
        artist_name,
        genres,
        popularity,
        followers,
        source,
        extracted_at,
        dt
    from {{ source('spotify', 'artists') }}
),

renamed as (
    select
        cast(artist_id as varchar) as artist_id,
        trim(cast(artist_name as varchar)) as artist_name,
        genres,
        {{ playlist_label('genres', 'playlist_genre') }} as playlist_genre,
        {{ playlist_label('genres', 'playlist_subgenre') }} as playlist_subgenre,
        case
            when popularity between 0 and 100 then cast(popularity as integer)
        end as popularity,
        case
            when followers >= 0 then cast(followers as bigint)
        end as followers,
        cast(source as varchar) as record_source,
        cast(extracted_at as timestamp) as extracted_at,
        cast(dt as date) as snapshot_date,
        dt as partition_dt
    from source
    where artist_id is not null
),

ranked as (
    select
        artist_id,
        artist_name,
        genres,
        playlist_genre,
        playlist_subgenre,
        popularity,
        followers,
        record_source,
        extracted_at,
        snapshot_date,
        row_number() over (
            partition by artist_id
            order by partition_dt desc, extracted_at desc, record_source asc
        ) as recency_rank
    from renamed
),

final as (
    select
        artist_id,
        artist_name,
        genres,
        playlist_genre,
        playlist_subgenre,
        popularity,
        followers,
        record_source,
        extracted_at,
        snapshot_date
    from ranked
    where recency_rank = 1
)

select * from final
