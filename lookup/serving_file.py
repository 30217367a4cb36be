"""The serving file: the mart ``fct_artist_recommendations`` as one parquet file, with folded
names, for answering without a database (the skill server, the serverless handler).

    spotify-related export [--db target/spotify.duckdb | --from-parquet URI] [--to URI]

A row per artist: the mart's columns (its yml documents them) plus ``folded_name`` and
``folded_aliases``, the artist's name and aliases folded by ``lookup.names.fold`` (neither
engine can fold in SQL, so the folding is stored with the data, done once, here). The file
is a local path or ``s3://bucket/key`` (fsspec, so ``AWS_ENDPOINT_URL`` and the AWS
credential chain apply) and is written atomically: readers see the old file or the new
one, never half of one. docs/chat-skill.md describes producing it after an Athena build.
"""

from __future__ import annotations

import os
import uuid

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from lookup.names import fold

SERVING_FILE_ENV = "SERVING_FILE_URI"
DEFAULT_SERVING_FILE = "target/serving/artist_recommendations.parquet"
MART = "fct_artist_recommendations"
# What matching reads (a light read of the mart), and with the related artists, what an
# answer reads; the export keeps these, in this order.
NAME_COLUMNS = (
    "artist_id",
    "artist_name",
    "track_count",
    "has_audio_features",
    "has_similarity_vector",
    "is_recommendable",
    "aliases",
)
MART_COLUMNS = (*NAME_COLUMNS, "related_artists")


class ServingFileError(Exception):
    """A serving file that cannot be read or written, for a reason the user can fix."""


def default_serving_file() -> str:
    """``SERVING_FILE_URI``, else ``target/serving/artist_recommendations.parquet``."""
    return os.environ.get(SERVING_FILE_ENV) or DEFAULT_SERVING_FILE


def warehouse_recommendations(connection, columns: tuple[str, ...] = MART_COLUMNS) -> pa.Table:
    """The mart's ``columns``, from a DuckDB warehouse, ordered by artist_id (the file's
    order)."""
    selected = ", ".join(columns)
    return connection.sql(f"select {selected} from {MART} order by artist_id").to_arrow_table()


def parquet_recommendations(uri: str) -> pa.Table:
    """The mart from its parquet files (a file, or a folder such as an Athena table's
    location)."""
    filesystem, path = fsspec.core.url_to_fs(uri)
    if not filesystem.exists(path):
        raise ServingFileError(f"no parquet at {uri}")
    table = pq.read_table(path, filesystem=filesystem, columns=list(MART_COLUMNS))
    return table.sort_by("artist_id")


def with_folded_names(table: pa.Table) -> pa.Table:
    """``table`` (the mart's columns, or its NAME_COLUMNS) and, after artist_name and
    aliases, their folded forms."""
    missing = [column for column in NAME_COLUMNS if column not in table.column_names]
    if missing:
        raise ServingFileError(f"the recommendations have no column {', '.join(missing)}")
    table = table.select([column for column in MART_COLUMNS if column in table.column_names])
    folded_names = pa.array([fold(name) for name in table.column("artist_name").to_pylist()])
    folded_aliases = pa.array(
        [[fold(alias) for alias in aliases or []] for aliases in table["aliases"].to_pylist()],
        type=pa.list_(pa.string()),
    )
    table = table.add_column(2, "folded_name", folded_names)
    return table.add_column(
        table.column_names.index("aliases") + 1, "folded_aliases", folded_aliases
    )


def write_serving_file(table: pa.Table, uri: str) -> None:
    """Write ``table`` to ``uri`` atomically: a local file through a temporary file in the
    same folder and a rename; an S3 object by one upload, which S3 makes visible whole."""
    filesystem, path = fsspec.core.url_to_fs(uri)
    if isinstance(filesystem, LocalFileSystem):
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        temporary = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
        try:
            pq.write_table(table, temporary, compression="zstd")
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        return
    with filesystem.open(path, "wb") as stream:
        pq.write_table(table, stream, compression="zstd")


def read_serving_file(uri: str) -> pa.Table:
    """The serving file's table (its version, for reloading, is file_version's)."""
    filesystem, path = fsspec.core.url_to_fs(uri)
    try:
        with filesystem.open(path, "rb") as stream:
            table = pq.read_table(stream)
    except FileNotFoundError as error:
        raise no_serving_file(uri) from error
    missing = {"folded_name", "folded_aliases", *MART_COLUMNS} - set(table.column_names)
    if missing:
        raise ServingFileError(f"{uri} is not a serving file (no {', '.join(sorted(missing))})")
    return table


def file_version(uri: str) -> str:
    """What changes when the file does: the ETag on S3, mtime and size on a local disk."""
    filesystem, path = fsspec.core.url_to_fs(uri)
    try:
        info = filesystem.info(path)
    except FileNotFoundError as error:
        raise no_serving_file(uri) from error
    etag = info.get("ETag") or info.get("etag")
    if etag:
        return str(etag)
    return f"{info.get('mtime')}:{info.get('size')}"


def no_serving_file(uri: str) -> ServingFileError:
    """The one wording of "no serving file at uri", for every reader that finds none."""
    return ServingFileError(
        f"no serving file at {uri}: build the warehouse and run spotify-related export"
    )


def most_related(table: pa.Table) -> int:
    """How many related artists the file keeps per artist (the warehouse's top_k)."""
    lengths = pc.list_value_length(table["related_artists"])
    largest = pc.max(lengths).as_py()
    return int(largest or 0)


def most_tracks(table: pa.Table) -> int:
    """How many tracks the file keeps per related artist (the build's
    recommendation_track_count, or fewer if no artist has as many)."""
    related = pc.list_flatten(table["related_artists"])
    largest = pc.max(pc.list_value_length(pc.struct_field(related, "tracks"))).as_py()
    return int(largest or 0)
