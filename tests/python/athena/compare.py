"""Comparing two engines' results: the same rows in any order, floats within a tolerance.

Nested values (DuckDB returns a list as a Python list and a struct as a dict) are compared
element by element and field by field, with the same tolerance for the floats inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import duckdb


@dataclass(frozen=True)
class TableContents:
    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: list[tuple]


def read_table(connection: duckdb.DuckDBPyConnection, relation: str) -> TableContents:
    cursor = connection.execute(f"select * from {relation}")
    description = cursor.description or []
    rows = cursor.fetchall()
    return TableContents(
        columns=tuple(column[0] for column in description),
        types=tuple(str(column[1]) for column in description),
        rows=rows,
    )


def compare_tables(
    expected: TableContents,
    actual: TableContents,
    tolerance: float,
    *,
    compare_types: bool = True,
) -> list[str]:
    """Differences between two tables: columns, then rows in any order (floats close)."""
    if expected.columns != actual.columns:
        return [f"columns differ: {expected.columns} != {actual.columns}"]
    problems = []
    if compare_types and expected.types != actual.types:
        problems.append(f"types differ: {expected.types} != {actual.types}")
    if len(expected.rows) != len(actual.rows):
        problems.append(f"row counts differ: {len(expected.rows)} != {len(actual.rows)}")
        return problems
    for expected_row, actual_row in zip(
        sorted(expected.rows, key=_sort_key), sorted(actual.rows, key=_sort_key), strict=True
    ):
        if not _rows_match(expected_row, actual_row, tolerance):
            problems.append(f"row differs: {expected_row} != {actual_row}")
            if len(problems) >= 10:
                break
    return problems


def _sort_key(row: tuple) -> tuple:
    return tuple(_value_sort_key(value) for value in row)


def _value_sort_key(value: Any) -> tuple:
    # Floats are rounded so that noise in the last bits cannot change the order, also
    # inside lists and structs.
    if value is None:
        return (0, "")
    if isinstance(value, float):
        return (1, f"{value:.6e}")
    if isinstance(value, list | tuple):
        return (2, tuple(_value_sort_key(item) for item in value))
    if isinstance(value, dict):
        return (3, tuple((str(key), _value_sort_key(item)) for key, item in value.items()))
    return (1, repr(value))


def _rows_match(expected: tuple, actual: tuple, tolerance: float) -> bool:
    return len(expected) == len(actual) and all(
        _values_match(left, right, tolerance) for left, right in zip(expected, actual, strict=True)
    )


def _values_match(left: Any, right: Any, tolerance: float) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(
            _values_match(a, b, tolerance) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        # Field names in order (a struct's type), then each field's value.
        return list(left) == list(right) and all(
            _values_match(left[key], right[key], tolerance) for key in left
        )
    return left == right
