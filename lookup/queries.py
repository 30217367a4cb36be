"""The lookup's queries: an artist's related artists and their tracks, from the marts.

Reads dim_artists, fct_related_artists, fct_artist_tracks and the artist_aliases seed of a
DuckDB warehouse, read-only; which artist a typed name means is ``lookup/matching.py``;
``lookup/cli.py`` prints the answers.
"""

from __future__ import annotations

import os

import duckdb

from lookup.answer import Answer, ArtistLookupError, RelatedArtist, Track
from lookup.matching import NameIndex
from lookup.names import QueryRejected, checked_query

DEFAULT_DATABASE_PATH = "target/spotify.duckdb"
MAX_SQL_LIMIT = 2**63 - 1  # the largest BIGINT


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


def suggest_names(connection: duckdb.DuckDBPyConnection, name: str, limit: int = 3) -> list[str]:
    """The artist names closest to ``name`` (Jaro-Winkler, ignoring case and accents), for a
    "did you mean" hint."""
    rows = connection.execute(
        """
        select artist_name
        from dim_artists
        order by
            jaro_winkler_similarity(
                lower(strip_accents(artist_name)), lower(strip_accents($name))
            ) desc,
            artist_name
        limit $limit
        """,
        {"name": name, "limit": limit},
    ).fetchall()
    return [row[0] for row in rows]


def related_artists(
    connection: duckdb.DuckDBPyConnection,
    name_or_id: str,
    tracks_per_artist: int = 3,
    names: NameIndex | None = None,
) -> Answer:
    """The answer for the artist ``name_or_id`` means (``lookup.matching``), with
    ``tracks_per_artist`` tracks (0 or more) for each related artist. ``names`` is the
    warehouse's NameIndex, read here when not given (read it once for many questions)."""
    if tracks_per_artist < 0:
        raise ValueError(f"tracks_per_artist must be 0 or more, got {tracks_per_artist}")
    try:
        query = checked_query(name_or_id)
    except QueryRejected as error:
        raise ArtistLookupError(str(error)) from error
    match = (names or NameIndex.read(connection)).match(query)
    if match is None:
        suggestions = suggest_names(connection, query)
        hint = ", ".join(suggestions)
        raise ArtistLookupError(
            f"no artist named {query!r} in the warehouse (closest: {hint})", suggestions
        )
    [(has_audio_features, has_vector)] = connection.execute(
        "select has_audio_features, has_similarity_vector from dim_artists "
        "where artist_id = $artist_id",
        {"artist_id": match.chosen.artist_id},
    ).fetchall()
    artist_name = match.chosen.artist_name
    if not has_audio_features:
        raise ArtistLookupError(
            f"{artist_name} has no tracks with audio features, so no related artists"
        )
    if not has_vector:
        raise ArtistLookupError(
            f"{artist_name}'s standardised sound profile is all zeros, which has no "
            "direction under the cosine distance, so no related artists"
        )
    return Answer(
        match.chosen.artist_id,
        artist_name,
        match.chosen.track_count,
        nearest_artists(connection, match.chosen.artist_id, tracks_per_artist),
        match.found_by,
        match.alias,
        match.others,
    )


def nearest_artists(
    connection: duckdb.DuckDBPyConnection, artist_id: str, tracks_per_artist: int
) -> list[RelatedArtist]:
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
    return [
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
