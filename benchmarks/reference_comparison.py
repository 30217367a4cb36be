"""Compare the mart's related artists with the reference KD-tree's, row by row.

Rows are matched by (artist_id, similarity_rank); a row differs when the related artist
differs or the distances are further apart than ``TOLERANCE`` (or one side is missing).
Distances that are not bit-identical are counted separately.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

import duckdb

TOLERANCE = 1e-9


@dataclass(frozen=True)
class ReferenceComparison:
    """How fct_related_artists compares with the reference's result."""

    rows: int  # rows compared (either side)
    mismatches: int  # rows with another related artist, or distances beyond TOLERANCE
    inexact: int  # rows whose distances are not bit-identical

    @property
    def identical(self) -> bool:
        return self.rows > 0 and self.mismatches == 0


def compare_with_reference(database: pathlib.Path, reference: pathlib.Path) -> ReferenceComparison:
    """fct_related_artists of the DuckDB file ``database`` against the parquet ``reference``."""
    with duckdb.connect(str(database), read_only=True) as connection:
        [(rows, mismatches, inexact)] = connection.execute(
            f"""
            select
                count(*),
                count(*) filter (
                    where mart.related_artist_id is distinct from reference.related_artist_id
                    or not abs(mart.distance - reference.distance) <= {TOLERANCE}
                ),
                count(*) filter (where mart.distance is distinct from reference.distance)
            from fct_related_artists as mart
            full join read_parquet('{reference}') as reference
                on
                    mart.artist_id = reference.artist_id
                    and mart.similarity_rank = reference.similarity_rank
            """
        ).fetchall()
    return ReferenceComparison(rows, mismatches, inexact)
