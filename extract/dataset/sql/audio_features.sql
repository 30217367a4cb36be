-- One row per track (its first row in the file), in file order; the columns of the
-- audio_features lake table (extract/schemas.py) but extracted_at, which Python adds.
-- Parameter: $source (audio_features.source).
select
    track_id,
    danceability,
    energy,
    key,
    loudness,
    mode,
    speechiness,
    acousticness,
    instrumentalness,
    liveness,
    valence,
    tempo,
    time_signature,
    duration_ms,
    $source as source
from tracks
order by file_row
