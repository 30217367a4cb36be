"""Benchmark the related-artists mart against a purpose-built nearest-neighbour index.

``--method`` picks the similarity vars every dbt call gets: ``default`` (the project's
vars, as dbt_project.yml sets them) or ``original`` (the original course project's method:
six features, min-max, Euclidean, every artist recommendable). For each size: generate a
lake of that many artists (benchmarks/generate_lake.py), build everything up to dim_artists
(not timed), export the search-space vectors of dim_artists (the artists with
has_similarity_vector, with is_recommendable: who may be found) to parquet (not timed),
then time, each as a whole process:

- mart: ``dbt run`` of the similarity chain (every model from dim_artists to
  fct_related_artists) on DuckDB (dbt start-up, parsing and the
  model's SQL; dim_artists is already built). The model's own SQL time, as dbt reports it in
  run_results.json, is shown next to it;
- reference: ``python -m benchmarks.reference_knn`` (scikit-learn KD-tree) over the
  exported vectors, writing its result to parquet; once querying on one thread (the result
  compared) and once on every core (``--jobs -1``), the fair comparison on 2 cores;
- full build: ``dbt build`` of the whole project on the same lake, once (staging through
  the marts, the seeds, every data and unit test: what a user waits for; skip it with
  ``--no-full-build``).

``--features a,b,c`` replaces the method's ``similarity_features`` (results then go to
results-<method>-<n>-features.*).

Each is run ``--repeat`` times and the fastest run is kept (other work may share the
machine; the load average is recorded). Peak RSS is the child process's maximum resident
set size (os.wait4, taken by a small launcher process: Linux would otherwise count this
process's own peak in every child's). Both results must be identical (same neighbours in
the same order, distances within 1e-9; how many distances are not bit-identical is counted
too) or the benchmark fails. Writes benchmarks/results-<method>.md, results-<method>.json and
related_artists_scaling-<method>.png (results.md, results.json and
related_artists_scaling.png are the record of the first run, before --method existed: the
original method, on the models of that time).

    .venv/bin/python -m benchmarks.run_benchmark --sizes 10000,30000,100000,300000
    .venv/bin/python -m benchmarks.run_benchmark --sizes 100000 --method original
    .venv/bin/python -m benchmarks.run_benchmark --sizes 1000000 --features \
        danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import sys
from dataclasses import dataclass

import duckdb

from benchmarks.benchmark_report import SizeResult, plot, plot_name, saved_results, write_report
from benchmarks.dbt_workspace import PROJECT_ROOT, DbtWorkspace
from benchmarks.generate_lake import write_lake
from benchmarks.process_timing import timed
from benchmarks.reference_comparison import ReferenceComparison, compare_with_reference
from benchmarks.similarity_methods import (
    AUDIO_FEATURES,
    original_method,
    project_similarity_vars,
)

BENCHMARKS = PROJECT_ROOT / "benchmarks"
METHODS = ("default", "original")
PROGRAM = "run_benchmark"
# Every model fct_related_artists needs that is not dim_artists or built before it: the
# whole nearest-neighbour search, however many models it is split into.
SIMILARITY_CHAIN = ("--select", "+fct_related_artists", "--exclude", "+dim_artists")


def method_variables(method: str, project_root: pathlib.Path = PROJECT_ROOT) -> dict:
    """The similarity vars of ``method``: default = dbt_project.yml's, original = the
    original course method."""
    if method == "original":
        return original_method()
    if method != "default":
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    return project_similarity_vars(project_root)


@dataclass(frozen=True)
class Workspace(DbtWorkspace):
    """A lake, a DuckDB file and dbt state for one size and method."""

    artists: int = 0
    method: str = "default"

    @classmethod
    def for_size(cls, root: pathlib.Path, artists: int, method: str) -> Workspace:
        folder = root / f"artists-{artists}"
        workspace = cls(root=folder, lake=folder / "lake", artists=artists, method=method)
        workspace.write_profiles()
        return workspace

    @property
    def vectors(self) -> pathlib.Path:
        return self.root / f"vectors-{self.method}.parquet"

    @property
    def reference_output(self) -> pathlib.Path:
        return self.root / f"reference-{self.method}.parquet"


def prepare(workspace: Workspace, variables: str) -> None:
    """Generate the lake, build up to dim_artists and export its vectors (all untimed):
    the search space (has_similarity_vector) with who may be found (is_recommendable)."""
    if not (workspace.lake / "artists").exists():
        progress(f"{workspace.artists}: generating the lake")
        write_lake(str(workspace.lake), workspace.artists)
    progress(f"{workspace.artists}: building staging, intermediate and dim_artists")
    timed(
        workspace.dbt_command("run", "--select", "+dim_artists", "--vars", variables),
        workspace.environment(),
        workspace.root,
        PROGRAM,
    )
    features = json.loads(variables)["similarity_features"]
    columns = ", ".join(f"{feature}_normalised" for feature in features)
    with duckdb.connect(str(workspace.database)) as connection:
        connection.execute(
            f"copy (select artist_id, {columns}, is_recommendable from dim_artists "
            f"where has_similarity_vector) to '{workspace.vectors}' (format parquet)"
        )


def mart_sql_seconds(workspace: Workspace) -> float:
    """The SQL time of every model of the similarity chain, as dbt reports it."""
    results = json.loads((workspace.root / "target" / "run_results.json").read_text())
    return sum(float(result["execution_time"]) for result in results["results"])


def reference_command(workspace: Workspace, top_k: int, every_core: bool = False) -> list[str]:
    """``python -m benchmarks.reference_knn`` over the workspace's exported vectors, its
    query on one thread or on every core (its output then beside the compared one)."""
    output = workspace.reference_output
    if every_core:
        output = output.with_name(f"{output.stem}-every-core{output.suffix}")
    command = [
        sys.executable,
        "-m",
        "benchmarks.reference_knn",
        str(workspace.vectors),
        str(output),
        "--top-k",
        str(top_k),
    ]
    return [*command, "--jobs", "-1"] if every_core else command


def compare_results(workspace: Workspace) -> ReferenceComparison:
    """The mart against the reference's result, with a line of progress."""
    comparison = compare_with_reference(workspace.database, workspace.reference_output)
    progress(
        f"{workspace.artists}: {comparison.rows} rows compared, {comparison.mismatches} differ, "
        f"{comparison.inexact} distances not bit-identical"
    )
    return comparison


def measure(workspace: Workspace, variables: str, top_k: int, repeat: int) -> SizeResult:
    """Time the similarity chain and the reference ``repeat`` times each (fastest kept) and
    compare their results."""
    environment = workspace.environment()
    mart_runs, sql_times, reference_runs, threaded_runs = [], [], [], []
    for attempt in range(1, repeat + 1):
        progress(f"{workspace.artists}: dbt run, similarity chain ({attempt}/{repeat})")
        mart_runs.append(
            timed(
                workspace.dbt_command("run", *SIMILARITY_CHAIN, "--vars", variables),
                environment,
                workspace.root,
                PROGRAM,
            )
        )
        sql_times.append(mart_sql_seconds(workspace))
        progress(f"{workspace.artists}: reference KD-tree ({attempt}/{repeat})")
        reference_runs.append(
            timed(reference_command(workspace, top_k), environment, PROJECT_ROOT, PROGRAM)
        )
        progress(f"{workspace.artists}: reference KD-tree on every core ({attempt}/{repeat})")
        threaded_runs.append(
            timed(reference_command(workspace, top_k, True), environment, PROJECT_ROOT, PROGRAM)
        )
    best_mart = min(range(repeat), key=lambda index: mart_runs[index].wall_seconds)
    comparison = compare_results(workspace)
    return SizeResult(
        artists=workspace.artists,
        mart=mart_runs[best_mart],
        mart_sql_seconds=sql_times[best_mart],
        reference=min(reference_runs, key=lambda run: run.wall_seconds),
        threaded_reference=min(threaded_runs, key=lambda run: run.wall_seconds),
        identical=comparison.identical,
        rows_compared=comparison.rows,
        distances_not_bit_identical=comparison.inexact,
        duckdb_memory_limit=os.environ.get("DUCKDB_MEMORY_LIMIT") or None,
    )


def benchmark_size(
    work: pathlib.Path, size: int, method: str, settings: dict, repeat: int, full_build: bool
) -> SizeResult:
    """One size, from its lake to its result, with progress on stderr."""
    variables = json.dumps(settings)
    workspace = Workspace.for_size(work, size, method)
    prepare(workspace, variables)
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    progress(f"{size}: this process's own peak RSS so far {own_peak:.0f} MB")
    result = measure(workspace, variables, settings["top_k"], repeat)
    progress(
        f"{size}: mart {result.mart.wall_seconds:.1f} s ({result.mart.peak_rss_mb:.0f} MB), "
        f"reference {result.reference.wall_seconds:.1f} s, ratio {result.ratio:.2f}, "
        f"identical {result.identical}"
    )
    if full_build:
        progress(f"{size}: dbt build, the whole project")
        result.build = timed(
            workspace.dbt_command("build", "--vars", variables),
            workspace.environment(),
            workspace.root,
            PROGRAM,
        )
        progress(
            f"{size}: dbt build {result.build.wall_seconds:.1f} s "
            f"({result.build.peak_rss_mb:.0f} MB)"
        )
    return result


def progress(message: str) -> None:
    print(f"[{PROGRAM}] {message}", file=sys.stderr, flush=True)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,30000,100000,300000")
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="default",
        help="default: the vars of dbt_project.yml; original: the original course method",
    )
    parser.add_argument("--top-k", type=int, help="override the method's top_k")
    parser.add_argument(
        "--features", help="comma-separated audio features, instead of the method's"
    )
    parser.add_argument(
        "--full-build",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the whole project's dbt build once per size (default: yes)",
    )
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--work", default="/tmp/related-artists-benchmark", help="lakes and warehouses"
    )
    parser.add_argument("--output", default=str(BENCHMARKS), help="where results go")
    parser.add_argument(
        "--replot",
        action="store_true",
        help="redraw the plot from results-<method>.json and stop",
    )
    return parser.parse_args(argv)


def replot(output: pathlib.Path, method: str) -> int:
    results, saved_method, variables = saved_results(output / f"results-{method}.json")
    plot(results, output / plot_name(saved_method), saved_method, variables)
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    output = pathlib.Path(arguments.output)
    if arguments.replot:
        return replot(output, arguments.method)
    try:
        sizes = [int(size) for size in arguments.sizes.split(",")]
    except ValueError:
        print(f"{PROGRAM}: --sizes must be integers, got {arguments.sizes!r}", file=sys.stderr)
        return 2
    settings = method_variables(arguments.method)
    if arguments.top_k is not None:
        if arguments.top_k < 1:
            print(f"{PROGRAM}: --top-k must be at least 1", file=sys.stderr)
            return 2
        settings["top_k"] = arguments.top_k
    name = arguments.method
    if arguments.features:
        features = arguments.features.split(",")
        if unknown := sorted(set(features) - set(AUDIO_FEATURES)):
            print(
                f"{PROGRAM}: unknown audio features {', '.join(unknown)}; "
                f"one or more of {', '.join(AUDIO_FEATURES)}",
                file=sys.stderr,
            )
            return 2
        settings["similarity_features"] = features
        name = f"{arguments.method}-{len(features)}-features"
    progress(f"method {name}: {json.dumps(settings)}")
    output.mkdir(parents=True, exist_ok=True)
    results = [
        benchmark_size(
            pathlib.Path(arguments.work),
            size,
            name,
            settings,
            arguments.repeat,
            arguments.full_build,
        )
        for size in sizes
    ]
    report = write_report(results, output, arguments.repeat, name, settings)
    print(report.read_text())
    return 0 if all(result.identical for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
