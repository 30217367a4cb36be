"""``spotify-related serve``: the chat skill server on this machine.

    spotify-related serve [--host 127.0.0.1] [--port 8080] [--serving-file URI] [--on-demand]

serves ``lookup/skill_server.py``'s app with uvicorn, answering from the serving file
(``--serving-file``, default ``SERVING_FILE_URI``, else
target/serving/artist_recommendations.parquet; reloaded when it changes). Fetching unknown
artists from Spotify is off unless ``--on-demand`` (docs/on-demand.md). Settings from the
environment: ``SKILL_AUTH_TOKEN``, ``SKILL_MAX_BODY_BYTES``, ``SERVING_FILE_CHECK_SECONDS``
(docs/chat-skill.md). A serving file that cannot be read or a bad setting is one line and
exit 2.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

import uvicorn

from extract.cli_common import EXIT_OK, EXIT_USAGE, positive_int, print_error
from lookup.serving_file import ServingFileError, default_serving_file
from lookup.serving_source import ServingFileSource, check_seconds_from_environment
from lookup.skill_server import SkillSettings, create_app

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
        help="fetch artists the warehouse does not have from Spotify (off by default)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = SkillSettings.from_environment()
        source = ServingFileSource(
            arguments.serving_file or default_serving_file(), check_seconds_from_environment()
        )
    except (ServingFileError, ValueError, OSError) as error:
        print_error(PROGRAM, str(error))
        return EXIT_USAGE
    app = create_app(source, settings, on_demand=None)
    print(
        f"{PROGRAM}: {source().artist_count:,} artists from {source.uri}, skill URL "
        f"http://{arguments.host}:{arguments.port}/skill",
        flush=True,
    )
    uvicorn.run(
        app, host=arguments.host, port=arguments.port, log_level="warning", access_log=False
    )
    return EXIT_OK
