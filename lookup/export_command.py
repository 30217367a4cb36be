"""``spotify-related export``: write the serving file (and the on-demand files) from the
built warehouse.

    spotify-related export [--db target/spotify.duckdb | --from-parquet URI] [--to URI]
                           [--on-demand-to URI]

reads the mart fct_artist_recommendations from the DuckDB warehouse (``--db``, default
``DUCKDB_PATH``) or from its parquet files (``--from-parquet``: after an Athena build, the
table's S3 location), adds the folded names and writes the serving file atomically to
``--to`` (default ``SERVING_FILE_URI``, else target/serving/artist_recommendations.parquet),
a local path or ``s3://bucket/key``. ``lookup/serving_file.py`` has the format. From a
DuckDB warehouse it first writes the on-demand files (``lookup/on_demand_files.py``) to
``--on-demand-to`` (default ``ON_DEMAND_FILES_URI``, else ``on_demand`` next to the serving
file), for a skill that fetches artists on demand without the database; from parquet it
does not (docs/on-demand.md has the Athena queries). Exit 0 when written; 2 when the
warehouse or the source cannot be read or a file cannot be written.
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
from lookup.on_demand_files import (
    ARTISTS_MART,
    default_on_demand_files,
    warehouse_on_demand_tables,
    write_on_demand_files,
)
from lookup.queries import connect, default_database_path
from lookup.serving_file import (
    ServingFileError,
    default_serving_file,
    most_tracks,
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
    parser.add_argument(
        "--on-demand-to",
        default=None,
        metavar="URI",
        help="the on-demand files' folder (default: ON_DEMAND_FILES_URI, else on_demand next "
        "to the serving file); not written with --from-parquet",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    started = time.perf_counter()
    destination = arguments.to or default_serving_file()
    on_demand_folder = arguments.on_demand_to or default_on_demand_files(destination)
    try:
        if arguments.from_parquet:
            table = with_folded_names(parquet_recommendations(arguments.from_parquet))
            on_demand = None
        else:
            with connect(arguments.db or default_database_path()) as connection:
                table = with_folded_names(warehouse_recommendations(connection))
                on_demand = warehouse_on_demand_tables(connection, most_tracks(table))
        if on_demand is not None:
            write_on_demand_files(on_demand, on_demand_folder)
        write_serving_file(table, destination)
    except (ArtistLookupError, ServingFileError, duckdb.Error, pa.ArrowException, OSError) as error:
        print_error(PROGRAM, str(error))
        return EXIT_USAGE
    seconds = time.perf_counter() - started
    print(f"wrote {destination}: {table.num_rows:,} artists in {seconds:.1f} s", file=sys.stderr)
    if on_demand is not None:
        artists = on_demand[ARTISTS_MART].num_rows
        print(f"wrote {on_demand_folder}: {artists:,} artists' vectors", file=sys.stderr)
    return EXIT_OK
