"""The DuckDB warehouse the command line asks: opened read-only, checked, and asked.

The answers come from the mart fct_artist_recommendations, through the same
``ServingIndex`` the skill server uses on the serving file (``lookup/serving_index.py``);
which artist a typed name means is ``lookup/matching.py``; ``lookup/cli.py`` prints them.
"""

from __future__ import annotations

import os

import duckdb

from lookup.answer import Answer, ArtistLookupError
from lookup.serving_file import MART
from lookup.serving_index import ServingIndex

DEFAULT_DATABASE_PATH = "target/spotify.duckdb"


def default_database_path() -> str:
    """The warehouse file from ``DUCKDB_PATH``, else ``target/spotify.duckdb``."""
    return os.environ.get("DUCKDB_PATH") or DEFAULT_DATABASE_PATH


def connect(database_path: str) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; a missing file or an unbuilt mart is an ArtistLookupError."""
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
    missing = {MART} - tables
    if missing:
        connection.close()
        raise ArtistLookupError(
            f"{database_path} has no {', '.join(sorted(missing))}: run dbt build --target duckdb"
        )
    return connection


def related_artists(
    connection: duckdb.DuckDBPyConnection, name_or_id: str, tracks_per_artist: int = 3
) -> Answer:
    """The answer for one name (reads the whole mart: for many names, build one
    ``ServingIndex.from_warehouse`` and ask it)."""
    return ServingIndex.from_warehouse(connection).answer(name_or_id, tracks_per_artist)
