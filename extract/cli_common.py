"""The pieces every command shares (spotify-extract api and dataset, spotify-related).

- exit codes, by name;
- ``print_error``: the one-line error a user sees, prefixed with the program name;
- ``--lake`` and ``--dt``, declared once for the commands that write the lake;
- the argparse ``type=`` functions of the numeric options. A bad value raises
  ``argparse.ArgumentTypeError``, so argparse prints the usage line and one
  ``error: argument --OPTION: ...`` line, and exits with 2: never a traceback.

This module imports nothing but the standard library (and ``extract/__init__.py`` is only a
docstring), so ``lookup`` can import it without pulling in the extractor's dependencies. Both
packages ship in the one ``spotify-warehouse`` distribution, so the import always resolves.
"""

from __future__ import annotations

import argparse
import os
import sys

# What each command returns (spotify-related uses EXIT_OK, EXIT_FAILED and EXIT_USAGE).
EXIT_OK = 0  # everything asked for was done
EXIT_FAILED = 1  # the run could not go on, or (spotify-related) some artist had no answer
EXIT_USAGE = 2  # bad arguments or environment: something the user can fix (argparse's code)
EXIT_PARTIAL = 3  # spotify-extract api: some artists or feature lookups failed, the rest landed
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it

LAKE_URI_VARIABLE = "LAKE_URI"
DEFAULT_LAKE_URI = "./lake"
SHOWN_CHARACTERS = 40  # of a bad value, so the error stays one readable line


def print_error(program: str, message: str) -> None:
    """``message`` as one line on stderr, prefixed with ``program`` (e.g. ``spotify-related``)."""
    print(f"{program}: {' '.join(message.splitlines())}", file=sys.stderr)


# --- the lake and its partition -----------------------------------------------------------


def default_lake_uri() -> str:
    """The lake root from ``LAKE_URI``, else ``./lake``."""
    return os.environ.get(LAKE_URI_VARIABLE) or DEFAULT_LAKE_URI


def add_lake_arguments(container: argparse._ActionsContainer) -> None:
    """``--lake URI`` and ``--dt DATE``, on a parser or an argument group.

    ``--dt`` stays None when not given: the command takes today's date (UTC) when it runs.
    """
    container.add_argument(
        "--lake",
        default=default_lake_uri(),
        metavar="URI",
        help="lake root: a folder or s3://bucket/prefix (default: $LAKE_URI, else ./lake)",
    )
    container.add_argument(
        "--dt",
        default=None,
        metavar="DATE",
        help="partition date YYYY-MM-DD (default: today in UTC)",
    )


# --- numeric options ----------------------------------------------------------------------


def whole_number(value: str, minimum: int) -> int:
    """``value`` as an int of at least ``minimum``; ArgumentTypeError otherwise."""
    try:
        number = int(value)
    except ValueError:  # not a number, a fraction, or more digits than Python parses
        number = None
    if number is None or number < minimum:
        shown = value if len(value) <= SHOWN_CHARACTERS else value[: SHOWN_CHARACTERS - 3] + "..."
        raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {shown!r}")
    return number


def non_negative_int(value: str) -> int:
    """A whole number, 0 or more: ``--tracks 0`` is a meaningful "none"."""
    return whole_number(value, 0)


def positive_int(value: str) -> int:
    """A whole number, 1 or more: for counts where 0 would mean doing nothing."""
    return whole_number(value, 1)
