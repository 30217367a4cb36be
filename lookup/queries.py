"""The lookup's queries: an artist's related artists and their tracks, from the marts.

Reads dim_artists, fct_related_artists and fct_artist_tracks of a DuckDB warehouse, read-only;
``lookup/cli.py`` prints the answers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import duckdb

DEFAULT_DATABASE_PATH = "target/spotify.duckdb"
MAX_SQL_LIMIT = 2**63 - 1  # the largest BIGINT


class ArtistLookupError(Exception):
    """A lookup that cannot be answered for a reason the user can fix."""


@dataclass(frozen=True)
class Track:
    track_name: str
    album_name: str | None
    release_date: str | None
    spotify_url: str | None


@dataclass(frozen=True)
class RelatedArtist:
    similarity_rank: int
    artist_id: str
    artist_name: str
    distance: float
    similarity_score: float
    tracks: list[Track] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    artist_id: str
    artist_name: str
    track_count: int
    related: list[RelatedArtist]


def default_database_path() -> str:
    """The warehouse file from ``DUCKDB_PATH``, else ``target/spotify.duckdb``."""
    return os.environ.get("DUCKDB_PATH") or DEFAULT_DATABASE_PATH


def connect(database_path: str) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; a missing file or unbuilt marts is an ArtistLookupError."""
    if not os.path.isfile(database_path):
        raise ArtistLookupError(
            f"no warehouse at {database_path}: build it first (make demo, or "
            "dbt build --target duckdb)"
        )
    connection = duckdb.connect(database_path, read_only=True)
    tables = {
        row[0]
        for row in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    }
    missing = {"dim_artists", "fct_related_artists", "fct_artist_tracks"} - tables
    if missing:
        connection.close()
        raise ArtistLookupError(
            f"{database_path} has no {', '.join(sorted(missing))}: run dbt build --target duckdb"
        )
    return connection


def find_artists(connection: duckdb.DuckDBPyConnection, name_or_id: str) -> list[tuple]:
    """Artists whose id equals, or whose name equals (case-insensitively), ``name_or_id``."""
    return connection.execute(
        """
        select artist_id, artist_name, has_audio_features, has_similarity_vector, track_count
        from dim_artists
        where artist_id = $query or lower(artist_name) = lower(trim($query))
        order by artist_id
        """,
        {"query": name_or_id},
    ).fetchall()


def suggest_names(connection: duckdb.DuckDBPyConnection, name: str, limit: int = 3) -> list[str]:
    """The artist names closest to ``name`` (Jaro-Winkler), for a "did you mean" hint."""
    rows = connection.execute(
        """
        select artist_name
        from dim_artists
        order by jaro_winkler_similarity(lower(artist_name), lower($name)) desc, artist_name
        limit $limit
        """,
        {"name": name, "limit": limit},
    ).fetchall()
    return [row[0] for row in rows]


def related_artists(
    connection: duckdb.DuckDBPyConnection, name_or_id: str, tracks_per_artist: int = 3
) -> list[Answer]:
    """The answer for every artist matching ``name_or_id`` (usually one).

    ``tracks_per_artist`` tracks (0 or more) are listed for each related artist.
    """
    if tracks_per_artist < 0:
        raise ValueError(f"tracks_per_artist must be 0 or more, got {tracks_per_artist}")
    matches = find_artists(connection, name_or_id)
    if not matches:
        hint = ", ".join(suggest_names(connection, name_or_id))
        raise ArtistLookupError(
            f"no artist named {name_or_id!r} in the warehouse (closest: {hint})"
        )
    answers = []
    for artist_id, artist_name, has_audio_features, has_vector, track_count in matches:
        if not has_audio_features:
            raise ArtistLookupError(
                f"{artist_name} has no tracks with audio features, so no related artists"
            )
        if not has_vector:
            raise ArtistLookupError(
                f"{artist_name}'s standardised sound profile is all zeros, which has no "
                "direction under the cosine distance, so no related artists"
            )
        rows = connection.execute(
            """
            select
                related.similarity_rank,
                related.related_artist_id,
                artists.artist_name,
                related.distance,
                related.similarity_score
            from fct_related_artists as related
            inner join dim_artists as artists
                on related.related_artist_id = artists.artist_id
            where related.artist_id = $artist_id
            order by related.similarity_rank
            """,
            {"artist_id": artist_id},
        ).fetchall()
        related = [
            RelatedArtist(
                similarity_rank=rank,
                artist_id=related_id,
                artist_name=related_name,
                distance=distance,
                similarity_score=score,
                tracks=artist_tracks(connection, related_id, tracks_per_artist),
            )
            for rank, related_id, related_name, distance, score in rows
        ]
        answers.append(Answer(artist_id, artist_name, track_count, related))
    return answers


def artist_tracks(connection: duckdb.DuckDBPyConnection, artist_id: str, limit: int) -> list[Track]:
    """The artist's first ``limit`` tracks in its own order; none for 0, all for a large limit.

    A negative ``limit`` is a ValueError (the command line rejects it before it gets here).
    """
    if limit < 0:
        raise ValueError(f"limit must be 0 or more, got {limit}")
    if limit == 0:
        return []
    # DuckDB's LIMIT is a BIGINT: a larger number means "all of them" just the same.
    limit = min(limit, MAX_SQL_LIMIT)
    rows = connection.execute(
        """
        select track_name, album_name, release_date, spotify_url
        from fct_artist_tracks
        where artist_id = $artist_id
        order by track_rank, track_id
        limit $limit
        """,
        {"artist_id": artist_id, "limit": limit},
    ).fetchall()
    return [Track(*row) for row in rows]
