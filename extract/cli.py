"""``spotify-extract``: land Spotify data in the lake.

Subcommands:
    api            extract artists, tracks and audio features from the Spotify Web API
    dataset FILE   import a public tracks-with-audio-features file (CSV or parquet)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from extract.api import command as api_command
from extract.dataset import command as dataset_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spotify-extract",
        description="Land Spotify artists, tracks and audio features in the lake "
        "(Hive-partitioned parquet under LAKE_URI, default ./lake).",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    api_command.add_arguments(
        subcommands.add_parser(
            "api",
            help="extract artists, tracks and audio features from the Spotify Web API",
            description=api_command.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    dataset_command.add_arguments(
        subcommands.add_parser(
            "dataset",
            help="import a CSV or parquet of tracks with audio features",
            description=dataset_command.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return arguments.run(arguments)


if __name__ == "__main__":
    sys.exit(main())
