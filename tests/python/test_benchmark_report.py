"""The scale benchmark's report says how many runs it timed and which sizes ran under a
DuckDB memory limit, and its JSON record reads back to the same results (what --replot and
merged runs rely on)."""

from __future__ import annotations

import json

from benchmarks.benchmark_report import (
    SizeResult,
    report_footer,
    results_json,
    runs_timed,
    saved_results,
)
from benchmarks.process_timing import Measurement


def size_result(artists: int, memory_limit: str | None) -> SizeResult:
    return SizeResult(
        artists=artists,
        mart=Measurement(wall_seconds=20.0, peak_rss_mb=600.0, load_average=1.0),
        mart_sql_seconds=15.0,
        reference=Measurement(wall_seconds=5.0, peak_rss_mb=300.0, load_average=1.0),
        identical=True,
        rows_compared=3 * artists,
        duckdb_memory_limit=memory_limit,
    )


def test_the_footer_names_the_sizes_run_under_a_memory_limit():
    footer = report_footer([size_result(100_000, None), size_result(3_000_000, "8GB")])

    assert "3,000,000: 8GB" in footer
    assert "100,000: 8GB" not in footer


def test_the_footer_says_nothing_of_a_limit_when_none_was_set():
    assert "DUCKDB_MEMORY_LIMIT" not in report_footer([size_result(100_000, None)])


def test_the_header_says_one_run_rather_than_the_fastest_of_one():
    assert runs_timed(1) == "One run at each size"
    assert runs_timed(3) == "Fastest of 3 runs each"


def test_the_json_record_reads_back_to_the_same_results(tmp_path):
    results = [size_result(100_000, None), size_result(3_000_000, "8GB")]
    path = tmp_path / "results-default.json"
    path.write_text(results_json(results, "default", {"top_k": 3}))

    read_back, method, variables = saved_results(path)

    assert read_back == results
    assert (method, variables) == ("default", {"top_k": 3})
    assert json.loads(path.read_text())["results"][1]["duckdb_memory_limit"] == "8GB"
