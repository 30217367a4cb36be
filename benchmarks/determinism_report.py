"""The determinism check's result and its report on stdout, ending in a one-line verdict.

``DeterminismCheck`` holds what check_determinism found (the two builds' comparison per
mart and each build's duplicate statistics); ``print_report`` prints it and returns the
exit code: 0 if the builds are identical and the duplicates sound, else 1.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from benchmarks.duplicate_artists import DuplicateStatistics
from benchmarks.mart_comparison import TableComparison


@dataclass
class DeterminismCheck:
    """Two builds of one lake with different DuckDB thread counts, compared."""

    artists: int
    copies: int  # generated artists that copy another exactly
    generated_pairs: int  # pairs of identical artists the generator made
    project_dir: pathlib.Path
    threads: tuple[int, int]  # DuckDB threads of the first and the second build
    comparisons: list[TableComparison]
    duplicates: list[DuplicateStatistics]  # one per build, in the order of threads

    @property
    def identical(self) -> bool:
        return all(comparison.identical for comparison in self.comparisons)

    @property
    def duplicates_sound(self) -> bool:
        """Every generated copy is identical to its original to the last bit, and related
        to it at exactly 0.0 wherever the list has room."""
        return all(
            statistics.pairs >= self.generated_pairs
            and statistics.related_elsewhere == 0
            and statistics.missed == 0
            for statistics in self.duplicates
        )


def print_report(check: DeterminismCheck) -> int:
    """Print the comparison, the duplicates and the verdict; return the exit code."""
    first, second = check.threads
    print(
        f"check_determinism: {check.artists:,} artists ({check.copies:,} exact copies), "
        f"project {check.project_dir}, DuckDB threads {first} vs {second} "
        "(both confirmed with current_setting('threads'))"
    )
    for comparison in check.comparisons:
        print(comparison.describe())
    for threads, statistics in zip(check.threads, check.duplicates, strict=True):
        print(duplicates_line(threads, statistics, check.generated_pairs))
    line, exit_code = verdict(check)
    print(line)
    return exit_code


def duplicates_line(threads: int, statistics: DuplicateStatistics, generated_pairs: int) -> str:
    return (
        f"duplicates (threads {threads}): {statistics.pairs:,} pairs of artists with "
        f"identical audio profiles (the generator made {generated_pairs:,}), "
        f"{statistics.relatable_pairs:,} with a recommendable "
        f"member; {statistics.related_at_zero:,} related at distance exactly 0.0, "
        f"{statistics.related_elsewhere:,} at another distance, {statistics.missed:,} "
        "recommendable twins missing from a list with a non-zero distance"
    )


def verdict(check: DeterminismCheck) -> tuple[str, int]:
    """The verdict line and the exit code."""
    if check.identical and check.duplicates_sound:
        rows = sum(comparison.matched_rows for comparison in check.comparisons)
        first, second = check.threads
        return (
            f"verdict: IDENTICAL: {rows:,} rows of dim_artists and fct_related_artists are bit "
            f"for bit the same with {first} and {second} DuckDB threads",
            0,
        )
    differing = ", ".join(
        f"{comparison.table} {comparison.differing_rows:,} rows"
        for comparison in check.comparisons
        if not comparison.identical
    )
    problems = [f"builds DIFFER ({differing})"] if not check.identical else []
    if not check.duplicates_sound:
        problems.append(
            "duplicates are not all identical, or not all related at distance exactly 0.0"
        )
    return f"verdict: FAILED: {'; '.join(problems)}", 1
