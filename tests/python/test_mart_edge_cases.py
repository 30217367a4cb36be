"""The related-artists mart on hand-made lakes: ties, identical artists, an artist alone in
its region, fewer artists than top_k, a constant feature and invalid features, each checked
against the independent exact computation (and, where easy, by hand)."""

from __future__ import annotations

import json
import math

import duckdb
import numpy as np
import pytest

from benchmarks.similarity_methods import ORIGINAL_METHOD
from extract.schemas import AUDIO_FEATURE_COLUMNS
from lookup.answer import ArtistLookupError
from lookup.queries import connect, related_artists
from tests.python.dbt_runner import DbtWorkspace
from tests.python.nearest_neighbours import (
    Neighbours,
    assert_same_neighbours,
    exact_mart,
    exact_nearest_neighbours,
    read_normalised_vectors,
    read_related_artists,
)
from tests.python.synthetic_lake import write_synthetic_lake

# The answers' mart and everything under it (fct_related_artists, fct_artist_tracks).
MART_SELECTION = ["--select", "+fct_artist_recommendations"]


def build(workspace: DbtWorkspace, variables: dict | None = None) -> None:
    """dbt build with the original method's vars (these lakes have one track per artist),
    overridden by ``variables``."""
    arguments = ["build", *MART_SELECTION]
    arguments += ["--vars", json.dumps({**ORIGINAL_METHOD, **(variables or {})})]
    workspace.dbt(arguments)


def mart(workspace: DbtWorkspace) -> Neighbours:
    return read_related_artists(workspace.duckdb_path)


def reference(workspace: DbtWorkspace, features: list[str], top_k: int) -> Neighbours:
    return exact_mart(workspace.duckdb_path, features, top_k)


@pytest.fixture
def workspace(tmp_path) -> DbtWorkspace:
    return DbtWorkspace.create(tmp_path)


def test_ties_duplicates_and_a_lonely_artist(workspace: DbtWorkspace) -> None:
    rng = np.random.default_rng(7)
    profiles = {}
    # A cluster of 40 artists on a coarse grid: many exactly equal distances (ties).
    for index in range(40):
        profiles[f"grid-{index:02d}"] = {
            "danceability": float(rng.integers(0, 4)) / 4,
            "energy": float(rng.integers(0, 4)) / 4,
            "loudness": -10.0 + float(rng.integers(0, 4)),
        }
    # Three identical artists: neighbours of each other at distance 0.
    for name in ("twin-a", "twin-b", "twin-c"):
        profiles[name] = {"danceability": 0.9, "energy": 0.1, "loudness": -30.0}
    # One artist far from everybody else.
    profiles["lonely"] = {"danceability": 0.0, "energy": 1.0, "loudness": 0.0, "tempo": 200.0}
    write_synthetic_lake(workspace.lake_uri, profiles)
    features = ["danceability", "energy", "loudness", "tempo"]
    build(workspace, {"similarity_features": features, "top_k": 4})

    actual = mart(workspace)
    assert_same_neighbours(actual, reference(workspace, features, top_k=4))
    assert [related for related, _ in actual["twin-a"][:2]] == ["twin-b", "twin-c"]
    assert actual["twin-a"][0][1] == 0.0
    assert len(actual["lonely"]) == 4


def test_fewer_artists_than_top_k(workspace: DbtWorkspace) -> None:
    write_synthetic_lake(
        workspace.lake_uri,
        {"a": {"energy": 0.1}, "b": {"energy": 0.9}, "c": {"energy": 0.5}},
    )
    build(workspace, {"similarity_features": ["energy"], "top_k": 5})
    actual = mart(workspace)
    # min(top_k, artists - 1) = 2 rows each; normalised energies 0, 1, 0.5.
    assert actual == {
        "a": [("c", 0.5), ("b", 1.0)],
        "b": [("c", 0.5), ("a", 1.0)],
        "c": [("a", 0.5), ("b", 0.5)],
    }


def test_a_single_artist_has_no_related_artists(workspace: DbtWorkspace) -> None:
    write_synthetic_lake(workspace.lake_uri, {"solo": {"energy": 0.3}})
    build(workspace)
    assert mart(workspace) == {}


def test_constant_feature_and_invalid_tracks(workspace: DbtWorkspace) -> None:
    profiles = {
        "a": {"danceability": 0.2, "energy": 0.7},
        "b": {"danceability": 0.4, "energy": 0.7},
        "c": {"danceability": 0.8, "energy": 0.7},
    }
    # b has a second track whose danceability is out of range: flagged, not averaged.
    invalid_track = ("b", "track-b-invalid", {"danceability": 7.5, "energy": 0.7})
    write_synthetic_lake(workspace.lake_uri, profiles, extra_tracks=[invalid_track])
    build(workspace, {"similarity_features": ["danceability", "energy"], "top_k": 1})
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        dimension = dict(
            connection.execute(
                "select artist_id, [danceability_normalised, energy_normalised, track_count] "
                "from dim_artists"
            ).fetchall()
        )
        [(invalid_features,)] = connection.execute(
            "select invalid_features from stg_spotify__audio_features "
            "where track_id = 'track-b-invalid'"
        ).fetchall()
    assert invalid_features == "danceability"
    assert dimension["b"][2] == 1  # the invalid track does not count
    assert dimension["a"][:2] == [0.0, 0.0]  # energy is constant: 0 for everyone
    assert math.isclose(dimension["b"][0], 1 / 3)
    assert dimension["c"][:2] == [1.0, 0.0]
    assert mart(workspace)["a"] == [("b", pytest.approx(1 / 3, abs=1e-12))]


@pytest.mark.parametrize(
    "features",
    [
        ["tempo"],
        ["valence", "liveness", "key", "mode"],
        list(AUDIO_FEATURE_COLUMNS),
    ],
    ids=["one", "four", "all-eleven"],
)
def test_any_feature_subset(workspace: DbtWorkspace, features: list[str]) -> None:
    rng = np.random.default_rng(len(features))
    profiles = {
        f"artist-{index:03d}": {
            "danceability": float(rng.random()),
            "energy": float(rng.random()),
            "key": int(rng.integers(0, 12)),
            "loudness": float(-20 * rng.random()),
            "mode": int(rng.integers(0, 2)),
            "speechiness": float(rng.random()),
            "acousticness": float(rng.random()),
            "instrumentalness": float(rng.random()),
            "liveness": float(rng.random()),
            "valence": float(rng.random()),
            "tempo": float(60 + 120 * rng.random()),
        }
        for index in range(60)
    }
    write_synthetic_lake(workspace.lake_uri, profiles)
    build(workspace, {"similarity_features": features, "top_k": 3})
    assert_same_neighbours(mart(workspace), reference(workspace, features, top_k=3))


def test_unknown_similarity_feature_is_refused(workspace: DbtWorkspace) -> None:
    write_synthetic_lake(workspace.lake_uri, {"a": {}, "b": {}})
    result = workspace.dbt(
        ["build", *MART_SELECTION, "--vars", json.dumps({"similarity_features": ["loudnes"]})],
        check=False,
    )
    assert result.returncode != 0
    assert "unknown feature 'loudnes'" in result.stdout


def random_profiles(count: int, seed: int) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(seed)
    return {
        f"artist-{index:03d}": {
            "danceability": float(rng.random()),
            "energy": float(rng.random()),
            "loudness": float(-20 * rng.random()),
            "valence": float(rng.random()),
            "tempo": float(60 + 120 * rng.random()),
        }
        for index in range(count)
    }


def numpy_search_space(
    profiles: dict[str, dict[str, float]], features: list[str], normalisation: str, distance: str
) -> dict[str, np.ndarray | None]:
    """The similarity vectors, computed independently of the SQL: standardise each feature,
    unit length under cosine (None for a zero vector), then one affine map into the cube."""
    artist_ids = sorted(profiles)
    values = np.array([[profiles[a][f] for f in features] for a in artist_ids])
    if normalisation == "z_score":
        spread = values.std(axis=0)
        standardised = (values - values.mean(axis=0)) / np.where(spread > 0, spread, 1)
    else:
        low, high = values.min(axis=0), values.max(axis=0)
        standardised = (values - low) / np.where(high > low, high - low, 1)
    if distance == "cosine":
        lengths = np.linalg.norm(standardised, axis=1)
        unit = standardised / np.where(lengths > 0, lengths, 1)[:, None]
        return {
            artist_id: (unit[row] + 1) / 2 if lengths[row] > 0 else None
            for row, artist_id in enumerate(artist_ids)
        }
    low, high = standardised.min(), standardised.max()
    cube = (standardised - low) / (high - low)
    return {artist_id: cube[row] for row, artist_id in enumerate(artist_ids)}


@pytest.mark.parametrize("distance", ["euclidean", "cosine"])
@pytest.mark.parametrize("normalisation", ["z_score", "min_max"])
def test_each_option_matches_numpy(
    workspace: DbtWorkspace, normalisation: str, distance: str
) -> None:
    features = ["danceability", "energy", "loudness", "valence", "tempo"]
    profiles = random_profiles(80, seed=5)
    # Every third artist has two more tracks with the same features (its average is
    # unchanged): only those 3-track artists may be recommended.
    deep = sorted(profiles)[::3]
    extra = [
        (artist_id, f"track-{artist_id}-{copy}", profiles[artist_id])
        for artist_id in deep
        for copy in (2, 3)
    ]
    write_synthetic_lake(workspace.lake_uri, profiles, extra_tracks=extra)
    variables = {
        "similarity_features": features,
        "similarity_normalisation": normalisation,
        "similarity_distance": distance,
        "min_related_track_count": 3,
        "top_k": 4,
    }
    build(workspace, variables)

    expected_vectors = numpy_search_space(profiles, features, normalisation, distance)
    artist_ids, vectors, candidates = read_normalised_vectors(workspace.duckdb_path, features)
    assert artist_ids == sorted(profiles)
    assert np.allclose(vectors, np.array([expected_vectors[a] for a in artist_ids]), atol=1e-12)
    assert sorted(np.array(artist_ids)[candidates]) == deep
    expected = exact_nearest_neighbours(
        artist_ids, np.array([expected_vectors[a] for a in artist_ids]), 4, candidates
    )
    actual = mart(workspace)
    assert_same_neighbours(actual, expected)
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        scores = connection.execute(
            "select distance, similarity_score from fct_related_artists"
        ).fetchall()
    for pair_distance, score in scores:
        assert 0.0 <= score <= 1.0
        if distance == "cosine":
            assert pair_distance <= 1.0
            assert score == pytest.approx(1 - pair_distance**2, abs=1e-12)
        else:
            assert score == pytest.approx(1 - pair_distance / math.sqrt(5), abs=1e-12)


def test_cosine_leaves_out_a_vector_without_direction(workspace: DbtWorkspace) -> None:
    # Under min-max, "low" is at the minimum of both features: its vector is (0, 0), which
    # has no direction. It gets no related artists and is nobody's related artist.
    profiles = {
        "low": {"danceability": 0.1, "energy": 0.1},
        "a": {"danceability": 0.9, "energy": 0.1},
        "b": {"danceability": 0.1, "energy": 0.9},
        "c": {"danceability": 0.9, "energy": 0.8},
    }
    write_synthetic_lake(workspace.lake_uri, profiles)
    build(
        workspace,
        {"similarity_features": ["danceability", "energy"], "similarity_distance": "cosine"},
    )
    actual = mart(workspace)
    assert "low" not in actual
    assert all(related != "low" for pairs in actual.values() for related, _ in pairs)
    assert [related for related, _ in actual["a"]] == ["c", "b"]
    with (
        connect(str(workspace.duckdb_path)) as connection,
        pytest.raises(ArtistLookupError, match="no direction under the cosine distance"),
    ):
        related_artists(connection, "low")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"similarity_distance": "manhattan"}, "similarity_distance must be euclidean or cosine"),
        ({"similarity_normalisation": "rank"}, "similarity_normalisation must be z_score"),
        ({"min_related_track_count": 0}, "min_related_track_count must be a whole number"),
    ],
)
def test_unknown_option_is_refused(workspace: DbtWorkspace, variables: dict, message: str) -> None:
    write_synthetic_lake(workspace.lake_uri, {"a": {}, "b": {}})
    result = workspace.dbt(["build", *MART_SELECTION, "--vars", json.dumps(variables)], check=False)
    assert result.returncode != 0
    assert message in result.stdout
