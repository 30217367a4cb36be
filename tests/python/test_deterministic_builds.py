"""Two builds of the same lake give bit-identical marts, whatever DuckDB's thread count.

A small generated lake (benchmarks/generate_lake.py, some artists exact copies of others)
is built twice, ``dbt run --select +fct_related_artists`` into fresh DuckDB files, with
DuckDB ``threads: 1`` and ``threads: 4`` (the profile's duckdb output with
``settings: {threads: N}``). dim_artists and fct_related_artists must be the same bit for bit
(benchmarks/mart_comparison.py's comparison, which check_determinism uses at scale), and
identical artists must be related at distance exactly 0.0. The comparison itself is shown to
catch a one-ulp change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pytest

from benchmarks.check_determinism import SHOW_DUCKDB_THREADS, shown_duckdb_threads
from benchmarks.dbt_workspace import write_profiles
from benchmarks.duplicate_artists import copy_pairs, duplicate_statistics
from benchmarks.generate_lake import duplicate_sources, write_lake
from benchmarks.mart_comparison import MARTS, compare_marts, read_mart, table_differences
from tests.python.dbt_runner import PROJECT_ROOT, DbtWorkspace

ARTISTS = 3000
DUPLICATE_FRACTION = 0.05
SEED = 17
THREADS = (1, 4)


@dataclass(frozen=True)
class Builds:
    first: DbtWorkspace
    second: DbtWorkspace


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.mktemp("deterministic")
    lake = root / "lake"
    write_lake(str(lake), ARTISTS, seed=SEED, duplicate_fraction=DUPLICATE_FRACTION)
    workspaces = []
    for threads in THREADS:
        workspace = DbtWorkspace.create(root / f"threads-{threads}", lake_uri=str(lake))
        write_profiles(PROJECT_ROOT, workspace.root / "profiles", threads)
        workspace.dbt(["run", "--select", "+fct_related_artists"])
        workspaces.append(workspace)
    # The setting reached DuckDB (1 and 4 both differ from its default on this machine).
    assert shown_duckdb_threads(workspaces[1].dbt(list(SHOW_DUCKDB_THREADS)).stdout) == THREADS[1]
    return Builds(*workspaces)


def test_marts_are_bit_identical_across_thread_counts(builds: Builds) -> None:
    comparisons = compare_marts(builds.first.duckdb_path, builds.second.duckdb_path)
    assert [comparison.table for comparison in comparisons] == list(MARTS)
    for comparison in comparisons:
        assert comparison.identical, comparison.describe()
    dim_artists, related = comparisons
    assert dim_artists.matched_rows == ARTISTS
    assert related.matched_rows > ARTISTS  # everybody with a vector gets top_k = 3


def test_duplicates_are_related_at_distance_zero(builds: Builds) -> None:
    sources = duplicate_sources(ARTISTS, DUPLICATE_FRACTION, SEED)
    assert len(sources) == 150
    statistics = duplicate_statistics(builds.first.duckdb_path)
    # Every copy's profile equals its original's to the last bit (exact averages), and no
    # other artists happen to be identical.
    assert statistics.pairs == copy_pairs(sources)
    assert statistics.relatable_pairs > 0  # a twin with enough tracks to be recommended
    assert statistics.related_at_zero == statistics.relatable_pairs
    assert statistics.related_elsewhere == 0
    assert statistics.missed == 0


def test_the_comparison_catches_a_one_ulp_change(builds: Builds) -> None:
    related = read_mart(builds.first.duckdb_path, "fct_related_artists")
    keys = MARTS["fct_related_artists"]
    assert table_differences(related, related, keys).identical
    distances = related.column("distance").to_numpy().copy()
    row = int(np.flatnonzero(distances > 0)[0])
    distances[row] = np.nextafter(distances[row], np.inf)
    changed = related.set_column(
        related.column_names.index("distance"), "distance", pa.array(distances)
    )
    # Shuffled rows still match by key; only the changed row differs.
    shuffled = changed.take(np.random.default_rng(0).permutation(len(changed)))
    comparison = table_differences(related, shuffled, keys, "fct_related_artists")
    assert not comparison.identical
    assert comparison.differing_rows == 1
    assert comparison.differing_columns == {"distance": 1}
    assert comparison.example is not None and "distance" in comparison.example
    # 0.0 and -0.0 are equal as numbers but not bit for bit; a lost row counts too.
    zero = pa.table({"k": [1, 2], "x": [0.0, 1.0]})
    negative_zero = pa.table({"k": [1, 2], "x": [-0.0, 1.0]})
    assert table_differences(zero, negative_zero, ["k"]).differing_columns == {"x": 1}
    assert table_differences(zero, zero.slice(0, 1), ["k"]).only_left == 1


def test_the_comparison_sees_nulls_and_lists() -> None:
    left = pa.table({"k": ["a", "b", "c"], "genres": [["pop"], None, []], "n": [1, None, 3]})
    right = pa.table({"k": ["a", "b", "c"], "genres": [["rock"], None, None], "n": [1, 2, 3]})
    comparison = table_differences(left, right, ["k"])
    assert comparison.differing_rows == 3
    assert comparison.differing_columns == {"genres": 2, "n": 1}
