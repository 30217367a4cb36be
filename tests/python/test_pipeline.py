"""The whole pipeline on the committed sample: import -> dbt build -> marts -> lookup.

The dbt build runs every dbt data test and unit test; on top of that the mart is compared
with an independent exact nearest-neighbour computation.
"""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import numpy as np
import pytest
import yaml

from lookup.answer import Answer
from lookup.queries import related_artists
from tests.python.dbt_runner import (
    PROJECT_ROOT,
    DbtWorkspace,
    default_similarity_features,
)
from tests.python.nearest_neighbours import (
    assert_same_neighbours,
    exact_mart,
    read_related_artists,
)

DEFAULT_FEATURES = default_similarity_features()

pytestmark = pytest.mark.slow


def query(workspace: DbtWorkspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_build_runs_every_dbt_test_and_unit_test(sample_warehouse: DbtWorkspace) -> None:
    manifest_path = sample_warehouse.root / "target-duckdb" / "run_results.json"
    run_results = yaml.safe_load(manifest_path.read_text())
    statuses = {}
    for result in run_results["results"]:
        kind = result["unique_id"].split(".")[0]
        statuses.setdefault(kind, set()).add(result["status"])
    assert statuses["model"] == {"success"}
    assert statuses["test"] == {"pass"}
    assert statuses["unit_test"] == {"pass"}


def test_sample_has_about_ten_thousand_artists(sample_warehouse: DbtWorkspace) -> None:
    [(artists, profiled, pairs)] = query(
        sample_warehouse,
        """
        select
            (select count(*) from dim_artists),
            (select count(*) from dim_artists where has_audio_features),
            (select count(*) from fct_related_artists)
        """,
    )
    assert 10_000 < artists < 11_000
    assert profiled == artists
    assert pairs == 3 * profiled


def test_mart_matches_exact_nearest_neighbours(sample_warehouse: DbtWorkspace) -> None:
    expected = exact_mart(sample_warehouse.duckdb_path, DEFAULT_FEATURES, top_k=3)
    assert len(expected) > 10_000
    assert_same_neighbours(read_related_artists(sample_warehouse.duckdb_path), expected)


def test_normalised_vectors_are_unit_vectors_in_the_cube(sample_warehouse: DbtWorkspace) -> None:
    # The defaults are cosine: every vector is a unit vector mapped by (v + 1) / 2.
    columns = ", ".join(f"{feature}_normalised" for feature in DEFAULT_FEATURES)
    rows = query(sample_warehouse, f"select {columns} from dim_artists where has_similarity_vector")
    vectors = np.array(rows, dtype=np.float64)
    assert len(vectors) > 10_000
    assert vectors.min() >= 0.0 and vectors.max() <= 1.0
    assert np.allclose(np.linalg.norm(2 * vectors - 1, axis=1), 1.0, atol=1e-12)


def test_lookup_prints_related_artists_and_tracks(sample_warehouse: DbtWorkspace) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lookup.cli",
            "BLACKPINK",
            "queen",
            "--db",
            str(sample_warehouse.duckdb_path),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Artists who sound like BLACKPINK" in result.stdout
    assert "Artists who sound like Queen" in result.stdout
    [(nearest_to_queen,)] = query(
        sample_warehouse,
        """
        select related.artist_name
        from fct_related_artists as pairs
        inner join dim_artists as artists on pairs.artist_id = artists.artist_id
        inner join dim_artists as related on pairs.related_artist_id = related.artist_id
        where artists.artist_name = 'Queen' and pairs.similarity_rank = 1
        """,
    )
    assert nearest_to_queen in result.stdout


def test_lookup_unknown_artist_is_one_line_and_non_zero(sample_warehouse: DbtWorkspace) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lookup.cli",
            "Daft Punkk",
            "--db",
            str(sample_warehouse.duckdb_path),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "no artist named 'Daft Punkk'" in result.stderr
    assert "Daft Punk" in result.stderr
    assert "Traceback" not in result.stderr


def test_lookup_without_warehouse_is_one_line(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lookup.cli", "Queen", "--db", str(tmp_path / "missing.duckdb")],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no warehouse at" in result.stderr


def spotify_related(workspace: DbtWorkspace, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lookup.cli", *arguments, "--db", str(workspace.duckdb_path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )


def lookup(workspace: DbtWorkspace, typed: str) -> Answer:
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        return related_artists(connection, typed, tracks_per_artist=1)


def test_names_as_people_type_them(sample_warehouse: DbtWorkspace) -> None:
    blackpink = lookup(sample_warehouse, "BLACKPINK")
    hangul = lookup(sample_warehouse, "블랙핑크")
    assert hangul.found_by == "alias"
    assert (hangul.artist_id, hangul.related) == (blackpink.artist_id, blackpink.related)
    assert lookup(sample_warehouse, "beyonce").artist_name == "Beyoncé"
    assert lookup(sample_warehouse, "daft  punk").artist_name == "Daft Punk"
    assert lookup(sample_warehouse, "\uff22\uff34\uff33").artist_name == "BTS"
    assert lookup(sample_warehouse, "레드벨벳").artist_name == "Red Velvet"
    assert lookup(sample_warehouse, "!!!").artist_name == "!!!"


def test_artists_sharing_a_folded_name_are_chosen_and_listed(
    sample_warehouse: DbtWorkspace,
) -> None:
    # SASH and Sash! fold alike: the exact spelling wins, the other is listed.
    exact = lookup(sample_warehouse, "SASH")
    other = lookup(sample_warehouse, "Sash!")
    assert (exact.artist_name, [o.artist_name for o in exact.others]) == ("SASH", ["Sash!"])
    assert (other.artist_name, [o.artist_name for o in other.others]) == ("Sash!", ["SASH"])
    # Typed neither way: most tracks, then the artist id.
    folded = lookup(sample_warehouse, "sash")
    ranked = sorted([exact, other], key=lambda answer: (-answer.track_count, answer.artist_id))
    assert folded.artist_id == ranked[0].artist_id


def test_every_alias_names_an_artist_of_the_sample(sample_warehouse: DbtWorkspace) -> None:
    missing = query(
        sample_warehouse,
        "select alias, artist_name from artist_aliases "
        "where artist_name not in (select artist_name from dim_artists)",
    )
    assert missing == []
    [(aliases,)] = query(sample_warehouse, "select count(*) from artist_aliases")
    assert aliases >= 40


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Blakpink", "closest: BLACKPINK"),
        ("", "type an artist's name"),
        ("x" * 201, "at most 200"),
        ("'; drop table dim_artists; --", "looks like SQL"),
    ],
)
def test_lookup_answers_any_input_in_one_line(
    sample_warehouse: DbtWorkspace, typed: str, message: str
) -> None:
    result = spotify_related(sample_warehouse, typed)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    [(artists,)] = query(sample_warehouse, "select count(*) from dim_artists")
    assert artists > 10_000  # nothing was dropped


def test_lookup_json_is_the_table_as_data(sample_warehouse: DbtWorkspace) -> None:
    result = spotify_related(sample_warehouse, "BLACKPINK", "블랙핑크", "Blakpink", "--json")
    assert result.returncode == 1  # Blakpink has no answer
    document = json.loads(result.stdout)
    first, second = document["answers"]
    assert (first["query"], first["found_by"]) == ("BLACKPINK", "name")
    hangul = "블랙핑크"
    assert (second["query"], second["found_by"], second["alias"]) == (hangul, "alias", hangul)
    assert first["related"] == second["related"]
    [error] = document["errors"]
    assert error["query"] == "Blakpink" and "closest: BLACKPINK" in error["error"]
    expected = lookup(sample_warehouse, "BLACKPINK")
    assert [related["artist_id"] for related in first["related"]] == [
        related.artist_id for related in expected.related
    ]
    assert set(first["related"][0]) == {
        "similarity_rank",
        "artist_id",
        "artist_name",
        "distance",
        "similarity_score",
        "tracks",
    }
    assert set(first["related"][0]["tracks"][0]) == {
        "track_name",
        "album_name",
        "release_date",
        "spotify_url",
    }
    table = spotify_related(sample_warehouse, "BLACKPINK")
    for related in first["related"]:
        assert related["artist_name"] in table.stdout
        assert f"{related['distance']:.4f}" in table.stdout


def test_lookup_k_is_bounded_by_the_built_top_k(sample_warehouse: DbtWorkspace) -> None:
    one = json.loads(spotify_related(sample_warehouse, "Queen", "--k", "1", "--json").stdout)
    assert [related["similarity_rank"] for related in one["answers"][0]["related"]] == [1]
    above = spotify_related(sample_warehouse, "Queen", "--k", "4")
    assert above.returncode == 2
    assert above.stderr.count("\n") == 1
    assert "--k 4 is more than the warehouse keeps (3 related artists per artist)" in above.stderr
