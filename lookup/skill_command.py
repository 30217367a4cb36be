"""``spotify-related serve``: the chat skill server on this machine.

    spotify-related serve [--host 127.0.0.1] [--port 8080] [--serving-file URI]
                          [--on-demand [--db target/spotify.duckdb | --on-demand-files URI]]

serves ``lookup/skill_server.py``'s app with uvicorn, answering from the serving file
(``--serving-file``, default ``SERVING_FILE_URI``, else
target/serving/artist_recommendations.parquet; reloaded when it changes). Fetching unknown
artists from Spotify is off unless ``--on-demand`` or ``ON_DEMAND_FETCH=1``, and then
places them among the warehouse's artists: the DuckDB warehouse of ``--db``, else the
on-demand files (``--on-demand-files``, default ``ON_DEMAND_FILES_URI``, else ``on_demand``
next to the serving file; docs/on-demand.md). Settings from the environment:
``SKILL_AUTH_TOKEN``, ``SKILL_MAX_BODY_BYTES``, ``SERVING_FILE_CHECK_SECONDS``
(docs/chat-skill.md). A serving file that cannot be read or a bad setting is one line and
exit 2.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from dataclasses import replace

import duckdb
import uvicorn

from extract.cli_common import EXIT_OK, EXIT_USAGE, positive_int, print_error
from lookup.answer import ArtistLookupError
from lookup.on_demand_files import default_on_demand_files
from lookup.on_demand_options import OnDemandOptions, OptionsError
from lookup.reloading import check_seconds_from_environment
from lookup.serving_file import ServingFileError, default_serving_file
from lookup.serving_source import ServingFileSource
from lookup.skill_on_demand import files_on_demand, warehouse_on_demand
from lookup.skill_server import OnDemand, SkillSettings, create_app

PROGRAM = "spotify-related serve"
MAX_PORT = 65535


def port_number(value: str) -> int:
    number = positive_int(value)
    if number > MAX_PORT:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to {MAX_PORT}, got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROGRAM, description="Serve the Kakao chat skill.")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=port_number, default=8080, help="port (default 8080)")
    parser.add_argument(
        "--serving-file",
        default=None,
        metavar="URI",
        help="the serving file (default: SERVING_FILE_URI, else "
        "target/serving/artist_recommendations.parquet)",
    )
    parser.add_argument(
        "--on-demand",
        action="store_true",
        help="fetch artists the warehouse does not have from Spotify (off by default; as "
        "ON_DEMAND_FETCH=1)",
    )
    placement = parser.add_mutually_exclusive_group()
    placement.add_argument(
        "--db",
        default=None,
        help="the DuckDB warehouse the on-demand path places new artists in (its "
        "dim_similarity_features, dim_artists and fct_artist_tracks)",
    )
    placement.add_argument(
        "--on-demand-files",
        default=None,
        metavar="URI",
        help="or those three tables as exported by spotify-related export (default: "
        "ON_DEMAND_FILES_URI, else on_demand next to the serving file)",
    )
    return parser


def on_demand_answerer(arguments: argparse.Namespace, serving_file: str) -> OnDemand | None:
    """The on-demand path, when ``--on-demand`` or ``ON_DEMAND_FETCH=1`` asks for it: the
    server's options (deadline, rate limit), against ``--db`` or the on-demand files."""
    options = OnDemandOptions.for_server()
    if arguments.on_demand:
        options = replace(options, enabled=True)
    if not options.enabled:
        return None
    if arguments.db:
        return warehouse_on_demand(arguments.db, options)
    folder = arguments.on_demand_files or default_on_demand_files(serving_file)
    return files_on_demand(folder, options)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = SkillSettings.from_environment()
        serving_file = arguments.serving_file or default_serving_file()
        source = ServingFileSource(serving_file, check_seconds_from_environment())
        on_demand = on_demand_answerer(arguments, serving_file)
    except (
        ServingFileError,
        OptionsError,
        ArtistLookupError,
        ValueError,
        OSError,
        duckdb.Error,
    ) as error:
        print_error(PROGRAM, str(error))
        return EXIT_USAGE
    app = create_app(source, settings, on_demand)
    print(
        f"{PROGRAM}: {source().artist_count:,} artists from {source.uri}, skill URL "
        f"http://{arguments.host}:{arguments.port}/skill",
        flush=True,
    )
    uvicorn.run(
        app, host=arguments.host, port=arguments.port, log_level="warning", access_log=False
    )
    return EXIT_OK
