"""The scale benchmark's results and their report: results-<method>.md, .json and the plot.

``SizeResult`` is one size's measurements; ``write_report`` writes the Markdown table (with
the method's settings above it and the bit-identity counts below), the JSON record and
related_artists_scaling-<method>.png; ``saved_results`` reads a JSON record back (for
``--replot``), including the first run's bare list.
"""

from __future__ import annotations

import json
import os
import pathlib
from dataclasses import asdict, dataclass

from benchmarks.process_timing import Measurement
from benchmarks.reference_comparison import TOLERANCE
from benchmarks.similarity_methods import original_method


@dataclass
class SizeResult:
    artists: int
    mart: Measurement
    mart_sql_seconds: float
    reference: Measurement
    identical: bool
    rows_compared: int = 0
    distances_not_bit_identical: int = 0
    # The same KD-tree querying on every core (n_jobs=-1); absent from older records.
    threaded_reference: Measurement | None = None
    # The whole `dbt build` (staging through marts, seeds, data and unit tests), once;
    # absent from older records and with --no-full-build.
    build: Measurement | None = None
    # DUCKDB_MEMORY_LIMIT when the size ran (the profile's memory_limit); None: DuckDB's
    # default, 80% of RAM.
    duckdb_memory_limit: str | None = None

    @property
    def ratio(self) -> float:
        return self.mart.wall_seconds / self.reference.wall_seconds

    @property
    def threaded_ratio(self) -> float | None:
        if self.threaded_reference is None:
            return None
        return self.mart.wall_seconds / self.threaded_reference.wall_seconds


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
        threaded_reference=(
            Measurement(**entry["threaded_reference"]) if entry.get("threaded_reference") else None
        ),
        build=Measurement(**entry["build"]) if entry.get("build") else None,
        duckdb_memory_limit=entry.get("duckdb_memory_limit"),
    )


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


def plot_name(method: str) -> str:
    return f"related_artists_scaling-{method}.png"


def write_report(
    results: list[SizeResult], output: pathlib.Path, repeat: int, method: str, variables: dict
) -> pathlib.Path:
    """Write results-<method>.md, .json and the plot; return the .md's path."""
    report = output / f"results-{method}.md"
    report.write_text(
        report_header(repeat, method, variables)
        + "\n".join(results_table(results))
        + "\n"
        + report_footer(results)
    )
    (output / f"results-{method}.json").write_text(results_json(results, method, variables))
    plot(results, output / plot_name(method), method, variables)
    return report


def results_table(results: list[SizeResult]) -> list[str]:
    """The Markdown table's lines, one row per size."""
    lines = [
        "| artists | mart: dbt run (s) | of which SQL (s) | mart peak RSS (MB) "
        "| reference KD-tree (s) | reference peak RSS (MB) | ratio "
        "| KD-tree on every core (s) | ratio to it | identical | load "
        "| full dbt build (s) | its peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|",
    ]
    for result in results:
        threaded = result.threaded_reference
        threaded_cells = (
            f"{threaded.wall_seconds:.1f} | {result.threaded_ratio:.2f}" if threaded else "- | -"
        )
        build = result.build
        build_cells = f"{build.wall_seconds:.1f} | {build.peak_rss_mb:,.0f}" if build else "- | -"
        lines.append(
            f"| {result.artists:,} | {result.mart.wall_seconds:.1f} "
            f"| {result.mart_sql_seconds:.1f} | {result.mart.peak_rss_mb:,.0f} "
            f"| {result.reference.wall_seconds:.1f} | {result.reference.peak_rss_mb:,.0f} "
            f"| {result.ratio:.2f} | {threaded_cells} | {'yes' if result.identical else 'NO'} "
            f"| {result.mart.load_average:.1f} | {build_cells} |"
        )
    return lines


def report_header(repeat: int, method: str, variables: dict) -> str:
    """The method's settings and what was timed, above the table."""
    settings = ", ".join(
        f"{name} = {', '.join(value) if isinstance(value, list) else value}"
        for name, value in variables.items()
    )
    candidates = (
        "every artist is a candidate"
        if variables["min_related_track_count"] <= 1
        else f"candidates = artists with at least {variables['min_related_track_count']} tracks"
    )
    return (
        f"Method `{method}`: {settings} ({candidates}).\n\n"
        f"{runs_timed(repeat)}, on {os.cpu_count()} cores; load = 1-minute load "
        "average when the mart run started (other work shared the machine).\n"
        "Mart = `dbt run` of the similarity chain as a whole process (dim_artists "
        "already built); reference = `python -m benchmarks.reference_knn` as a whole process "
        "over the same vectors exported to parquet, querying on one thread (scikit-learn's "
        "default) and on every core (`--jobs -1`); ratio = mart / reference; identical = "
        f"same neighbours in the same order, distances within {TOLERANCE:g}. Full dbt build "
        "= `dbt build` of the whole project on the same lake, once, as a whole process: "
        "staging through the marts, the seeds, every data and unit test (what a user waits "
        "for).\n\n"
    )


def runs_timed(repeat: int) -> str:
    """How many runs each size's figures are the fastest of."""
    return "One run at each size" if repeat == 1 else f"Fastest of {repeat} runs each"


def report_footer(results: list[SizeResult]) -> str:
    """How many distances are not bit-identical, and the sizes run under a memory limit,
    below the table."""
    inexact = ", ".join(
        f"{result.artists:,}: {result.distances_not_bit_identical:,} of {result.rows_compared:,}"
        for result in results
    )
    footer = f"\nDistances not bit-identical to the reference's (artists: rows): {inexact}.\n"
    limited = ", ".join(
        f"{result.artists:,}: {result.duckdb_memory_limit}"
        for result in results
        if result.duckdb_memory_limit
    )
    if limited:
        footer += (
            f"\nRun with `DUCKDB_MEMORY_LIMIT` (artists: limit; the others with DuckDB's "
            f"default, 80% of RAM): {limited}.\n"
        )
    return footer


def results_json(results: list[SizeResult], method: str, variables: dict) -> str:
    """The JSON record: the method, its vars and every size's result with its ratio."""
    record = {
        "method": method,
        "variables": variables,
        "results": [{**asdict(result), "ratio": result.ratio} for result in results],
    }
    return json.dumps(record, indent=2) + "\n"


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
    threaded = [r for r in results if r.threaded_reference is not None]
    if threaded:
        axes.loglog(
            [r.artists for r in threaded],
            [r.threaded_reference.wall_seconds for r in threaded],
            "s:",
            label="KD-tree on every core",
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
