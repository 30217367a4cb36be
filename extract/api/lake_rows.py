"""The API's answers as rows of the lake tables (extract/schemas.py), and a run's tables."""

from __future__ import annotations

import datetime as dt_module
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from extract.api.artist_results import ArtistResult
from extract.schemas import (
    ARTISTS,
    AUDIO_FEATURE_COLUMNS,
    AUDIO_FEATURES,
    SELECTION_LATEST_RELEASES,
    TOP_TRACKS,
)

# artists.source: what the app could see when the artist was extracted.
SOURCE_EXTENDED = "spotify"
SOURCE_DEVELOPMENT = "spotify:development_mode"


def track_row(
    artist_id: str,
    track: Mapping[str, Any],
    album: Mapping[str, Any],
    selection: str,
    extracted_at: dt_module.datetime,
) -> dict[str, Any]:
    """A ``top_tracks`` row; ``track_rank`` is set once the artist's tracks are chosen."""
    return {
        "artist_id": artist_id,
        "track_id": track["id"],
        "track_name": track.get("name"),
        "track_rank": 0,
        "selection": selection,
        "popularity": track.get("popularity"),
        "album_id": album.get("id"),
        "album_name": album.get("name"),
        "release_date": album.get("release_date"),
        "duration_ms": track.get("duration_ms"),
        "is_explicit": track.get("explicit"),
        "isrc": (track.get("external_ids") or {}).get("isrc"),
        "spotify_url": (track.get("external_urls") or {}).get("spotify"),
        "extracted_at": extracted_at,
    }


def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number ``track_rank`` 1..n in the order given."""
    for rank, row in enumerate(rows, start=1):
        row["track_rank"] = rank
    return rows


def feature_row(
    track_id: str,
    entry: Mapping[str, Any],
    duration_ms: Any,
    source: str,
    extracted_at: dt_module.datetime,
) -> dict[str, Any]:
    """An ``audio_features`` row from one service's answer for one track."""
    row: dict[str, Any] = {"track_id": track_id}
    for column in AUDIO_FEATURE_COLUMNS:
        row[column] = entry.get(column)
    row["time_signature"] = entry.get("time_signature")
    row["duration_ms"] = duration_ms
    row["source"] = source
    row["extracted_at"] = extracted_at
    return row


def artist_row(result: ArtistResult, extracted_at: dt_module.datetime) -> dict[str, Any]:
    """An ``artists`` row for a landed artist."""
    artist = result.artist or {}
    followers = artist.get("followers")
    return {
        "artist_id": artist["id"],
        "artist_name": artist.get("name") or result.request.value,
        "genres": artist.get("genres"),
        "popularity": artist.get("popularity"),
        "followers": followers.get("total") if isinstance(followers, dict) else None,
        "source": SOURCE_DEVELOPMENT
        if result.selection == SELECTION_LATEST_RELEASES
        else SOURCE_EXTENDED,
        "extracted_at": extracted_at,
    }


def build_tables(
    landed: Sequence[ArtistResult],
    feature_rows: Sequence[Mapping[str, Any]],
    extracted_at: dt_module.datetime,
) -> dict[str, pa.Table]:
    """The three lake tables of a run, keyed by lake table name."""
    artist_rows = [artist_row(result, extracted_at) for result in landed]
    track_rows = [row for result in landed for row in result.tracks]
    feature_rows = sorted(feature_rows, key=lambda row: row["track_id"])
    return {
        "artists": pa.Table.from_pylist(artist_rows, schema=ARTISTS),
        "top_tracks": pa.Table.from_pylist(track_rows, schema=TOP_TRACKS),
        "audio_features": pa.Table.from_pylist(feature_rows, schema=AUDIO_FEATURES),
    }
