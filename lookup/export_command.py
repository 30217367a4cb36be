"""``spotify-related export``: write the serving file from the built warehouse.

    spotify-related export [--db target/spotify.duckdb | --from-parquet URI] [--to URI]

reads the mart fct_artist_recommendations from the DuckDB warehouse (``--db``, default
``DUCKDB_PATH``) or from its parquet files (``--from-parquet``: after an Athena build, the
table's S3 location), adds the folded names and writes the serving file atomically to
``--to`` (default ``SERVING_FILE_URI``, else target/serving/artist_recommendations.parquet),
a local path or ``s3://bucket/key``. ``lookup/serving_file.py`` has the format. Exit 0 when
written; 2 when the warehouse or the source cannot be read or the file cannot be written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from extract.cli_common import EXIT_OK, EXIT_USAGE, print_error
from lookup.answer import ArtistLookupError
from lookup.queries import connect, default_database_path
from lookup.serving_file import (
    ServingFileError,
    default_serving_file,
    parquet_recommendations,
    warehouse_recommendations,
    with_folded_names,
    write_serving_file,
)

PROGRAM = "spotify-related export"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM, description="Write the serving file of the chat skill from the warehouse."
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--db", default=None, help="DuckDB warehouse (default: DUCKDB_PATH)")
    source.add_argument(
        "--from-parquet",
        default=None,
        metavar="URI",
        help="the mart's parquet files instead (e.g. the Athena table's S3 location)",
    )
    parser.add_argument(
        "--to",
        default=None,
        metavar="URI",
        help="the serving file: a path or s3://bucket/key (default: SERVING_FILE_URI, else "
        "target/serving/artist_recommendations.parquet)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    started = time.perf_counter()
    destination = arguments.to or default_serving_file()
    try:
        table = with_folded_names(read_recommendations(arguments))
        write_serving_file(table, destination)
    except (ArtistLookupError, ServingFileError, duckdb.Error, pa.ArrowException, OSError) as error:
        print_error(PROGRAM, str(error))
        return EXIT_USAGE
    print(
        f"wrote {destination}: {table.num_rows:,} artists in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return EXIT_OK


def read_recommendations(arguments: argparse.Namespace) -> pa.Table:
    if arguments.from_parquet:
        return parquet_recommendations(arguments.from_parquet)
    with connect(arguments.db or default_database_path()) as connection:
        return warehouse_recommendations(connection)
