"""argparse ``type=`` functions for the numeric options of spotify-extract and spotify-related.

A bad value raises ``argparse.ArgumentTypeError``, so argparse prints the usage line and one
``error: argument --OPTION: ...`` line, and exits with 2: never a traceback.

This module imports nothing but the standard library (and ``extract/__init__.py`` is only a
docstring), so ``lookup`` can import it without pulling in the extractor's dependencies. Both
packages ship in the one ``spotify-warehouse`` distribution, so the import always resolves.
"""

from __future__ import annotations

import argparse

SHOWN_CHARACTERS = 40  # of a bad value, so the error stays one readable line


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
