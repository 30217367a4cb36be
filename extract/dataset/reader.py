"""Read the input file: a CSV (every column as text) or a parquet file.

In a CSV every value is read as text; exactly NA (unquoted) and the empty string are nulls (a
quoted "NA" stays a real value). Dictionary-encoded parquet columns (pandas categoricals) are
decoded to plain values.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

CSV_NULL_VALUES = ("NA", "")


class DatasetError(Exception):
    """A problem with the input file or the arguments that the user can fix."""


def read_dataset_file(path: Path) -> pa.Table:
    """Read a CSV (every column as text, NA and empty as null) or a parquet file."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DatasetError(f"{path}: expected a .csv or .parquet file")
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    try:
        if suffix == ".parquet":
            return decode_dictionaries(pq.read_table(path))
        return read_csv_as_text(path)
    except (OSError, UnicodeDecodeError, csv.Error, pa.ArrowException) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DatasetError(f"{path}: cannot read the file: {message}") from None


def read_csv_as_text(path: Path) -> pa.Table:
    """Every column as a string; exactly ``NA`` (unquoted) and the empty string are null."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise DatasetError(f"{path}: the file is empty")
    table = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            column_types={column: pa.string() for column in header},
            null_values=list(CSV_NULL_VALUES),
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    # A quoted "" is still empty: null too. A quoted "NA" stays a real value.
    return pa.Table.from_arrays(
        [empty_to_null(column) for column in table.columns], names=table.column_names
    )


def decode_dictionaries(table: pa.Table) -> pa.Table:
    """Dictionary-encoded columns (e.g. pandas categoricals) as plain values."""
    return pa.Table.from_arrays(
        [
            pc.cast(column, column.type.value_type)
            if pa.types.is_dictionary(column.type)
            else column
            for column in table.columns
        ],
        names=table.column_names,
    )


def empty_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty strings become nulls."""
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)
