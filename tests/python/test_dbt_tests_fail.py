"""The dbt data tests can fail: break a built mart on purpose and see the right tests fail."""

from __future__ import annotations

import json

import duckdb
import pytest

from benchmarks.similarity_methods import ORIGINAL_METHOD
from tests.python.dbt_runner import DbtWorkspace
from tests.python.synthetic_lake import write_synthetic_lake

# One track per artist: built with the original method, where everybody is recommendable.
ORIGINAL_VARS = [
    "--vars",
    json.dumps({**ORIGINAL_METHOD, "similarity_features": ["energy", "valence"]}),
]


@pytest.fixture
def built(tmp_path) -> DbtWorkspace:
    workspace = DbtWorkspace.create(tmp_path)
    profiles = {
        f"artist-{index}": {"energy": index / 10, "valence": 1 - index / 10} for index in range(8)
    }
    write_synthetic_lake(workspace.lake_uri, profiles)
    workspace.dbt(["build", "--exclude", "resource_type:unit_test", *ORIGINAL_VARS])
    return workspace


def failing_tests(workspace: DbtWorkspace) -> set[str]:
    result = workspace.dbt(
        ["test", "--select", "fct_related_artists dim_artists", *ORIGINAL_VARS], check=False
    )
    assert result.returncode != 0, result.stdout
    run_results = json.loads((workspace.root / "target-duckdb" / "run_results.json").read_text())
    return {
        item["unique_id"].split(".")[2]
        for item in run_results["results"]
        if item["status"] == "fail"
    }


def tamper(workspace: DbtWorkspace, sql: str) -> None:
    with duckdb.connect(str(workspace.duckdb_path)) as connection:
        connection.execute(sql)


def test_a_self_pair_and_a_duplicate_pair_fail(built: DbtWorkspace) -> None:
    tamper(
        built,
        "insert into fct_related_artists select artist_id, artist_id, 0.0, 4, 1.0 "
        "from dim_artists where artist_id = 'artist-1'; "
        "insert into fct_related_artists select * from fct_related_artists "
        "where artist_id = 'artist-2' and similarity_rank = 1",
    )
    failed = failing_tests(built)
    assert any(name.startswith("not_equal_to_column_fct_related_artists") for name in failed)
    assert any(
        name.startswith("unique_combination_of_columns_fct_related_artists_artist_id__related")
        for name in failed
    )
    assert "assert_related_artists_count_per_artist" in failed
    assert any(
        name.startswith("accepted_range_fct_related_artists_similarity_rank") for name in failed
    )


def test_a_manhattan_distance_fails(built: DbtWorkspace) -> None:
    # A distance beyond sqrt(6) (the default six features) that is also asymmetric and out of
    # rank order: what a "Euclidean" that is really a sum of absolute differences could give.
    tamper(
        built,
        "update fct_related_artists set distance = 2.6 "
        "where artist_id = 'artist-0' and similarity_rank = 1",
    )
    failed = failing_tests(built)
    assert any(name.startswith("accepted_range_fct_related_artists_distance") for name in failed)
    assert "assert_related_artists_distance_symmetric" in failed
    assert "assert_related_artists_are_nearest" in failed


def test_normalised_feature_out_of_range_fails(built: DbtWorkspace) -> None:
    tamper(built, "update dim_artists set energy_normalised = 1.5 where artist_id = 'artist-3'")
    failed = failing_tests(built)
    assert any(name.startswith("accepted_range_dim_artists_energy_normalised") for name in failed)


def test_a_missed_neighbour_fails(built: DbtWorkspace) -> None:
    # What a grid walk that skipped a cell would give: artist-0's third related artist is a
    # farther one, at a distance beyond its second's, so the ranks stay in distance order
    # and only the brute-force comparison can tell.
    tamper(
        built,
        "update fct_related_artists set related_artist_id = 'artist-7', distance = "
        "sqrt(2 * 0.7 * 0.7) where artist_id = 'artist-0' and similarity_rank = 3",
    )
    failed = failing_tests(built)
    assert "assert_related_artists_match_brute_force" in failed
    assert "assert_related_artists_are_nearest" not in failed
