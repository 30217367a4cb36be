"""Write small hand-made lakes (artists whose sound profile is given directly) for tests.

Each synthetic artist gets one track whose audio features are the artist's profile, so the
artist's average equals the given vector. Features not given get a mid-range value.
"""

from __future__ import annotations

import datetime as dt_module
from collections.abc import Mapping, Sequence

import pyarrow as pa

from extract.lake_writer import Lake
from extract.schemas import ARTISTS, AUDIO_FEATURES, SELECTION_DATASET, TOP_TRACKS

DEFAULT_VALUES = {
    "danceability": 0.5,
    "energy": 0.5,
    "key": 5,
    "loudness": -8.0,
    "mode": 1,
    "speechiness": 0.1,
    "acousticness": 0.2,
    "instrumentalness": 0.0,
    "liveness": 0.15,
    "valence": 0.5,
    "tempo": 120.0,
}
EXTRACTED_AT = dt_module.datetime(2026, 11, 24, 6, 0, tzinfo=dt_module.UTC)


def write_synthetic_lake(
    lake_uri: str,
    profiles: Mapping[str, Mapping[str, float]],
    dt: str = "2026-11-24",
    extra_tracks: Sequence[tuple[str, str, Mapping[str, float]]] = (),
    extracted_at: dt_module.datetime = EXTRACTED_AT,
) -> None:
    """One artist per ``profiles`` entry (artist_id -> feature values).

    ``extra_tracks`` adds (artist_id, track_id, features) rows, e.g. invalid features;
    ``extracted_at`` is every row's extraction time.
    """
    artists, tracks, features = [], [], []
    for artist_id, profile in profiles.items():
        artists.append(
            {
                "artist_id": artist_id,
                "artist_name": f"Artist {artist_id}",
                "source": "test",
                "extracted_at": extracted_at,
            }
        )
        track_id = f"track-{artist_id}"
        tracks.append(_track(artist_id, track_id, 1, extracted_at))
        features.append(_features(track_id, profile, extracted_at))
    for rank, (artist_id, track_id, profile) in enumerate(extra_tracks, start=2):
        tracks.append(_track(artist_id, track_id, rank, extracted_at))
        features.append(_features(track_id, profile, extracted_at))
    lake = Lake.open(lake_uri)
    lake.write_table("artists", dt, pa.Table.from_pylist(artists, ARTISTS), "test.parquet")
    lake.write_table("top_tracks", dt, pa.Table.from_pylist(tracks, TOP_TRACKS), "test.parquet")
    lake.write_table(
        "audio_features", dt, pa.Table.from_pylist(features, AUDIO_FEATURES), "test.parquet"
    )


def _track(artist_id: str, track_id: str, rank: int, extracted_at: dt_module.datetime) -> dict:
    return {
        "artist_id": artist_id,
        "track_id": track_id,
        "track_name": f"Song {track_id}",
        "track_rank": rank,
        "selection": SELECTION_DATASET,
        "duration_ms": 200_000,
        "spotify_url": f"https://open.spotify.com/track/{track_id}",
        "extracted_at": extracted_at,
    }


def _features(
    track_id: str, profile: Mapping[str, float], extracted_at: dt_module.datetime
) -> dict:
    return {
        "track_id": track_id,
        **DEFAULT_VALUES,
        **profile,
        "duration_ms": 200_000,
        "source": "test",
        "extracted_at": extracted_at,
    }
