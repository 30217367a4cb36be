"""The on-demand files: what the on-demand path reads, as parquet next to the serving file.

    target/serving/on_demand/dim_similarity_features.parquet   the normalisation parameters
    target/serving/on_demand/dim_artists.parquet               the recommendable artists'
                                                               normalised vectors
    target/serving/on_demand/fct_artist_tracks.parquet         their first tracks

The serving file answers the artists the warehouse has; an artist it does not have is
placed among the warehouse's artists (``lookup/on_demand.py``), which needs the warehouse's
parameters, its artists' vectors and their tracks. A reader without the database (the
serverless handler, a skill server started without ``--db``) loads these three files into
an in-memory DuckDB under the marts' own names, so the on-demand path reads them with the
same SQL, to the same bits, as it reads the warehouse.

``spotify-related export`` writes them from the DuckDB warehouse, each atomically, before
the serving file. The folder is ``ON_DEMAND_FILES_URI`` (a path or ``s3://bucket/prefix``),
else ``on_demand`` next to the serving file. Each table may also be a folder of parquet
files (``<folder>/<table>/``: an Athena table's location, or an UNLOAD's): the loader
keeps the columns and rows it needs, so a mart's full files work too (docs/on-demand.md).
"""

from __future__ import annotations

import os
import posixpath

import duckdb
import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lookup.on_demand_profile import PARAMETERS_MART
from lookup.reloading import Reloading
from lookup.serving_file import (
    ServingFileError,
    default_serving_file,
    file_version,
    write_serving_file,
)

ON_DEMAND_FILES_ENV = "ON_DEMAND_FILES_URI"
ARTISTS_MART = "dim_artists"
TRACKS_MART = "fct_artist_tracks"
TABLES = (PARAMETERS_MART, ARTISTS_MART, TRACKS_MART)
ARTIST_COLUMNS = ("artist_id", "artist_name", "is_recommendable")
TRACK_COLUMNS = (
    "artist_id",
    "track_id",
    "track_rank",
    "track_name",
    "album_name",
    "release_date",
    "spotify_url",
)


def default_on_demand_files(serving_file: str | None = None) -> str:
    """``ON_DEMAND_FILES_URI``, else the folder ``on_demand`` next to the serving file."""
    configured = os.environ.get(ON_DEMAND_FILES_ENV)
    if configured:
        return configured
    serving_file = serving_file or default_serving_file()
    return posixpath.join(posixpath.dirname(serving_file) or ".", "on_demand")


def table_uri(folder: str, table: str) -> str:
    return posixpath.join(folder.rstrip("/"), f"{table}.parquet")


def warehouse_on_demand_tables(
    connection: duckdb.DuckDBPyConnection, tracks_per_artist: int
) -> dict[str, pa.Table]:
    """The three tables from a DuckDB warehouse: every parameter, the recommendable
    artists' vectors, and their first ``tracks_per_artist`` tracks."""
    parameters = connection.sql(
        f"select * from {PARAMETERS_MART} order by feature_position"
    ).to_arrow_table()
    vector = [f"{name}_normalised" for name in parameters["feature_name"].to_pylist()]
    artists = connection.sql(
        f"select {', '.join((*ARTIST_COLUMNS, *vector))} from {ARTISTS_MART} "
        "where is_recommendable order by artist_id"
    ).to_arrow_table()
    tracks = connection.sql(
        f"""
        select {", ".join(f"tracks.{column}" for column in TRACK_COLUMNS)}
        from {TRACKS_MART} as tracks
        inner join {ARTISTS_MART} as artists on tracks.artist_id = artists.artist_id
        where artists.is_recommendable and tracks.track_rank <= $tracks_per_artist
        order by tracks.artist_id, tracks.track_rank, tracks.track_id
        """,
        params={"tracks_per_artist": tracks_per_artist},
    ).to_arrow_table()
    return {PARAMETERS_MART: parameters, ARTISTS_MART: artists, TRACKS_MART: tracks}


def write_on_demand_files(tables: dict[str, pa.Table], folder: str) -> None:
    """Each table to ``<folder>/<table>.parquet``, atomically (as the serving file)."""
    for table in TABLES:
        write_serving_file(tables[table], table_uri(folder, table))


def read_table(folder: str, table: str) -> pa.Table:
    """``<folder>/<table>.parquet``, else the parquet files of ``<folder>/<table>/``."""
    filesystem, path = fsspec.core.url_to_fs(table_uri(folder, table))
    if filesystem.isfile(path):
        with filesystem.open(path, "rb") as stream:
            return pq.read_table(stream)
    filesystem, path = fsspec.core.url_to_fs(posixpath.join(folder.rstrip("/"), table))
    if filesystem.isdir(path):
        return pq.read_table(path, filesystem=filesystem)
    raise ServingFileError(
        f"no {table} in {folder}: build the warehouse and run spotify-related export"
    )


def files_version(folder: str) -> str:
    """What changes when any of the files does (their ETags, or mtimes and sizes); a table
    given as a folder of files is not watched."""
    versions = []
    for table in TABLES:
        try:
            versions.append(file_version(table_uri(folder, table)))
        except ServingFileError:
            versions.append("-")
    return "|".join(versions)


def load_on_demand_files(folder: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the three tables under the marts' names, with the
    columns and rows the on-demand path reads."""
    parameters = read_table(folder, PARAMETERS_MART)
    if "feature_name" not in parameters.column_names:
        raise ServingFileError(f"{table_uri(folder, PARAMETERS_MART)} has no feature_name")
    vector = [f"{name}_normalised" for name in parameters["feature_name"].to_pylist()]
    artists = selected(read_table(folder, ARTISTS_MART), (*ARTIST_COLUMNS, *vector), folder)
    artists = artists.filter(pc.field("is_recommendable"))
    tracks = selected(read_table(folder, TRACKS_MART), TRACK_COLUMNS, folder)
    connection = duckdb.connect()
    for name, table in ((PARAMETERS_MART, parameters), (ARTISTS_MART, artists)):
        connection.register("loaded", table)
        connection.execute(f"create table {name} as select * from loaded")
        connection.unregister("loaded")
    connection.register("loaded", tracks)
    connection.execute(
        f"create table {TRACKS_MART} as select loaded.* from loaded "
        f"semi join {ARTISTS_MART} using (artist_id)"
    )
    connection.unregister("loaded")
    return connection


def selected(table: pa.Table, columns: tuple[str, ...], folder: str) -> pa.Table:
    missing = [column for column in columns if column not in table.column_names]
    if missing:
        raise ServingFileError(f"the on-demand files in {folder} have no {', '.join(missing)}")
    return table.select(list(columns))


def on_demand_files_source(
    folder: str, check_seconds: float
) -> Reloading[duckdb.DuckDBPyConnection]:
    """The files of ``folder`` loaded (``load_on_demand_files``), again when they change."""
    return Reloading(
        f"on-demand files {folder}",
        lambda: load_on_demand_files(folder),
        lambda: files_version(folder),
        check_seconds,
    )
