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
  exported vectors, writing its result to parquet.

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
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass

import duckdb

from benchmarks.dbt_workspace import DbtWorkspace
from benchmarks.generate_lake import write_lake
from benchmarks.similarity_methods import original_method, project_similarity_vars

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCHMARKS = PROJECT_ROOT / "benchmarks"
METHODS = ("default", "original")
TOLERANCE = 1e-9
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


def plot_name(method: str) -> str:
    return f"related_artists_scaling-{method}.png"


@dataclass
class Measurement:
    """One timed whole process."""

    wall_seconds: float
    peak_rss_mb: float
    load_average: float


@dataclass
class SizeResult:
    artists: int
    mart: Measurement
    mart_sql_seconds: float
    reference: Measurement
    identical: bool
    rows_compared: int = 0
    distances_not_bit_identical: int = 0

    @property
    def ratio(self) -> float:
        return self.mart.wall_seconds / self.reference.wall_seconds


def size_result(entry: dict) -> SizeResult:
    """A SizeResult back from its results.json entry."""
    return SizeResult(
        artists=entry["artists"],
        mart=Measurement(**entry["mart"]),
        mart_sql_seconds=entry["mart_sql_seconds"],
        reference=Measurement(**entry["reference"]),
        identical=entry["identical"],
        rows_compared=entry.get("rows_compared", 0),
        distances_not_bit_identical=entry.get("distances_not_bit_identical", 0),
    )


# Runs the command given after the result file and writes its wall time, peak RSS and exit
# code there. Linux carries a process's peak RSS across fork and exec, so a child of this
# (large) benchmark process would report at least this process's own peak RSS (the lake
# generation, the result comparisons); a child of this small launcher starts from ~12 MB.
LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - started
with open(sys.argv[1], "w") as result:
    json.dump({"wall": elapsed, "maxrss_kb": usage.ru_maxrss,
               "exit": os.waitstatus_to_exitcode(status)}, result)
"""


def timed(command: list[str], environment: dict[str, str], cwd: pathlib.Path) -> Measurement:
    """Run ``command`` to completion; its wall time and peak RSS (its own rusage, through
    the small LAUNCHER process so that this process's memory does not count)."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        result_file = pathlib.Path(folder) / "timing.json"
        process = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(result_file), *command],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        timing = json.loads(result_file.read_text()) if result_file.exists() else {"exit": -1}
    if process.returncode != 0 or timing["exit"] != 0:
        tail = process.stdout.decode(errors="replace")[-4000:]
        raise SystemExit(f"run_benchmark: {' '.join(command[:3])} failed:\n{tail}")
    return Measurement(timing["wall"], timing["maxrss_kb"] / 1024, load)


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


def compare_results(workspace: Workspace) -> tuple[bool, int, int]:
    """(identical, rows compared, distances that are not bit-identical)."""
    with duckdb.connect(str(workspace.database), read_only=True) as connection:
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
            full join read_parquet('{workspace.reference_output}') as reference
                on
                    mart.artist_id = reference.artist_id
                    and mart.similarity_rank = reference.similarity_rank
            """
        ).fetchall()
    progress(
        f"{workspace.artists}: {rows} rows compared, {mismatches} differ, "
        f"{inexact} distances not bit-identical"
    )
    return rows > 0 and mismatches == 0, rows, inexact


def measure(workspace: Workspace, variables: str, top_k: int, repeat: int) -> SizeResult:
    environment = workspace.environment()
    mart_runs, sql_times, reference_runs = [], [], []
    for attempt in range(1, repeat + 1):
        progress(f"{workspace.artists}: dbt run, similarity chain ({attempt}/{repeat})")
        mart_runs.append(
            timed(
                workspace.dbt_command("run", *SIMILARITY_CHAIN, "--vars", variables),
                environment,
                workspace.root,
            )
        )
        sql_times.append(mart_sql_seconds(workspace))
        progress(f"{workspace.artists}: reference KD-tree ({attempt}/{repeat})")
        reference_runs.append(
            timed(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.reference_knn",
                    str(workspace.vectors),
                    str(workspace.reference_output),
                    "--top-k",
                    str(top_k),
                ],
                environment,
                PROJECT_ROOT,
            )
        )
    best_mart = min(range(repeat), key=lambda index: mart_runs[index].wall_seconds)
    identical, rows, inexact = compare_results(workspace)
    return SizeResult(
        artists=workspace.artists,
        mart=mart_runs[best_mart],
        mart_sql_seconds=sql_times[best_mart],
        reference=min(reference_runs, key=lambda run: run.wall_seconds),
        identical=identical,
        rows_compared=rows,
        distances_not_bit_identical=inexact,
    )


def write_report(
    results: list[SizeResult], output: pathlib.Path, repeat: int, method: str, variables: dict
) -> pathlib.Path:
    """Write results-<method>.md, .json and the plot; return the .md's path."""
    lines = [
        "| artists | mart: dbt run (s) | of which SQL (s) | mart peak RSS (MB) "
        "| reference KD-tree (s) | reference peak RSS (MB) | ratio | identical | load |",
        "|---:|---:|---:|---:|---:|---:|---:|:---:|---:|",
    ]
    for result in results:
        lines.append(
            f"| {result.artists:,} | {result.mart.wall_seconds:.1f} "
            f"| {result.mart_sql_seconds:.1f} | {result.mart.peak_rss_mb:,.0f} "
            f"| {result.reference.wall_seconds:.1f} | {result.reference.peak_rss_mb:,.0f} "
            f"| {result.ratio:.2f} | {'yes' if result.identical else 'NO'} "
            f"| {result.mart.load_average:.1f} |"
        )
    settings = ", ".join(
        f"{name} = {', '.join(value) if isinstance(value, list) else value}"
        for name, value in variables.items()
    )
    candidates = (
        "every artist is a candidate"
        if variables["min_related_track_count"] <= 1
        else f"candidates = artists with at least {variables['min_related_track_count']} tracks"
    )
    header = (
        f"Method `{method}`: {settings} ({candidates}).\n\n"
        f"Fastest of {repeat} runs each, on {os.cpu_count()} cores; load = 1-minute load "
        "average when the mart run started (other work shared the machine).\n"
        "Mart = `dbt run` of the similarity chain as a whole process (dim_artists "
        "already built); reference = `python -m benchmarks.reference_knn` as a whole process "
        "over the same vectors exported to parquet; ratio = mart / reference; identical = "
        f"same neighbours in the same order, distances within {TOLERANCE:g}.\n\n"
    )
    inexact = ", ".join(
        f"{result.artists:,}: {result.distances_not_bit_identical:,} of {result.rows_compared:,}"
        for result in results
    )
    footer = f"\nDistances not bit-identical to the reference's (artists: rows): {inexact}.\n"
    report = output / f"results-{method}.md"
    report.write_text(header + "\n".join(lines) + "\n" + footer)
    (output / f"results-{method}.json").write_text(
        json.dumps(
            {
                "method": method,
                "variables": variables,
                "results": [{**asdict(result), "ratio": result.ratio} for result in results],
            },
            indent=2,
        )
        + "\n"
    )
    plot(results, output / plot_name(method), method, variables)
    return report


def saved_results(path: pathlib.Path) -> tuple[list[SizeResult], str, dict]:
    """Results, method and vars back from a results JSON (results.json, the first run's
    record, is a bare list: the original method)."""
    saved = json.loads(path.read_text())
    if isinstance(saved, list):
        return [size_result(entry) for entry in saved], "original", original_method()
    return (
        [size_result(entry) for entry in saved["results"]],
        saved["method"],
        saved["variables"],
    )


def plot(results: list[SizeResult], path: pathlib.Path, method: str, variables: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [result.artists for result in results]
    figure, axes = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    axes.loglog(sizes, [r.mart.wall_seconds for r in results], "o-", label="mart: dbt run (DuckDB)")
    axes.loglog(
        sizes, [r.mart_sql_seconds for r in results], "o--", label="mart: the model's SQL alone"
    )
    axes.loglog(
        sizes, [r.reference.wall_seconds for r in results], "s-", label="scikit-learn KD-tree"
    )
    axes.set_xlabel("artists")
    axes.set_ylabel("wall time (s)")
    axes.set_title(
        f"Exact related artists ({method}: k = {variables['top_k']}, "
        f"{len(variables['similarity_features'])} features)"
    )
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def progress(message: str) -> None:
    print(f"[run_benchmark] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,30000,100000,300000")
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="default",
        help="default: the vars of dbt_project.yml; original: the original course method",
    )
    parser.add_argument("--top-k", type=int, help="override the method's top_k")
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
    arguments = parser.parse_args(argv)
    output = pathlib.Path(arguments.output)
    if arguments.replot:
        results, method, variables = saved_results(output / f"results-{arguments.method}.json")
        plot(results, output / plot_name(method), method, variables)
        return 0
    try:
        sizes = [int(size) for size in arguments.sizes.split(",")]
    except ValueError:
        print(f"run_benchmark: --sizes must be integers, got {arguments.sizes!r}", file=sys.stderr)
        return 2
    settings = method_variables(arguments.method)
    if arguments.top_k is not None:
        if arguments.top_k < 1:
            print("run_benchmark: --top-k must be at least 1", file=sys.stderr)
            return 2
        settings["top_k"] = arguments.top_k
    variables = json.dumps(settings)
    progress(f"method {arguments.method}: {variables}")
    output.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        workspace = Workspace.for_size(pathlib.Path(arguments.work), size, arguments.method)
        prepare(workspace, variables)
        own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        progress(f"{size}: this process's own peak RSS so far {own_peak:.0f} MB")
        results.append(measure(workspace, variables, settings["top_k"], arguments.repeat))
        result = results[-1]
        progress(
            f"{size}: mart {result.mart.wall_seconds:.1f} s ({result.mart.peak_rss_mb:.0f} MB), "
            f"reference {result.reference.wall_seconds:.1f} s, ratio {result.ratio:.2f}, "
            f"identical {result.identical}"
        )
    report = write_report(results, output, arguments.repeat, arguments.method, settings)
    print(report.read_text())
    return 0 if all(result.identical for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
