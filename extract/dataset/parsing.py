"""The file's columns as typed roles: which column holds what, parsed to the lake's types.

Required columns: track_id, track_name, an artist column (track_artist or artists) and the
audio features. A value that is not a number where one is expected (or not a whole number in
range, or not true/false) becomes null and is counted per source column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from extract.dataset.reader import DatasetError, empty_to_null
from extract.schemas import AUDIO_FEATURE_COLUMNS

# Each role the import needs, and the column names that may hold it (first found wins).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "track_id": ("track_id",),
    "track_name": ("track_name",),
    "artist_name": ("track_artist", "artists"),
    "artist_id": ("artist_id",),
    "popularity": ("track_popularity", "popularity"),
    "album_id": ("track_album_id",),
    "album_name": ("track_album_name", "album_name"),
    "release_date": ("track_album_release_date",),
    "duration_ms": ("duration_ms",),
    "is_explicit": ("explicit",),
    "time_signature": ("time_signature",),
    "playlist_genre": ("playlist_genre",),
    "playlist_subgenre": ("playlist_subgenre",),
    **{feature: (feature,) for feature in AUDIO_FEATURE_COLUMNS},
}
REQUIRED_ROLES = ("track_id", "track_name", "artist_name", *AUDIO_FEATURE_COLUMNS)
TEXT_ROLES = ("track_name", "album_id", "album_name", "release_date")
LABEL_ROLES = ("playlist_genre", "playlist_subgenre")  # text, trimmed
FLOAT_ROLES = tuple(role for role in AUDIO_FEATURE_COLUMNS if role not in ("key", "mode"))
INT32_RANGE = (-(2**31), 2**31 - 1)
INT64_RANGE = (-(2**53), 2**53)  # what a float64 holds exactly
INTEGER_ROLES: dict[str, tuple[int, int]] = {
    "key": INT32_RANGE,
    "mode": INT32_RANGE,
    "popularity": INT32_RANGE,
    "time_signature": INT32_RANGE,
    "duration_ms": INT64_RANGE,
}
NUMBER_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")


def resolve_columns(column_names: Sequence[str], path: Path) -> dict[str, str]:
    """Map each role to the file's column; raise naming every missing required column."""
    present = set(column_names)
    columns = {}
    for role, aliases in COLUMN_ALIASES.items():
        found = next((alias for alias in aliases if alias in present), None)
        if found is not None:
            columns[role] = found
    missing = [" or ".join(COLUMN_ALIASES[role]) for role in REQUIRED_ROLES if role not in columns]
    if missing:
        raise DatasetError(f"{path} is missing required columns: {', '.join(missing)}")
    duplicated = sorted({name for name in columns.values() if column_names.count(name) > 1})
    if duplicated:
        raise DatasetError(f"{path} has duplicated columns: {', '.join(duplicated)}")
    return columns


def parse_rows(raw: pa.Table, columns: Mapping[str, str]) -> tuple[pa.Table, dict[str, int]]:
    """One typed column per role (nulls for absent optional ones) plus ``file_row`` (0-based).

    Returns the table and, per source column, how many present values were unparsable.
    """
    rows = raw.num_rows
    parsed: dict[str, pa.ChunkedArray | pa.Array] = {"file_row": pa.array(range(rows), pa.int64())}
    unparsable: dict[str, int] = {}

    def source(role: str) -> pa.ChunkedArray | None:
        return raw.column(columns[role]) if role in columns else None

    for role in ("track_id", "artist_name", "artist_id", *TEXT_ROLES):
        column = source(role)
        parsed[role] = (
            to_text(column, columns[role]) if column is not None else pa.nulls(rows, pa.string())
        )
    for role in LABEL_ROLES:
        column = source(role)
        parsed[role] = (
            to_label(column, columns[role]) if column is not None else pa.nulls(rows, pa.string())
        )
    for role in FLOAT_ROLES:
        parsed[role], unparsable[columns[role]] = to_float(source(role), columns[role])
    for role, (minimum, maximum) in INTEGER_ROLES.items():
        column = source(role)
        if column is None:
            parsed[role] = pa.nulls(rows, pa.int64())
            continue
        parsed[role], unparsable[columns[role]] = to_integer(
            column, columns[role], minimum, maximum
        )
    column = source("is_explicit")
    if column is None:
        parsed["is_explicit"] = pa.nulls(rows, pa.bool_())
    else:
        parsed["is_explicit"], unparsable[columns["is_explicit"]] = to_boolean(
            column, columns["is_explicit"]
        )
    return pa.table(parsed), {name: count for name, count in unparsable.items() if count}


def to_text(column: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
    """Any column as strings (a typed date or a year number keeps its written form)."""
    if not pa.types.is_string(column.type):
        try:
            column = pc.cast(column, pa.string())
        except pa.ArrowException:
            raise DatasetError(f"column {name} holds {column.type}, not text") from None
    return empty_to_null(column)


def to_label(column: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
    """Text with surrounding whitespace trimmed; blank values become nulls."""
    return empty_to_null(pc.utf8_trim_whitespace(to_text(column, name)))


def count_lost(original: pa.ChunkedArray, parsed: pa.ChunkedArray | pa.Array) -> int:
    """Values present in ``original`` but null in ``parsed``."""
    lost = pc.and_(pc.is_valid(original), pc.is_null(parsed))
    return pc.sum(pc.cast(lost, pa.int64())).as_py() or 0


def to_float(column: pa.ChunkedArray, name: str) -> tuple[pa.ChunkedArray, int]:
    """float64 values; text that is not a finite number becomes null and is counted."""
    column_type = column.type
    if pa.types.is_string(column_type) or pa.types.is_large_string(column_type):
        text = pc.utf8_trim_whitespace(column)
        is_number = pc.match_substring_regex(text, NUMBER_PATTERN)
        values = pc.cast(pc.if_else(is_number, text, pa.scalar(None, text.type)), pa.float64())
    elif (
        pa.types.is_floating(column_type)
        or pa.types.is_integer(column_type)
        or pa.types.is_decimal(column_type)
    ):
        values = pc.cast(column, pa.float64(), safe=False)
    else:
        raise DatasetError(f"column {name} holds {column_type}, not numbers")
    finite = pc.if_else(pc.is_finite(values), values, pa.scalar(None, pa.float64()))
    return finite, count_lost(column, finite)


def to_integer(
    column: pa.ChunkedArray, name: str, minimum: int, maximum: int
) -> tuple[pa.ChunkedArray, int]:
    """int64 values; non-whole or out-of-range numbers become null and are counted.

    Goes through float64, exact for every whole number within the ranges used here.
    """
    floats, _ = to_float(column, name)
    fits = pc.and_(
        pc.equal(floats, pc.floor(floats)),
        pc.and_(pc.greater_equal(floats, minimum), pc.less_equal(floats, maximum)),
    )
    kept = pc.cast(pc.if_else(fits, floats, pa.scalar(None, pa.float64())), pa.int64())
    return kept, count_lost(column, kept)


def to_boolean(column: pa.ChunkedArray, name: str) -> tuple[pa.ChunkedArray, int]:
    """Booleans from true/false, t/f, yes/no, 1/0 (any case) or a boolean or 0/1 column."""
    column_type = column.type
    if pa.types.is_boolean(column_type):
        return column, 0
    if pa.types.is_integer(column_type):
        text = pc.cast(column, pa.string())
    elif pa.types.is_string(column_type) or pa.types.is_large_string(column_type):
        text = pc.utf8_lower(pc.utf8_trim_whitespace(column))
    else:
        raise DatasetError(f"column {name} holds {column_type}, not true/false")
    is_true = pc.is_in(text, pa.array(TRUE_WORDS))
    is_false = pc.is_in(text, pa.array(FALSE_WORDS))
    values = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
    return values, count_lost(column, values)
