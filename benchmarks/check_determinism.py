"""Check that two builds of the same lake give bit-identical marts whatever DuckDB's threads.

Generates (or reuses) a lake of ``--artists`` artists, ``--duplicate-fraction`` of them exact
copies of another artist (benchmarks/generate_lake.py), then builds
``dbt run --select +fct_related_artists`` twice, each into a fresh DuckDB file: first with
DuckDB ``threads: 1``, then with ``--threads`` (default 2), set in a profiles.yml written
to the work folder (profiles.example.yml's duckdb output with ``settings: {threads: N}``;
each build's setting is confirmed with ``dbt show``). dim_artists and fct_related_artists
are then compared bit for bit: rows matched by key, every column compared, doubles by
their bit patterns (so 0.0 and -0.0 differ, and a one-ulp change is a difference).

Prints on stdout the rows compared and the rows that differ per table (with the columns
that differ and an example), how many duplicate artist pairs exist (artists whose audio
profiles are identical) and how many of them are related at distance exactly 0.0, and a
one-line verdict; progress goes to stderr. Exits 1 if anything differs.

    .venv/bin/python -m benchmarks.check_determinism --artists 100000
    .venv/bin/python -m benchmarks.check_determinism --project-dir /tmp/before  # other code
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import sys
import time
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.dbt_workspace import PROJECT_ROOT, DbtWorkspace

# The marts compared and their keys.
MARTS = {
    "dim_artists": ["artist_id"],
    "fct_related_artists": ["artist_id", "similarity_rank"],
}


# -- bit-for-bit comparison ---------------------------------------------------------------


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
    left_index = pa.table(
        {**{key: left.column(key) for key in keys}, "__left": np.arange(len(left))}
    )
    right_index = pa.table(
        {**{key: right.column(key) for key in keys}, "__right": np.arange(len(right))}
    )
    joined = left_index.join(right_index, keys, join_type="full outer").sort_by(
        [(key, "ascending") for key in keys]
    )
    left_rows = joined.column("__left")
    right_rows = joined.column("__right")
    matched = pc.and_(pc.is_valid(left_rows), pc.is_valid(right_rows))
    left_taken = left.take(pc.filter(left_rows, matched))
    right_taken = right.take(pc.filter(right_rows, matched))
    matched_count = len(left_taken)
    any_difference = np.zeros(matched_count, dtype=bool)
    per_column: dict[str, np.ndarray] = {}
    for name in left.column_names:
        if name not in right.column_names:
            per_column[name] = np.ones(matched_count, dtype=bool)
        else:
            per_column[name] = column_differences(left_taken.column(name), right_taken.column(name))
        any_difference |= per_column[name]
    for name in right.column_names:
        if name not in left.column_names:
            per_column[name] = np.ones(matched_count, dtype=bool)
            any_difference |= per_column[name]
    only_left = int(pc.sum(pc.is_null(right_rows)).as_py() or 0)
    only_right = int(pc.sum(pc.is_null(left_rows)).as_py() or 0)
    example = None
    if any_difference.any():
        row = int(np.flatnonzero(any_difference)[0])
        key = ", ".join(f"{k}={left_taken.column(k)[row].as_py()!r}" for k in keys)
        details = "; ".join(
            f"{name}: {_show(left_taken, name, row)} vs {_show(right_taken, name, row)}"
            for name, differs in per_column.items()
            if differs[row]
        )
        example = f"{key}: {details}"
    elif only_left or only_right:
        side, rows = ("first", right_rows) if only_left else ("second", left_rows)
        row = int(np.flatnonzero(pc.is_null(rows).to_numpy(zero_copy_only=False))[0])
        key = ", ".join(f"{k}={joined.column(k)[row].as_py()!r}" for k in keys)
        example = f"{key} is only in the {side}"
    return TableComparison(
        table=table,
        left_rows=len(left),
        right_rows=len(right),
        matched_rows=matched_count,
        only_left=only_left,
        only_right=only_right,
        differing_rows=int(any_difference.sum()) + only_left + only_right,
        differing_columns={
            name: int(differs.sum()) for name, differs in per_column.items() if differs.any()
        },
        example=example,
    )


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


# -- duplicate artists ----------------------------------------------------------------------


@dataclass
class DuplicateStatistics:
    """Pairs of artists with identical audio profiles, and how the mart relates them."""

    pairs: int  # unordered pairs of artists whose averaged audio features are all equal
    relatable_pairs: int  # ... of which at least one is recommendable (can be found)
    related_at_zero: int  # ... related (either way) at distance exactly 0.0
    related_elsewhere: int  # ... related at any other distance (a bug)
    missed: int  # a recommendable twin absent from a list that has a non-zero distance


def duplicate_statistics(database: pathlib.Path) -> DuplicateStatistics:
    """Duplicates in a built warehouse: artists of dim_artists with identical profiles."""
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = [row[0] for row in connection.execute("describe dim_artists").fetchall()]
        features = [name for name in columns if f"{name}_normalised" in columns]
        # Models before is_recommendable: everybody with audio features may be found.
        recommendable = "is_recommendable" if "is_recommendable" in columns else "true"
        in_space = (
            "has_similarity_vector" if "has_similarity_vector" in columns else "has_audio_features"
        )
        same_profile = " and ".join(f"a.{name} = b.{name}" for name in ["track_count", *features])
        [row] = connection.execute(
            f"""
            with profiles as (
                select
                    artist_id,
                    {in_space} and {recommendable} as recommendable,
                    track_count,
                    {", ".join(features)}
                from dim_artists
                where has_audio_features
            ),

            pairs as (
                select
                    a.artist_id as first_id,
                    b.artist_id as second_id,
                    a.recommendable as first_recommendable,
                    b.recommendable as second_recommendable
                from profiles as a
                inner join profiles as b
                    on a.artist_id < b.artist_id and {same_profile}
            ),

            links as (
                select
                    pairs.first_id,
                    pairs.second_id,
                    bool_or(related.distance = 0.0) as at_zero,
                    bool_or(related.distance <> 0.0) as elsewhere
                from pairs
                inner join fct_related_artists as related
                    on
                        (related.artist_id = pairs.first_id
                         and related.related_artist_id = pairs.second_id)
                        or (related.artist_id = pairs.second_id
                            and related.related_artist_id = pairs.first_id)
                group by pairs.first_id, pairs.second_id
            ),

            room as (
                -- Artists whose list has room for another artist at distance 0.
                select artist_id
                from fct_related_artists
                group by artist_id
                having max(distance) > 0.0
            ),

            directed as (
                select first_id as artist_id, second_id as twin_id, second_recommendable
                from pairs
                union all
                select second_id, first_id, first_recommendable
                from pairs
            ),

            missed as (
                select count(*) as missed
                from directed
                inner join room on directed.artist_id = room.artist_id
                where
                    directed.second_recommendable
                    and not exists (
                        select 1
                        from fct_related_artists as related
                        where
                            related.artist_id = directed.artist_id
                            and related.related_artist_id = directed.twin_id
                    )
            )

            select
                (select count(*) from pairs),
                (select count(*) from pairs where first_recommendable or second_recommendable),
                (select count(*) from links where at_zero),
                (select count(*) from links where elsewhere),
                (select missed from missed)
            """
        ).fetchall()
    return DuplicateStatistics(*[int(value) for value in row])


def copy_pairs(sources: dict[int, int]) -> int:
    """Unordered pairs of identical artists that {copy: original} makes: each original and
    its copies form a group of identical artists."""
    group_sizes = np.bincount(np.array(list(sources.values()), dtype=np.int64)) + 1
    group_sizes = group_sizes[group_sizes > 1]
    return int((group_sizes * (group_sizes - 1) // 2).sum())


# -- builds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build(DbtWorkspace):
    """One fresh DuckDB file built from the lake with a given DuckDB thread count."""

    threads: int = 1

    def prepare(self) -> None:
        if self.root.exists():
            shutil.rmtree(self.root)
        self.write_profiles(duckdb_threads=self.threads)

    def run(self, *arguments: str) -> str:
        return self.dbt(*arguments, program="check_determinism")

    def duckdb_threads(self) -> int:
        """DuckDB's thread count in this build's dbt sessions, as DuckDB reports it."""
        return shown_duckdb_threads(self.run(*SHOW_DUCKDB_THREADS))


# `dbt show` arguments that print DuckDB's thread count in a dbt session (as JSON).
SHOW_DUCKDB_THREADS = (
    "show",
    "--inline",
    "select current_setting('threads') as duckdb_threads",
    "--output",
    "json",
    "--quiet",
)


def shown_duckdb_threads(output: str) -> int:
    """The thread count from the output of ``dbt SHOW_DUCKDB_THREADS``."""
    shown = json.loads(output[output.index("{") : output.rindex("}") + 1])
    return int(shown["show"][0]["duckdb_threads"])


def progress(message: str) -> None:
    load = os.getloadavg()[0]
    print(f"[check_determinism] {message} (load {load:.1f})", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artists", type=int, default=100_000)
    parser.add_argument("--duplicate-fraction", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument(
        "--threads", type=int, default=2, help="DuckDB threads of the second build (>= 2)"
    )
    parser.add_argument(
        "--work", default="/tmp/related-artists-determinism", help="lakes and warehouses"
    )
    parser.add_argument(
        "--project-dir",
        default=str(PROJECT_ROOT),
        help="the dbt project to build (e.g. a git worktree of other code)",
    )
    arguments = parser.parse_args(argv)
    if arguments.artists < 2 or arguments.threads < 2:
        print("check_determinism: --artists and --threads must be at least 2", file=sys.stderr)
        return 2
    if not 0.0 <= arguments.duplicate_fraction < 1.0:
        print("check_determinism: --duplicate-fraction must be in [0, 1)", file=sys.stderr)
        return 2
    from benchmarks.generate_lake import duplicate_sources, write_lake

    project_dir = pathlib.Path(arguments.project_dir).resolve()
    lake_name = (
        f"artists-{arguments.artists}-dup-{arguments.duplicate_fraction:g}-seed-{arguments.seed}"
    )
    lake = pathlib.Path(arguments.work) / lake_name / "lake"
    sources = duplicate_sources(arguments.artists, arguments.duplicate_fraction, arguments.seed)
    copies = len(sources)
    generated_pairs = copy_pairs(sources)
    if (lake / "artists").exists():
        progress(f"reusing the lake {lake}")
    else:
        progress(f"generating {arguments.artists:,} artists ({copies:,} exact copies) into {lake}")
        write_lake(str(lake), arguments.artists, arguments.seed, arguments.duplicate_fraction)
    builds_root = pathlib.Path(arguments.work) / lake_name / f"builds-{project_dir.name}"
    builds = [
        Build(
            root=builds_root / f"threads-{threads}",
            lake=lake,
            project_dir=project_dir,
            threads=threads,
        )
        for threads in (1, arguments.threads)
    ]
    for build in builds:
        build.prepare()
        started = time.perf_counter()
        progress(f"threads {build.threads}: dbt run --select +fct_related_artists")
        build.run("run", "--select", "+fct_related_artists")
        progress(f"threads {build.threads}: built in {time.perf_counter() - started:.1f} s")
        reported = build.duckdb_threads()
        if reported != build.threads:
            raise SystemExit(
                f"check_determinism: the build meant for {build.threads} DuckDB threads runs "
                f"with {reported}: the profile's setting did not take"
            )
    progress("comparing the marts")
    comparisons = compare_marts(builds[0].database, builds[1].database)
    duplicates = [duplicate_statistics(build.database) for build in builds]

    print(
        f"check_determinism: {arguments.artists:,} artists ({copies:,} exact copies), "
        f"project {project_dir}, DuckDB threads {builds[0].threads} vs {builds[1].threads} "
        "(both confirmed with current_setting('threads'))"
    )
    for comparison in comparisons:
        print(comparison.describe())
    for build, statistics in zip(builds, duplicates, strict=True):
        print(
            f"duplicates (threads {build.threads}): {statistics.pairs:,} pairs of artists with "
            f"identical audio profiles (the generator made {generated_pairs:,}), "
            f"{statistics.relatable_pairs:,} with a recommendable "
            f"member; {statistics.related_at_zero:,} related at distance exactly 0.0, "
            f"{statistics.related_elsewhere:,} at another distance, {statistics.missed:,} "
            "recommendable twins missing from a list with a non-zero distance"
        )
    # Every generated copy must be identical to its original to the last bit, and related
    # to it at exactly 0.0 wherever the list has room.
    duplicates_sound = all(
        statistics.pairs >= generated_pairs
        and statistics.related_elsewhere == 0
        and statistics.missed == 0
        for statistics in duplicates
    )
    identical = all(comparison.identical for comparison in comparisons)
    rows = sum(comparison.matched_rows for comparison in comparisons)
    if identical and duplicates_sound:
        print(
            f"verdict: IDENTICAL: {rows:,} rows of dim_artists and fct_related_artists are bit "
            f"for bit the same with {builds[0].threads} and {builds[1].threads} DuckDB threads"
        )
        return 0
    differing = ", ".join(
        f"{comparison.table} {comparison.differing_rows:,} rows"
        for comparison in comparisons
        if not comparison.identical
    )
    problems = [f"builds DIFFER ({differing})"] if not identical else []
    if not duplicates_sound:
        problems.append(
            "duplicates are not all identical, or not all related at distance exactly 0.0"
        )
    print(f"verdict: FAILED: {'; '.join(problems)}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
