-- One row per artist and track: track_rank 1..n per artist by popularity (highest first,
-- unknown last), then track_id. tracks: the first row of each track (first_row_per_track.sql).
-- Parameters: $selection (top_tracks.selection), $track_url (open.spotify.com's track page).
with pairs as (
    select distinct
        track_artists.artist_id,
        track_rows.track_id
    from track_artists
    inner join track_rows on track_artists.file_row = track_rows.file_row
)

select
    pairs.artist_id,
    tracks.track_id,
    tracks.track_name,
    row_number() over (
        partition by pairs.artist_id
        order by tracks.popularity desc nulls last, tracks.track_id asc
    ) as track_rank,
    $selection as selection,
    tracks.popularity,
    tracks.album_id,
    tracks.album_name,
    tracks.release_date,
    tracks.duration_ms,
    tracks.is_explicit,
    cast(null as varchar) as isrc,
    $track_url || tracks.track_id as spotify_url
from pairs
inner join tracks on pairs.track_id = tracks.track_id
order by pairs.artist_id, track_rank
