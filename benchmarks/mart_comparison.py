"""Compare two builds' marts bit for bit: rows matched by key, every column compared.

Doubles are compared by their bit patterns (so 0.0 and -0.0 differ, and a one-ulp change
is a difference), nested values as Python values, everything else with Arrow's equality;
a difference in nullness is a difference.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# The marts compared and their keys.
MARTS = {
    "dim_artists": ["artist_id"],
    "fct_related_artists": ["artist_id", "similarity_rank"],
}


@dataclass
class TableComparison:
    """How two versions of one table differ, rows matched by key."""

    table: str
    left_rows: int
    right_rows: int
    matched_rows: int
    only_left: int
    only_right: int
    differing_rows: int  # matched rows with a differing column, plus unmatched rows
    differing_columns: dict[str, int] = field(default_factory=dict)
    example: str | None = None

    @property
    def identical(self) -> bool:
        return self.differing_rows == 0 and self.left_rows == self.right_rows

    def describe(self) -> str:
        line = (
            f"{self.table}: {self.matched_rows:,} rows compared "
            f"({self.left_rows:,} vs {self.right_rows:,}), {self.differing_rows:,} differ"
        )
        if self.only_left or self.only_right:
            line += (
                f" ({self.only_left:,} only in the first, {self.only_right:,} only in the second)"
            )
        if self.differing_columns:
            columns = ", ".join(
                f"{name} {count:,}" for name, count in self.differing_columns.items()
            )
            line += f"; differing columns: {columns}"
        if self.example:
            line += f"\n    e.g. {self.example}"
        return line


def column_differences(
    left: pa.ChunkedArray | pa.Array, right: pa.ChunkedArray | pa.Array
) -> np.ndarray:
    """Per row, whether ``left`` and ``right`` differ: in nullness, or in value (floating point
    values by their bit patterns; nested values as Python values)."""
    if isinstance(left, pa.ChunkedArray):
        left = left.combine_chunks()
    if isinstance(right, pa.ChunkedArray):
        right = right.combine_chunks()
    if left.type != right.type:
        return np.ones(len(left), dtype=bool)
    left_null = left.is_null().to_numpy(zero_copy_only=False)
    right_null = right.is_null().to_numpy(zero_copy_only=False)
    both = ~left_null & ~right_null
    if pa.types.is_floating(left.type):
        bits = {16: np.uint16, 32: np.uint32, 64: np.uint64}[left.type.bit_width]
        zero = pa.scalar(0, left.type)
        left_bits = left.fill_null(zero).to_numpy(zero_copy_only=False).view(bits)
        right_bits = right.fill_null(zero).to_numpy(zero_copy_only=False).view(bits)
        values_differ = left_bits != right_bits
    elif pa.types.is_nested(left.type) or pa.types.is_dictionary(left.type):
        values_differ = np.array(
            [a != b for a, b in zip(left.to_pylist(), right.to_pylist(), strict=True)], dtype=bool
        )
    else:
        equal = pc.equal(left, right).fill_null(True).to_numpy(zero_copy_only=False)
        values_differ = ~equal
    return (left_null != right_null) | (both & values_differ)


def table_differences(
    left: pa.Table, right: pa.Table, keys: list[str], table: str = "table"
) -> TableComparison:
    """Compare two versions of a table bit for bit, rows matched by ``keys`` (unique)."""
    joined = _joined_keys(left, right, keys)
    left_rows = joined.column("__left")
    right_rows = joined.column("__right")
    matched = pc.and_(pc.is_valid(left_rows), pc.is_valid(right_rows))
    left_taken = left.take(pc.filter(left_rows, matched))
    right_taken = right.take(pc.filter(right_rows, matched))
    per_column = _differences_by_column(left_taken, right_taken)
    any_difference = np.zeros(len(left_taken), dtype=bool)
    for differs in per_column.values():
        any_difference |= differs
    only_left = int(pc.sum(pc.is_null(right_rows)).as_py() or 0)
    only_right = int(pc.sum(pc.is_null(left_rows)).as_py() or 0)
    example = None
    if any_difference.any():
        row = int(np.flatnonzero(any_difference)[0])
        example = _difference_example(left_taken, right_taken, keys, per_column, row)
    elif only_left or only_right:
        example = _unmatched_example(joined, keys, only_left > 0)
    return TableComparison(
        table=table,
        left_rows=len(left),
        right_rows=len(right),
        matched_rows=len(left_taken),
        only_left=only_left,
        only_right=only_right,
        differing_rows=int(any_difference.sum()) + only_left + only_right,
        differing_columns={
            name: int(differs.sum()) for name, differs in per_column.items() if differs.any()
        },
        example=example,
    )


def _joined_keys(left: pa.Table, right: pa.Table, keys: list[str]) -> pa.Table:
    """Every key of either side (full outer join, sorted by key) with its row number on each
    side, ``__left`` and ``__right`` (null where the side lacks the key)."""
    left_index = pa.table(
        {**{key: left.column(key) for key in keys}, "__left": np.arange(len(left))}
    )
    right_index = pa.table(
        {**{key: right.column(key) for key in keys}, "__right": np.arange(len(right))}
    )
    return left_index.join(right_index, keys, join_type="full outer").sort_by(
        [(key, "ascending") for key in keys]
    )


def _differences_by_column(left: pa.Table, right: pa.Table) -> dict[str, np.ndarray]:
    """Per column of either table (the left's first), which of the matched rows differ; a
    column missing on one side differs everywhere."""
    matched_count = len(left)
    per_column: dict[str, np.ndarray] = {}
    for name in left.column_names:
        if name not in right.column_names:
            per_column[name] = np.ones(matched_count, dtype=bool)
        else:
            per_column[name] = column_differences(left.column(name), right.column(name))
    for name in right.column_names:
        if name not in left.column_names:
            per_column[name] = np.ones(matched_count, dtype=bool)
    return per_column


def _difference_example(
    left: pa.Table,
    right: pa.Table,
    keys: list[str],
    per_column: dict[str, np.ndarray],
    row: int,
) -> str:
    """The key of matched row ``row`` and its differing values on both sides."""
    key = ", ".join(f"{k}={left.column(k)[row].as_py()!r}" for k in keys)
    details = "; ".join(
        f"{name}: {_show(left, name, row)} vs {_show(right, name, row)}"
        for name, differs in per_column.items()
        if differs[row]
    )
    return f"{key}: {details}"


def _unmatched_example(joined: pa.Table, keys: list[str], only_left: bool) -> str:
    """The first key (in key order) found on one side only: the first side if ``only_left``."""
    if only_left:
        side, rows = "first", joined.column("__right")
    else:
        side, rows = "second", joined.column("__left")
    row = int(np.flatnonzero(pc.is_null(rows).to_numpy(zero_copy_only=False))[0])
    key = ", ".join(f"{k}={joined.column(k)[row].as_py()!r}" for k in keys)
    return f"{key} is only in the {side}"


def _show(table: pa.Table, name: str, row: int) -> str:
    if name not in table.column_names:
        return "(no column)"
    value = table.column(name)[row].as_py()
    if isinstance(value, float):
        return f"{value!r} ({value.hex()})"
    return repr(value)


def read_mart(database: pathlib.Path, table: str) -> pa.Table:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(f"select * from {table}").to_arrow_table()


def compare_marts(first: pathlib.Path, second: pathlib.Path) -> list[TableComparison]:
    """dim_artists and fct_related_artists of two DuckDB files, bit for bit."""
    return [
        table_differences(read_mart(first, table), read_mart(second, table), keys, table)
        for table, keys in MARTS.items()
    ]
