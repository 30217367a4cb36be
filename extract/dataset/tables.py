"""The three lake tables of an import, built in DuckDB by the statements in ``sql/``.

Each statement is a ``.sql`` file (shipped as package data), so sqlfluff lints it like the dbt
models (``make sqllint``, configured by ``extract/dataset/.sqlfluff``). Values are passed as
DuckDB named parameters (``$source``), never spliced into the text.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import duckdb
import pyarrow as pa

from extract.schemas import SELECTION_DATASET

SPOTIFY_TRACK_URL = "https://open.spotify.com/track/"
# What marks an artists.genres entry as one of the file's playlist labels.
PLAYLIST_GENRE_PREFIX = "playlist_genre:"
PLAYLIST_SUBGENRE_PREFIX = "playlist_subgenre:"


@cache
def statement(name: str) -> str:
    """The text of ``sql/<name>.sql``."""
    return resources.files(__package__).joinpath("sql", f"{name}.sql").read_text("utf-8")


def build_tables(
    track_rows: pa.Table, track_artists: pa.Table, dataset_source: str, artist_source: str
) -> dict[str, pa.Table]:
    """The three lake tables (without ``extracted_at``), keyed by lake table name.

    ``track_rows``: the parsed file, one row per file row with a track_id (parsing.py);
    ``track_artists``: who each file row belongs to (artist_identity.explode_artists).
    """
    with duckdb.connect(":memory:") as connection:
        connection.register("track_rows", track_rows)
        connection.register("track_artists", track_artists)
        connection.execute(statement("first_row_per_track"))

        def query(name: str, **parameters: str) -> pa.Table:
            return connection.sql(statement(name), params=parameters).to_arrow_table()

        return {
            "artists": query(
                "artists",
                source=artist_source,
                genre_prefix=PLAYLIST_GENRE_PREFIX,
                subgenre_prefix=PLAYLIST_SUBGENRE_PREFIX,
            ),
            "top_tracks": query(
                "top_tracks", selection=SELECTION_DATASET, track_url=SPOTIFY_TRACK_URL
            ),
            "audio_features": query("audio_features", source=dataset_source),
        }
