"""The lake contract: one explicit pyarrow schema per lake table.

This module is the single source of truth for the parquet files under
``<lake>/<table>/dt=YYYY-MM-DD/``. The dbt sources
(``models/staging/spotify/_spotify__sources.yml``)
and the Athena DDL are checked against it by the test suite.
"""

from __future__ import annotations

import pyarrow as pa

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

ARTISTS = pa.schema(
    [
        pa.field("artist_id", pa.string(), nullable=False),
        pa.field("artist_name", pa.string(), nullable=False),
        # Spotify's artist genres from the API. Dataset imports fill it with the file's playlist
        # labels instead, marked "playlist_genre:<value>" / "playlist_subgenre:<value>"
        # (extract/dataset/tables.py), and leave it null when the file has none.
        pa.field("genres", pa.list_(pa.string())),
        pa.field("popularity", pa.int32()),
        pa.field("followers", pa.int64()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("extracted_at", UTC_TIMESTAMP, nullable=False),
    ]
)

TOP_TRACKS = pa.schema(
    [
        pa.field("artist_id", pa.string(), nullable=False),
        pa.field("track_id", pa.string(), nullable=False),
        pa.field("track_name", pa.string()),
        pa.field("track_rank", pa.int32(), nullable=False),
        pa.field("selection", pa.string(), nullable=False),
        pa.field("popularity", pa.int32()),
        pa.field("album_id", pa.string()),
        pa.field("album_name", pa.string()),
        pa.field("release_date", pa.string()),
        pa.field("duration_ms", pa.int64()),
        pa.field("is_explicit", pa.bool_()),
        pa.field("isrc", pa.string()),
        pa.field("spotify_url", pa.string()),
        pa.field("extracted_at", UTC_TIMESTAMP, nullable=False),
    ]
)

AUDIO_FEATURES = pa.schema(
    [
        pa.field("track_id", pa.string(), nullable=False),
        pa.field("danceability", pa.float64()),
        pa.field("energy", pa.float64()),
        pa.field("key", pa.int32()),
        pa.field("loudness", pa.float64()),
        pa.field("mode", pa.int32()),
        pa.field("speechiness", pa.float64()),
        pa.field("acousticness", pa.float64()),
        pa.field("instrumentalness", pa.float64()),
        pa.field("liveness", pa.float64()),
        pa.field("valence", pa.float64()),
        pa.field("tempo", pa.float64()),
        pa.field("time_signature", pa.int32()),
        pa.field("duration_ms", pa.int64()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("extracted_at", UTC_TIMESTAMP, nullable=False),
    ]
)

LAKE_TABLES: dict[str, pa.Schema] = {
    "artists": ARTISTS,
    "top_tracks": TOP_TRACKS,
    "audio_features": AUDIO_FEATURES,
}

# How each track in ``top_tracks`` was chosen (its ``selection``; the staging model's
# accepted_values in models/staging/spotify/_spotify__models.yml list the same three).
SELECTION_TOP_TRACKS = "top_tracks"  # the API's top tracks (an Extended Quota app)
SELECTION_LATEST_RELEASES = "latest_releases"  # the newest albums and singles (Development Mode)
SELECTION_DATASET = "dataset"  # a row of an imported file
TRACK_SELECTIONS = (SELECTION_TOP_TRACKS, SELECTION_LATEST_RELEASES, SELECTION_DATASET)

# The audio features every source provides (ReccoBeats has no time_signature).
AUDIO_FEATURE_COLUMNS = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
)
