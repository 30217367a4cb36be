"""The grid-pruned related-artists search stays exact at scale (small, fast versions).

A generated lake (benchmarks/generate_lake.py: the real sample resampled with jitter) of a
few thousand artists, plus hand-made artists that stress the pruning: identical vectors
(duplicates), exact ties on a lattice, an artist alone in its region, artists on the faces
of the grid (coordinates 0, 0.5 and 1). The mart must equal brute force, and so must the
benchmark's KD-tree reference.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.generate_lake import write_lake
from benchmarks.reference_knn import nearest_neighbours
from benchmarks.similarity_methods import ORIGINAL_METHOD
from tests.python.dbt_runner import DbtWorkspace, default_similarity_features
from tests.python.nearest_neighbours import (
    Neighbours,
    assert_same_neighbours,
    exact_nearest_neighbours,
    read_normalised_vectors,
    read_related_artists,
)
from tests.python.synthetic_lake import write_synthetic_lake

FEATURES = ORIGINAL_METHOD["similarity_features"]
DEFAULT_FEATURES = default_similarity_features()
GENERATED_ARTISTS = 3000


def hard_cases() -> dict[str, dict[str, float]]:
    """Duplicates, lattice ties, a lonely artist, artists on the grid's faces."""
    profiles: dict[str, dict[str, float]] = {}
    typical = {"danceability": 0.65, "energy": 0.7, "loudness": -6.0, "speechiness": 0.08}
    for name in ("dup-a", "dup-b", "dup-c", "dup-d", "dup-e"):
        profiles[name] = dict(typical)
    for index in range(27):
        profiles[f"lattice-{index:02d}"] = {
            "danceability": 0.3 + 0.05 * (index % 3),
            "energy": 0.3 + 0.05 * (index // 3 % 3),
            "loudness": -20.0 + 2.0 * (index // 9),
        }
    # Far from everybody: stretches every range, so it sits at a corner of the unit cube.
    profiles["lonely"] = {
        "danceability": 0.0,
        "energy": 0.0,
        "loudness": 5.0,
        "speechiness": 1.0,
        "acousticness": 1.0,
        "instrumentalness": 1.0,
    }
    return profiles


def build(workspace: DbtWorkspace, top_k: int, method: dict | None = None) -> None:
    """Build with ``method``'s vars; by default the original method, on which the grid's hard
    cases were designed (min-max, Euclidean, the 6 original features, everybody
    recommendable)."""
    variables = json.dumps({**(ORIGINAL_METHOD if method is None else method), "top_k": top_k})
    workspace.dbt(["build", "--select", "+fct_related_artists", "--vars", variables])


def vectors(workspace: DbtWorkspace) -> tuple[list[str], np.ndarray]:
    artist_ids, points, _ = read_normalised_vectors(workspace.duckdb_path, FEATURES)
    return artist_ids, points


def mart(workspace: DbtWorkspace) -> Neighbours:
    return read_related_artists(workspace.duckdb_path)


def kd_tree_reference(
    artist_ids: list[str], points: np.ndarray, top_k: int
) -> dict[str, list[tuple[str, float]]]:
    found, distances = nearest_neighbours(points, top_k)
    return {
        artist_id: [
            (artist_ids[index], float(distance))
            for index, distance in zip(found[row], distances[row], strict=True)
        ]
        for row, artist_id in enumerate(artist_ids)
    }


@pytest.fixture(scope="module")
def generated_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtWorkspace:
    workspace = DbtWorkspace.create(tmp_path_factory.mktemp("scale"))
    write_lake(workspace.lake_uri, GENERATED_ARTISTS, seed=7)
    # A second file in the same partitions: the hand-made hard cases.
    write_synthetic_lake(workspace.lake_uri, hard_cases())
    build(workspace, top_k=4)
    return workspace


def test_generated_lake_with_the_defaults_matches_brute_force(tmp_path: pathlib.Path) -> None:
    workspace = DbtWorkspace.create(tmp_path)
    write_lake(workspace.lake_uri, GENERATED_ARTISTS, seed=7)
    write_synthetic_lake(workspace.lake_uri, hard_cases())
    build(workspace, top_k=4, method={})  # the project's defaults
    artist_ids, points, candidates = read_normalised_vectors(
        workspace.duckdb_path, DEFAULT_FEATURES
    )
    # Only some artists may be recommended, so the candidates' search is what is checked.
    assert 0 < candidates.sum() < len(artist_ids) / 2
    actual = mart(workspace)
    assert_same_neighbours(
        actual, exact_nearest_neighbours(artist_ids, points, top_k=4, candidates=candidates)
    )
    recommendable = {
        artist_id for artist_id, flag in zip(artist_ids, candidates, strict=True) if flag
    }
    assert {related for pairs in actual.values() for related, _ in pairs} <= recommendable
    assert len(actual["dup-a"]) == 4


def test_generated_lake_matches_brute_force(generated_warehouse: DbtWorkspace) -> None:
    artist_ids, points = vectors(generated_warehouse)
    assert len(artist_ids) == GENERATED_ARTISTS + len(hard_cases())
    actual = mart(generated_warehouse)
    assert_same_neighbours(actual, exact_nearest_neighbours(artist_ids, points, top_k=4))
    # The hard cases came through as intended.
    assert [distance for _, distance in actual["dup-a"]] == [0.0] * 4
    assert [related for related, _ in actual["dup-a"]] == ["dup-b", "dup-c", "dup-d", "dup-e"]
    lonely = points[artist_ids.index("lonely")]
    assert set(lonely) == {0.0, 1.0}
    assert len(actual["lonely"]) == 4


def test_kd_tree_reference_matches_brute_force(generated_warehouse: DbtWorkspace) -> None:
    artist_ids, points = vectors(generated_warehouse)
    assert_same_neighbours(
        kd_tree_reference(artist_ids, points, top_k=4),
        exact_nearest_neighbours(artist_ids, points, top_k=4),
    )


def test_kd_tree_reference_with_many_duplicates_and_few_points() -> None:
    rng = np.random.default_rng(3)
    points = np.repeat(rng.integers(0, 3, size=(40, 3)) / 2, 3, axis=0)  # every vector x3
    artist_ids = [f"artist-{index:03d}" for index in range(len(points))]
    assert_same_neighbours(
        kd_tree_reference(artist_ids, points, top_k=5),
        exact_nearest_neighbours(artist_ids, points, top_k=5),
    )
    two = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert_same_neighbours(
        kd_tree_reference(["a", "b"], two, top_k=3),
        {"a": [("b", float(np.sqrt(2)))], "b": [("a", float(np.sqrt(2)))]},
    )


def test_kd_tree_reference_with_candidates_matches_brute_force() -> None:
    # Only some points may be found (as with min_related_track_count), with duplicates and
    # lattice ties among them, and one point whose only candidates are fewer than top_k.
    rng = np.random.default_rng(5)
    points = np.repeat(rng.integers(0, 4, size=(60, 3)) / 3, 2, axis=0)
    candidates = rng.random(len(points)) < 0.3
    artist_ids = [f"artist-{index:03d}" for index in range(len(points))]
    found, distances = nearest_neighbours(points, 4, candidates)
    reference = {
        artist_id: [
            (artist_ids[index], float(distance))
            for index, distance in zip(found[row], distances[row], strict=True)
            if index >= 0
        ]
        for row, artist_id in enumerate(artist_ids)
    }
    assert_same_neighbours(
        reference, exact_nearest_neighbours(artist_ids, points, 4, candidates=candidates)
    )
    few = np.array([True, False, False, True, False])
    line = np.array([[0.0], [0.1], [0.2], [0.3], [0.4]])
    found, distances = nearest_neighbours(line, 3, few)
    assert found[1].tolist()[:2] == [0, 3] and found[0].tolist()[0] == 3


def test_reference_command_writes_the_mart_contract(tmp_path: pathlib.Path) -> None:
    from benchmarks.reference_knn import main as reference_main

    table = pa.table(
        {
            "artist_id": ["c", "a", "b", "d"],
            "energy_normalised": [1.0, 0.0, 0.5, 0.5],
        }
    )
    pq.write_table(table, tmp_path / "vectors.parquet")
    output = tmp_path / "nearest.parquet"
    assert reference_main([str(tmp_path / "vectors.parquet"), str(output), "--top-k", "2"]) == 0
    rows = pq.read_table(output).to_pylist()
    assert rows[:2] == [
        {"artist_id": "a", "related_artist_id": "b", "distance": 0.5, "similarity_rank": 1},
        {"artist_id": "a", "related_artist_id": "d", "distance": 0.5, "similarity_rank": 2},
    ]
    assert len(rows) == 8


def test_fewer_generated_artists_than_top_k(tmp_path: pathlib.Path) -> None:
    workspace = DbtWorkspace.create(tmp_path)
    write_lake(workspace.lake_uri, 4, seed=11)
    build(workspace, top_k=6)
    artist_ids, points = vectors(workspace)
    actual = mart(workspace)
    assert {len(pairs) for pairs in actual.values()} == {3}
    assert_same_neighbours(actual, exact_nearest_neighbours(artist_ids, points, top_k=6))
