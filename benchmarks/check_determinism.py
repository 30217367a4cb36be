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
from dataclasses import dataclass

from benchmarks.dbt_workspace import PROJECT_ROOT, DbtWorkspace
from benchmarks.determinism_report import DeterminismCheck, print_report
from benchmarks.duplicate_artists import copy_pairs, duplicate_statistics
from benchmarks.generate_lake import duplicate_sources, write_lake
from benchmarks.mart_comparison import compare_marts

PROGRAM = "check_determinism"


@dataclass(frozen=True)
class Build(DbtWorkspace):
    """One fresh DuckDB file built from the lake with a given DuckDB thread count."""

    threads: int = 1

    def prepare(self) -> None:
        if self.root.exists():
            shutil.rmtree(self.root)
        self.write_profiles(duckdb_threads=self.threads)

    def run(self, *arguments: str) -> str:
        return self.dbt(*arguments, program=PROGRAM)

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
    print(f"[{PROGRAM}] {message} (load {load:.1f})", file=sys.stderr, flush=True)


def lake_name(arguments: argparse.Namespace) -> str:
    """The work folder's name for this lake: size, duplicate fraction and seed."""
    return f"artists-{arguments.artists}-dup-{arguments.duplicate_fraction:g}-seed-{arguments.seed}"


def ensure_lake(lake: pathlib.Path, arguments: argparse.Namespace, copies: int) -> None:
    """Generate the lake unless a previous run did."""
    if (lake / "artists").exists():
        progress(f"reusing the lake {lake}")
        return
    progress(f"generating {arguments.artists:,} artists ({copies:,} exact copies) into {lake}")
    write_lake(str(lake), arguments.artists, arguments.seed, arguments.duplicate_fraction)


def run_build(build: Build) -> None:
    """``dbt run --select +fct_related_artists`` into a fresh DuckDB file, then confirm that
    DuckDB ran with the build's thread count."""
    build.prepare()
    started = time.perf_counter()
    progress(f"threads {build.threads}: dbt run --select +fct_related_artists")
    build.run("run", "--select", "+fct_related_artists")
    progress(f"threads {build.threads}: built in {time.perf_counter() - started:.1f} s")
    reported = build.duckdb_threads()
    if reported != build.threads:
        raise SystemExit(
            f"{PROGRAM}: the build meant for {build.threads} DuckDB threads runs "
            f"with {reported}: the profile's setting did not take"
        )


def check(arguments: argparse.Namespace) -> DeterminismCheck:
    """Generate (or reuse) the lake, build it twice and compare the builds."""
    project_dir = pathlib.Path(arguments.project_dir).resolve()
    folder = pathlib.Path(arguments.work) / lake_name(arguments)
    lake = folder / "lake"
    sources = duplicate_sources(arguments.artists, arguments.duplicate_fraction, arguments.seed)
    ensure_lake(lake, arguments, len(sources))
    builds = [
        Build(
            root=folder / f"builds-{project_dir.name}" / f"threads-{threads}",
            lake=lake,
            project_dir=project_dir,
            threads=threads,
        )
        for threads in (1, arguments.threads)
    ]
    for build in builds:
        run_build(build)
    progress("comparing the marts")
    comparisons = compare_marts(builds[0].database, builds[1].database)
    return DeterminismCheck(
        artists=arguments.artists,
        copies=len(sources),
        generated_pairs=copy_pairs(sources),
        project_dir=project_dir,
        threads=(builds[0].threads, builds[1].threads),
        comparisons=comparisons,
        duplicates=[duplicate_statistics(build.database) for build in builds],
    )


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
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
    return parser.parse_args(argv)


def argument_error(arguments: argparse.Namespace) -> str | None:
    """The one-line message for arguments out of range, if any."""
    if arguments.artists < 2 or arguments.threads < 2:
        return f"{PROGRAM}: --artists and --threads must be at least 2"
    if not 0.0 <= arguments.duplicate_fraction < 1.0:
        return f"{PROGRAM}: --duplicate-fraction must be in [0, 1)"
    return None


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    error = argument_error(arguments)
    if error:
        print(error, file=sys.stderr)
        return 2
    return print_report(check(arguments))


if __name__ == "__main__":
    raise SystemExit(main())
