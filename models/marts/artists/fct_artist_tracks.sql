with top_tracks as (
    select
        artist_id,
        track_id,
        track_name,
        track_rank,
        track_selection,
        popularity,
        album_name,
        release_date,
        duration_ms,
        spotify_url
    from {{ ref('stg_spotify__top_tracks') }}
),

audio_features as (
    select
        track_id,
        has_valid_features
    from {{ ref('stg_spotify__audio_features') }}
),

final as (
    select
        top_tracks.artist_id,
        top_tracks.track_id,
        top_tracks.track_name,
        top_tracks.track_rank,
        top_tracks.track_selection,
        top_tracks.popularity,
        top_tracks.album_name,
        top_tracks.release_date,
        top_tracks.duration_ms,
        top_tracks.spotify_url,
        coalesce(audio_features.has_valid_features, false) as has_audio_features
    from top_tracks
    left join audio_features
        on top_tracks.track_id = audio_features.track_id
)

select * from final
