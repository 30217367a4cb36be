"""Benchmark the related-artists mart against a purpose-built nearest-neighbour index.

For each size: generate a lake of that many artists (benchmarks/generate_lake.py), build
everything up to dim_artists (not timed), export the normalised vectors of dim_artists to
parquet (not timed), then time, each as a whole process:

- mart: ``dbt run --select fct_related_artists`` on DuckDB (dbt start-up, parsing and the
  model's SQL; dim_artists is already built). The model's own SQL time, as dbt reports it in
  run_results.json, is shown next to it;
- reference: ``python -m benchmarks.reference_knn`` (scikit-learn KD-tree) over the
  exported vectors, writing its result to parquet.

Each is run ``--repeat`` times and the fastest run is kept (other work may share the
machine; the load average is recorded). Peak RSS is the child process's maximum resident
set size (os.wait4). Both results must be identical (same neighbours in the same order,
distances within 1e-9) or the benchmark fails. Writes benchmarks/results.md, results.json
and related_artists_scaling.png.

    .venv/bin/python -m benchmarks.run_benchmark --sizes 10000,30000,100000,300000
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

import duckdb

from benchmarks.generate_lake import write_lake

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
BENCHMARKS = PROJECT_ROOT / "benchmarks"
DBT = pathlib.Path(sys.executable).with_name("dbt")
DEFAULT_FEATURES = [
    "danceability",
    "energy",
    "loudness",
    "speechiness",
    "acousticness",
    "instrumentalness",
]
TOLERANCE = 1e-9
PLOT = "related_artists_scaling.png"


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
    )


def timed(command: list[str], environment: dict[str, str], cwd: pathlib.Path) -> Measurement:
    """Run ``command`` to completion; its wall time and peak RSS (its own rusage)."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        tail = output.decode(errors="replace")[-4000:]
        raise SystemExit(f"run_benchmark: {' '.join(command[:3])} failed:\n{tail}")
    return Measurement(elapsed, usage.ru_maxrss / 1024, load)


class Workspace:
    """A lake, a DuckDB file and dbt state for one size."""

    def __init__(self, root: pathlib.Path, artists: int) -> None:
        self.root = root / f"artists-{artists}"
        self.artists = artists
        self.lake = self.root / "lake"
        self.database = self.root / "warehouse.duckdb"
        self.vectors = self.root / "vectors.parquet"
        self.reference_output = self.root / "reference.parquet"
        (self.root / "profiles").mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / "profiles.example.yml", self.root / "profiles" / "profiles.yml")

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "LAKE_URI": str(self.lake),
            "DUCKDB_PATH": str(self.database),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_LOG_PATH": str(self.root / "logs"),
        }

    def dbt_command(self, *arguments: str) -> list[str]:
        return [
            str(DBT),
            *arguments,
            "--target",
            "duckdb",
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(self.root / "profiles"),
            "--target-path",
            str(self.root / "target"),
        ]


def prepare(workspace: Workspace, variables: str) -> None:
    """Generate the lake, build up to dim_artists and export its vectors (all untimed)."""
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
            f"copy (select artist_id, {columns} from dim_artists where has_audio_features) "
            f"to '{workspace.vectors}' (format parquet)"
        )


def mart_sql_seconds(workspace: Workspace) -> float:
    results = json.loads((workspace.root / "target" / "run_results.json").read_text())
    [model] = [r for r in results["results"] if r["unique_id"].endswith("fct_related_artists")]
    return float(model["execution_time"])


def results_identical(workspace: Workspace) -> bool:
    with duckdb.connect(str(workspace.database), read_only=True) as connection:
        [(rows, mismatches)] = connection.execute(
            f"""
            select
                count(*),
                count(*) filter (
                    where mart.related_artist_id is distinct from reference.related_artist_id
                    or not abs(mart.distance - reference.distance) <= {TOLERANCE}
                )
            from fct_related_artists as mart
            full join read_parquet('{workspace.reference_output}') as reference
                on
                    mart.artist_id = reference.artist_id
                    and mart.similarity_rank = reference.similarity_rank
            """
        ).fetchall()
    progress(f"{workspace.artists}: {rows} rows compared, {mismatches} differ")
    return rows > 0 and mismatches == 0


def measure(workspace: Workspace, variables: str, top_k: int, repeat: int) -> SizeResult:
    environment = workspace.environment()
    mart_runs, sql_times, reference_runs = [], [], []
    for attempt in range(1, repeat + 1):
        progress(f"{workspace.artists}: dbt run fct_related_artists ({attempt}/{repeat})")
        mart_runs.append(
            timed(
                workspace.dbt_command(
                    "run", "--select", "fct_related_artists", "--vars", variables
                ),
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
    return SizeResult(
        artists=workspace.artists,
        mart=mart_runs[best_mart],
        mart_sql_seconds=sql_times[best_mart],
        reference=min(reference_runs, key=lambda run: run.wall_seconds),
        identical=results_identical(workspace),
    )


def write_report(results: list[SizeResult], output: pathlib.Path, repeat: int) -> None:
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
    header = (
        f"Fastest of {repeat} runs each, on {os.cpu_count()} cores; load = 1-minute load "
        "average when the mart run started (other work shared the machine).\n"
        "Mart = `dbt run --select fct_related_artists` as a whole process (dim_artists "
        "already built); reference = `python -m benchmarks.reference_knn` as a whole process "
        "over the same vectors exported to parquet; ratio = mart / reference.\n\n"
    )
    (output / "results.md").write_text(header + "\n".join(lines) + "\n")
    (output / "results.json").write_text(
        json.dumps([{**asdict(result), "ratio": result.ratio} for result in results], indent=2)
        + "\n"
    )
    plot(results, output / PLOT)


def plot(results: list[SizeResult], path: pathlib.Path) -> None:
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
    axes.set_title("Exact related artists (k = 3, 6 features)")
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
    parser.add_argument("--top-k", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--work", default="/tmp/related-artists-benchmark", help="lakes and warehouses"
    )
    parser.add_argument("--output", default=str(BENCHMARKS), help="where results go")
    parser.add_argument(
        "--replot", action="store_true", help="redraw the plot from results.json and stop"
    )
    arguments = parser.parse_args(argv)
    if arguments.replot:
        saved = json.loads((pathlib.Path(arguments.output) / "results.json").read_text())
        plot([size_result(entry) for entry in saved], pathlib.Path(arguments.output) / PLOT)
        return 0
    try:
        sizes = [int(size) for size in arguments.sizes.split(",")]
    except ValueError:
        print(f"run_benchmark: --sizes must be integers, got {arguments.sizes!r}", file=sys.stderr)
        return 2
    variables = json.dumps({"similarity_features": DEFAULT_FEATURES, "top_k": arguments.top_k})
    pathlib.Path(arguments.output).mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        workspace = Workspace(pathlib.Path(arguments.work), size)
        prepare(workspace, variables)
        results.append(measure(workspace, variables, arguments.top_k, arguments.repeat))
        result = results[-1]
        progress(
            f"{size}: mart {result.mart.wall_seconds:.1f} s ({result.mart.peak_rss_mb:.0f} MB), "
            f"reference {result.reference.wall_seconds:.1f} s, ratio {result.ratio:.2f}, "
            f"identical {result.identical}"
        )
    write_report(results, pathlib.Path(arguments.output), arguments.repeat)
    print((pathlib.Path(arguments.output) / "results.md").read_text())
    return 0 if all(result.identical for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
