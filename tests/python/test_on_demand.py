"""The on-demand path: an artist the warehouse lacks, fetched from the fake Spotify now.

Real warehouses (the committed subset imported and built with dbt, under the project's
method and under the original one), real HTTP against the fake Spotify and ReccoBeats
servers (every answer validated against its schema), real lakes written and read back.
The answer must be the exact nearest warehouse artists of the new artist's profile placed
with the warehouse's stored parameters: checked against an independent numpy brute force
over the catalogue's own features, in both app modes.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests

from extract.cli import main as extract_main
from extract.schemas import AUDIO_FEATURE_COLUMNS, LAKE_TABLES
from lookup import cli as lookup_cli
from lookup import skill_lambda
from lookup.export_command import main as export_main
from lookup.on_demand import (
    DEADLINE,
    DISABLED,
    FOUND_BY,
    NO_CREDENTIALS,
    NOT_FOUND,
    RATE_LIMITED,
    REFUSED,
    WAREHOUSE,
    OnDemandResult,
    answer_on_demand,
)
from lookup.on_demand_files import TABLES, load_on_demand_files
from lookup.on_demand_options import OnDemandOptions, OptionsError, TokenBucket
from lookup.on_demand_profile import AUDIO_FEATURE_RANGES, profile_from_rows
from lookup.serving_file import ServingFileError
from lookup.serving_source import ServingFileSource
from lookup.skill_command import build_parser, on_demand_answerer
from lookup.skill_on_demand import files_on_demand, warehouse_on_demand
from lookup.skill_server import create_app
from tests.python.dbt_runner import PROJECT_ROOT, SUBSET_CSV, DbtWorkspace
from tests.python.fakes.catalog import Catalog, FakeTrack
from tests.python.fakes.services import fake_services
from tests.python.fakes.spotify import CLIENT_SECRET
from tests.python.kakao import assert_skill_response, running_server
from tests.python.moto_s3 import s3
from tests.python.skill_events import proxy_event, skill_request

DT = "2026-11-24"
NEW_ARTIST = "Lumen Drift"  # in the fake catalogue, not in the subset
METHODS = {
    # The project's method, with more artists recommendable than the subset allows at 8.
    "default": {"min_related_track_count": 2},
    "original": {
        "similarity_features": [
            "danceability",
            "energy",
            "loudness",
            "speechiness",
            "acousticness",
            "instrumentalness",
        ],
        "similarity_normalisation": "min_max",
        "similarity_distance": "euclidean",
        "min_related_track_count": 1,
    },
}
FAST_RETRIES = {
    "EXTRACT_RETRY_BASE_DELAY": "0.01",
    "EXTRACT_RETRY_MAX_DELAY": "0.05",
    "EXTRACT_HTTP_TIMEOUT": "5",
}


# --- the catalogue, the warehouses, the fakes ---------------------------------------------


def on_demand_catalog() -> Catalog:
    """The tests' catalogue plus the new artist: 12 tracks in three releases, one without
    features anywhere and one with a tempo outside its range (both must not count)."""
    catalog = Catalog.standard()
    catalog.add_artist(
        NEW_ARTIST,
        search_rank=8,
        genres=["dream pop"],
        releases=[
            ("single", "Halo", "2022-01-14", 1),
            ("album", "Night Glass", "2021-03-05", 6),
            ("album", "First Light", "2018-09-21", 5),
        ],
    )
    catalog.track_by_name(NEW_ARTIST, "Night Glass - part 2").features = None
    catalog.track_by_name(NEW_ARTIST, "Night Glass - part 2").known_to_reccobeats = False
    features = catalog.track_by_name(NEW_ARTIST, "Night Glass - part 4").features
    assert features is not None
    features["tempo"] = 400.0
    return catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return on_demand_catalog()


@pytest.fixture(scope="module")
def subset_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("subset") / "lake"
    arguments = ["dataset", str(SUBSET_CSV), "--lake", str(lake), "--dt", DT, "--name", "subset"]
    assert extract_main(arguments) == 0
    return lake


def build(workspace: DbtWorkspace, method: str, select: str) -> None:
    workspace.dbt(["run", "--select", select, "--vars", json.dumps(METHODS[method])])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, subset_lake: Path):
    """The subset built under a method (the models the on-demand path reads), once each."""
    workspaces: dict[str, DbtWorkspace] = {}

    def warehouse_of(method: str) -> DbtWorkspace:
        if method not in workspaces:
            root = tmp_path_factory.mktemp(f"warehouse-{method}")
            workspaces[method] = DbtWorkspace.create(root, str(subset_lake))
            build(workspaces[method], method, "+fct_related_artists +fct_artist_tracks")
        return workspaces[method]

    return warehouse_of


@pytest.fixture(params=sorted(METHODS))
def warehouse(request: pytest.FixtureRequest, built) -> DbtWorkspace:
    return built(request.param)


@pytest.fixture
def default_warehouse(built) -> DbtWorkspace:
    return built("default")


@pytest.fixture
def connect():
    opened: list[duckdb.DuckDBPyConnection] = []

    def open_warehouse(workspace: DbtWorkspace) -> duckdb.DuckDBPyConnection:
        opened.append(duckdb.connect(str(workspace.duckdb_path), read_only=True))
        return opened[-1]

    yield open_warehouse
    for connection in opened:
        connection.close()


@pytest.fixture
def start_apis(catalog: Catalog) -> Iterator:
    """Start fake Spotify and ReccoBeats servers; teardown fails on a schema violation."""
    with fake_services() as start_services:
        yield lambda **spotify_options: start_services(catalog, FAST_RETRIES, **spotify_options)


def options(environment: dict[str, str], lake: Path | None, **changes) -> OnDemandOptions:
    base = OnDemandOptions.for_command_line({**environment, "LAKE_URI": str(lake or "")})
    if lake is None:
        changes.setdefault("lake_uri", None)
    return OnDemandOptions(**{**base.__dict__, **changes})


def lake_files(lake: Path) -> list[Path]:
    return sorted(path for path in lake.rglob("*") if path.is_file()) if lake.exists() else []


def read_table(lake: Path, table: str, prefix: str = "api-") -> pa.Table:
    files = sorted(lake.glob(f"{table}/dt=*/{prefix}*.parquet"))
    for path in files:
        assert pq.read_schema(path).equals(LAKE_TABLES[table]), f"{path} breaks the contract"
    return pa.concat_tables(pq.read_table(path) for path in files)


# --- the independent expectation ----------------------------------------------------------


def expected_tracks(catalog: Catalog, development_mode: bool) -> list[FakeTrack]:
    """The tracks the extractor selects: the ten most popular (Extended Quota), or the
    newest releases' tracks, singles and albums merged by date (Development Mode)."""
    artist = catalog.artist_by_name(NEW_ARTIST)
    if not development_mode:
        return catalog.top_tracks(artist.id)
    releases = sorted(
        (catalog.albums[album_id] for album_id in artist.album_ids),
        key=lambda album: album.release_date,
        reverse=True,
    )
    tracks = [catalog.tracks[track_id] for album in releases for track_id in album.track_ids]
    return tracks[:10]


def valid(features: dict | None) -> bool:
    return features is not None and all(
        features.get(name) is not None and low <= features[name] <= high
        for name, (low, high) in AUDIO_FEATURE_RANGES.items()
    )


def brute_force(
    connection: duckdb.DuckDBPyConnection, tracks: list[FakeTrack], exclude: str
) -> tuple[int, list[tuple[str, float]]]:
    """The new artist's track count and its top_k nearest, computed in numpy from the
    catalogue's features and the warehouse's stored parameters and normalised artists."""
    parameters = connection.execute(
        "select feature_name, min_value, max_value, mean_value, standard_deviation, "
        "coordinate_min, coordinate_max, similarity_normalisation, similarity_distance, top_k "
        "from dim_similarity_features order by feature_position"
    ).fetchall()
    names = [row[0] for row in parameters]
    low, high, mean, spread = (np.array([row[i] for row in parameters]) for i in (1, 2, 3, 4))
    coordinate_min, coordinate_max, normalisation, distance, top_k = parameters[0][5:]
    profiled = [track.features for track in tracks if valid(track.features)]
    profile = np.array([[features[name] for name in names] for features in profiled]).mean(axis=0)
    if normalisation == "z_score":
        standardised = np.where(spread > 0, (profile - mean) / np.where(spread > 0, spread, 1), 0)
    else:
        width = high - low
        standardised = np.where(width > 0, (profile - low) / np.where(width > 0, width, 1), 0)
    if distance == "cosine":
        vector = (standardised / np.linalg.norm(standardised) + 1) / 2
    else:
        vector = (standardised - coordinate_min) / (coordinate_max - coordinate_min)
    columns = ", ".join(f"{name}_normalised" for name in names)
    rows = connection.execute(
        f"select artist_id, {columns} from dim_artists where is_recommendable and artist_id <> ?",
        [exclude],
    ).fetchall()
    ids = [row[0] for row in rows]
    distances = np.sqrt(((np.array([row[1:] for row in rows]) - vector) ** 2).sum(axis=1))
    ranked = sorted(range(len(ids)), key=lambda index: (distances[index], ids[index]))
    return len(profiled), [(ids[index], float(distances[index])) for index in ranked[:top_k]]


def assert_exact(result: OnDemandResult, expected: tuple[int, list[tuple[str, float]]]) -> None:
    track_count, nearest = expected
    assert result.answer is not None, result.message
    assert result.answer.track_count == track_count
    got = [(related.artist_id, related.distance) for related in result.answer.related]
    assert [artist_id for artist_id, _ in got] == [artist_id for artist_id, _ in nearest]
    for (_, distance), (_, want) in zip(got, nearest, strict=True):
        assert abs(distance - want) <= 1e-9
    assert [related.similarity_rank for related in result.answer.related] == list(
        range(1, len(nearest) + 1)
    )


# --- the answer: exact, in both app modes, under both methods -----------------------------


@pytest.mark.parametrize("development_mode", [False, True], ids=["extended", "development"])
def test_on_demand_answer_is_the_exact_nearest_of_the_placed_profile(
    warehouse, connect, start_apis, catalog, development_mode, tmp_path
):
    apis = start_apis(development_mode=development_mode)
    connection = connect(warehouse)
    lake = tmp_path / "lake"
    result = answer_on_demand(
        connection, "lumen drift", 2, options(apis.environment(), lake), k=None
    )
    artist = catalog.artist_by_name(NEW_ARTIST)
    assert result.reason is None and result.answer is not None
    assert result.answer.found_by == FOUND_BY == "on_demand"
    assert (result.answer.artist_id, result.answer.artist_name) == (artist.id, NEW_ARTIST)
    assert "computed on demand" in result.message
    tracks = expected_tracks(catalog, development_mode)
    assert_exact(result, brute_force(connection, tracks, artist.id))
    # The related artists' tracks are the warehouse's, in its order.
    for related in result.answer.related:
        rows = connection.execute(
            "select track_name from fct_artist_tracks where artist_id = ? "
            "order by track_rank, track_id limit 2",
            [related.artist_id],
        ).fetchall()
        assert [track.track_name for track in related.tracks] == [row[0] for row in rows]
    # Both fallbacks were taken in Development Mode; Spotify's features otherwise.
    assert result.fetch is not None and result.fetch.wait(30)
    features = read_table(lake, "audio_features")
    assert set(features.column("source").to_pylist()) == (
        {"reccobeats"} if development_mode else {"spotify"}
    )
    landed_tracks = read_table(lake, "top_tracks")
    assert landed_tracks.column("track_id").to_pylist() == [track.id for track in tracks]
    assert set(landed_tracks.column("selection").to_pylist()) == (
        {"latest_releases"} if development_mode else {"top_tracks"}
    )
    [source] = read_table(lake, "artists").column("source").to_pylist()
    assert source == ("spotify:development_mode" if development_mode else "spotify")


def test_a_rebuild_includes_the_landed_artist_with_the_same_profile(
    default_warehouse, connect, start_apis, catalog, subset_lake, tmp_path
):
    apis = start_apis()
    lake = tmp_path / "lake"
    shutil.copytree(subset_lake, lake)
    before = lake_files(lake)
    result = answer_on_demand(
        connect(default_warehouse), NEW_ARTIST, 0, options(apis.environment(), lake)
    )
    assert result.answer is not None and result.profile is not None and result.exact
    assert result.fetch is not None and result.fetch.wait(30)
    assert result.fetch.landed is not None and result.fetch.not_landed is None
    written = set(lake_files(lake)) - set(before)
    assert {path.parts[-3] for path in written} == {*LAKE_TABLES, "_runs"}
    assert all(path.name.startswith("api-") for path in written if path.suffix == ".parquet")
    [manifest_path] = [path for path in written if path.suffix == ".json"]
    manifest = json.loads(manifest_path.read_text())
    assert manifest["command"] == "spotify-related (on demand)"
    assert manifest["artists"][0]["artist_id"] == result.answer.artist_id
    assert CLIENT_SECRET not in manifest_path.read_text()

    rebuilt = DbtWorkspace.create(tmp_path / "rebuilt", str(lake))
    build(rebuilt, "default", "+dim_artists")
    columns = ", ".join(AUDIO_FEATURE_COLUMNS)
    row = (
        connect(rebuilt)
        .execute(
            f"select artist_name, track_count, {columns} from dim_artists where artist_id = ?",
            [result.answer.artist_id],
        )
        .fetchone()
    )
    assert row is not None, "the next build does not include the landed artist"
    assert row[:2] == (NEW_ARTIST, result.answer.track_count)
    # The profile is the build's, bit for bit: the same rows, the same SQL.
    assert list(row[2:]) == [result.profile.features[name] for name in AUDIO_FEATURE_COLUMNS]


# --- no answer: nothing fetched, nothing written ------------------------------------------


def test_without_credentials_no_answer_and_nothing_written(
    default_warehouse, connect, start_apis, tmp_path
):
    apis = start_apis()
    environment = apis.environment()
    del environment["SPOTIPY_CLIENT_SECRET"]
    lake = tmp_path / "lake"
    result = answer_on_demand(connect(default_warehouse), NEW_ARTIST, 3, options(environment, lake))
    assert (result.answer, result.reason, result.fetch) == (None, NO_CREDENTIALS, None)
    assert "SPOTIPY_CLIENT_ID" in result.message
    assert apis.request_count == 0
    assert lake_files(lake) == []


def test_off_by_default_on_a_server(default_warehouse, connect, start_apis, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    server = OnDemandOptions.for_server({**apis.environment(), "LAKE_URI": str(lake)})
    assert not server.enabled
    result = answer_on_demand(connect(default_warehouse), NEW_ARTIST, 3, server)
    assert (result.answer, result.reason) == (None, DISABLED)
    assert "ON_DEMAND_FETCH=1" in result.message
    assert apis.request_count == 0 and lake_files(lake) == []


def test_refused_credentials_no_answer_and_nothing_written(
    default_warehouse, connect, start_apis, tmp_path
):
    apis = start_apis()
    environment = apis.environment(SPOTIPY_CLIENT_SECRET="not-the-secret")
    lake = tmp_path / "lake"
    result = answer_on_demand(connect(default_warehouse), NEW_ARTIST, 3, options(environment, lake))
    assert (result.answer, result.reason) == (None, REFUSED)
    assert result.fetch is not None and result.fetch.wait(30)
    assert lake_files(lake) == []
    assert "not-the-secret" not in result.message and CLIENT_SECRET not in result.message


def test_nobody_found(default_warehouse, connect, start_apis, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = answer_on_demand(
        connect(default_warehouse), "Zzyzx Nobody", 3, options(apis.environment(), lake)
    )
    assert (result.answer, result.reason) == (None, NOT_FOUND)
    assert result.fetch is not None and result.fetch.wait(30)
    assert lake_files(lake) == []


def test_a_warehouse_without_the_parameters_is_said(start_apis, tmp_path):
    apis = start_apis()
    with duckdb.connect(str(tmp_path / "old.duckdb")) as connection:
        connection.execute("create table dim_artists (artist_id varchar)")
        result = answer_on_demand(connection, NEW_ARTIST, 3, options(apis.environment(), None))
    assert (result.answer, result.reason) == (None, WAREHOUSE)
    assert "dim_similarity_features" in result.message
    assert apis.request_count == 0


# --- the server's guards: exact matches only, the deadline, the rate limit ----------------


def test_an_inexact_match_is_answered_but_not_landed(
    default_warehouse, connect, start_apis, tmp_path
):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = answer_on_demand(
        connect(default_warehouse), "lumen", 3, options(apis.environment(), lake)
    )
    assert result.answer is not None and result.answer.artist_name == NEW_ARTIST
    assert not result.exact
    assert result.fetch is not None and result.fetch.wait(30)
    assert result.fetch.landed is None and "exact" in (result.fetch.not_landed or "")
    assert lake_files(lake) == []


def test_an_id_is_an_exact_match(default_warehouse, connect, start_apis, catalog, tmp_path):
    apis = start_apis(development_mode=True)
    lake = tmp_path / "lake"
    artist = catalog.artist_by_name(NEW_ARTIST)
    result = answer_on_demand(
        connect(default_warehouse),
        f"spotify:artist:{artist.id}",
        1,
        options(apis.environment(), lake),
        k=1,
    )
    assert result.answer is not None and result.answer.artist_id == artist.id and result.exact
    assert len(result.answer.related) == 1 and len(result.answer.related[0].tracks) == 1
    assert result.fetch is not None and result.fetch.wait(30) and result.fetch.landed
    assert apis.spotify.requests_to(r"/search") == []


def test_past_the_deadline_suggestions_now_and_the_artist_landed_for_next_time(
    default_warehouse, connect, start_apis, tmp_path
):
    apis = start_apis(latency=0.25)  # token, search, top tracks, features: about 1 s
    lake = tmp_path / "lake"
    deadline = 0.4
    environment = {**apis.environment(), "LAKE_URI": str(lake), "ON_DEMAND_FETCH": "1"}
    server = OnDemandOptions.for_server(
        {**environment, "ON_DEMAND_DEADLINE_SECONDS": str(deadline)}
    )
    started = time.monotonic()
    result = answer_on_demand(connect(default_warehouse), NEW_ARTIST, 3, server)
    waited = time.monotonic() - started
    assert (result.answer, result.reason) == (None, DEADLINE)
    assert deadline <= waited < deadline + 0.3
    assert lake_files(lake) == []  # nothing yet
    assert result.fetch is not None and result.fetch.wait(30)
    assert result.fetch.landed is not None
    assert read_table(lake, "artists").column("artist_name").to_pylist() == [NEW_ARTIST]


def test_the_rate_limit_refuses_before_any_request(
    default_warehouse, connect, start_apis, tmp_path
):
    apis = start_apis()
    environment = {
        **apis.environment(),
        "ON_DEMAND_FETCH": "1",
        "ON_DEMAND_RATE_PER_MINUTE": "1",
        "LAKE_URI": str(tmp_path / "lake"),
    }
    server = OnDemandOptions.for_server(environment)
    connection = connect(default_warehouse)
    first = answer_on_demand(connection, NEW_ARTIST, 0, server)
    assert first.answer is not None and first.fetch is not None and first.fetch.wait(30)
    requests = apis.request_count
    second = answer_on_demand(connection, NEW_ARTIST, 0, server)
    assert (second.answer, second.reason) == (None, RATE_LIMITED)
    assert apis.request_count == requests


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(2, clock=lambda: now[0])
    assert [bucket.try_take() for _ in range(3)] == [True, True, False]
    now[0] += 29.0  # 2 a minute: one token every 30 s
    assert not bucket.try_take()
    now[0] += 1.0
    assert bucket.try_take() and not bucket.try_take()
    now[0] += 3600.0  # never more than the burst
    assert [bucket.try_take() for _ in range(3)] == [True, True, False]


def test_options_from_the_environment() -> None:
    command_line = OnDemandOptions.for_command_line({"SPOTIPY_CLIENT_SECRET": CLIENT_SECRET})
    assert command_line.enabled and command_line.rate_limit is None
    assert command_line.lake_uri == "./lake" and command_line.deadline_seconds == 30.0
    assert CLIENT_SECRET not in repr(command_line)
    server = OnDemandOptions.for_server({})
    assert not server.enabled and server.lake_uri is None
    assert server.deadline_seconds == 4.0 and server.rate_limit is not None
    tuned = OnDemandOptions.for_server(
        {"ON_DEMAND_FETCH": "1", "ON_DEMAND_DEADLINE_SECONDS": "0", "ON_DEMAND_LAND": "0"}
    )
    assert tuned.enabled and tuned.deadline_seconds is None and not tuned.land
    for name, value in (
        ("ON_DEMAND_FETCH", "maybe"),
        ("ON_DEMAND_DEADLINE_SECONDS", "-1"),
        ("ON_DEMAND_RATE_PER_MINUTE", "lots"),
        ("ON_DEMAND_TRACKS", "0"),
    ):
        with pytest.raises(OptionsError, match=name):
            OnDemandOptions.for_server({name: value})


# --- the profile, as staging and int_artists_audio_profiled compute it --------------------


def test_feature_ranges_are_the_macros() -> None:
    macro = (PROJECT_ROOT / "macros/audio_features/audio_feature_ranges.sql").read_text()
    [literal] = re.findall(r"return\((\{.*?\})\)", macro, re.DOTALL)
    ranges = ast.literal_eval(literal)
    assert {name: tuple(bounds) for name, bounds in ranges.items()} == AUDIO_FEATURE_RANGES
    assert list(ranges) == list(AUDIO_FEATURE_COLUMNS)


def test_profile_counts_each_track_once_and_only_valid_features() -> None:
    def features(track_id: str, danceability: float | None, tempo: float = 120.0) -> dict:
        row = {name: 0.5 for name in AUDIO_FEATURE_COLUMNS}
        row.update(track_id=track_id, danceability=danceability, tempo=tempo, key=5, mode=1)
        row.update(loudness=-6.0, time_signature=4, duration_ms=1000, source="spotify")
        return row

    extracted_at = pa.scalar(0, pa.timestamp("us", tz="UTC")).as_py()
    track_ids = ["t1", "t2", "t3", "t4", "t1"]  # t1 listed twice: one track
    top_tracks = pa.Table.from_pylist(
        [
            {
                "artist_id": "a",
                "track_id": track_id,
                "track_rank": rank,
                "selection": "top_tracks",
                "extracted_at": extracted_at,
            }
            for rank, track_id in enumerate(track_ids, start=1)
        ],
        schema=LAKE_TABLES["top_tracks"],
    )
    audio_features = pa.Table.from_pylist(
        [
            {**features("t1", 0.2), "extracted_at": extracted_at},
            {**features("t2", 0.4), "extracted_at": extracted_at},
            {**features("t3", None), "extracted_at": extracted_at},  # missing: not valid
            {**features("t4", 0.9, tempo=301.0), "extracted_at": extracted_at},  # out of range
        ],
        schema=LAKE_TABLES["audio_features"],
    )
    profile = profile_from_rows(top_tracks, audio_features)
    assert profile is not None and profile.track_count == 2
    assert profile.features["danceability"] == pytest.approx(0.3, abs=1e-15)
    assert profile.features["key"] == 5.0 and profile.features["tempo"] == 120.0
    assert profile_from_rows(top_tracks.slice(2, 2), audio_features) is None


# --- the command line: on by default ------------------------------------------------------


@pytest.fixture(scope="module")
def answers_warehouse(tmp_path_factory: pytest.TempPathFactory, subset_lake: Path) -> DbtWorkspace:
    """The subset with the answers' mart (what spotify-related reads) and the parameters."""
    workspace = DbtWorkspace.create(tmp_path_factory.mktemp("answers"), str(subset_lake))
    workspace.dbt(["seed"])
    workspace.dbt(["run", "--select", "+fct_artist_recommendations", "+dim_similarity_features"])
    return workspace


def test_the_command_line_answers_on_demand_and_lands(
    answers_warehouse, start_apis, tmp_path, monkeypatch, capsys
) -> None:
    apis = start_apis()
    lake = tmp_path / "lake"
    for name, value in {**apis.environment(), "LAKE_URI": str(lake)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ON_DEMAND_FETCH", raising=False)  # on by default here
    arguments = [NEW_ARTIST, "--db", str(answers_warehouse.duckdb_path), "--json", "--k", "2"]
    exit_code = lookup_cli.main(arguments)
    captured = capsys.readouterr()
    assert exit_code == 0, captured.err
    [answer] = json.loads(captured.out)["answers"]
    assert (answer["artist_name"], answer["found_by"]) == (NEW_ARTIST, "on_demand")
    assert [related["similarity_rank"] for related in answer["related"]] == [1, 2]
    assert "computed on demand" in captured.err
    assert f"landed {NEW_ARTIST!r} in {lake}" in captured.err
    assert read_table(lake, "artists")["artist_name"].to_pylist() == [NEW_ARTIST]


def test_the_command_line_without_credentials_suggests_and_writes_nothing(
    answers_warehouse, tmp_path, monkeypatch, capsys
) -> None:
    lake = tmp_path / "lake"
    monkeypatch.setenv("LAKE_URI", str(lake))
    for name in ("SPOTIPY_CLIENT_ID", "SPOTIPY_CLIENT_SECRET", "ON_DEMAND_FETCH"):
        monkeypatch.delenv(name, raising=False)
    exit_code = lookup_cli.main([NEW_ARTIST, "--db", str(answers_warehouse.duckdb_path)])
    captured = capsys.readouterr()
    assert exit_code == 1
    assert captured.err.count("\n") == 1 and "closest:" in captured.err
    assert not lake.exists()


@pytest.fixture(scope="module")
def exported(answers_warehouse: DbtWorkspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The serving file and, next to it, the on-demand files, exported from the warehouse."""
    serving_file = tmp_path_factory.mktemp("serving") / "artist_recommendations.parquet"
    database = str(answers_warehouse.duckdb_path)
    assert export_main(["--db", database, "--to", str(serving_file)]) == 0
    return serving_file


def on_demand_folder(serving_file: Path) -> Path:
    return serving_file.parent / "on_demand"


def test_the_on_demand_files_answer_as_the_warehouse_does(
    answers_warehouse, exported, connect, start_apis, catalog
) -> None:
    apis = start_apis()
    warehouse = connect(answers_warehouse)
    loaded = load_on_demand_files(str(on_demand_folder(exported)))
    from_files = answer_on_demand(loaded, NEW_ARTIST, 3, options(apis.environment(), None))
    from_warehouse = answer_on_demand(warehouse, NEW_ARTIST, 3, options(apis.environment(), None))
    assert from_files.answer is not None and from_files.answer == from_warehouse.answer
    artist = catalog.artist_by_name(NEW_ARTIST)
    assert_exact(from_files, brute_force(warehouse, expected_tracks(catalog, False), artist.id))
    # Only the recommendable artists are kept, with every track an answer may show.
    counts = loaded.execute(
        "select (select count(*) from dim_artists), "
        "(select count(*) from dim_artists where not is_recommendable)"
    ).fetchone()
    assert counts == (
        warehouse.execute("select count(*) from dim_artists where is_recommendable").fetchone()[0],
        0,
    )
    first_tracks = (
        "select artist_id, track_name from fct_artist_tracks "
        "where artist_id in (select artist_id from dim_artists where is_recommendable) "
        "and track_rank <= 3 order by all"
    )
    assert loaded.execute(first_tracks).fetchall() == warehouse.execute(first_tracks).fetchall()


def test_whole_tables_in_folders_load_as_the_exported_files(
    answers_warehouse, exported, connect, tmp_path
) -> None:
    """As after an Athena build: each table a folder of parquet files, whole marts."""
    warehouse = connect(answers_warehouse)
    folder = tmp_path / "unloaded"
    for table in TABLES:
        (folder / table).mkdir(parents=True)
        whole = warehouse.sql(f"select * from {table}").to_arrow_table()
        half = whole.num_rows // 2
        pq.write_table(whole.slice(0, half), folder / table / "part-0.parquet")
        pq.write_table(whole.slice(half), folder / table / "part-1.parquet")
    from_folders = load_on_demand_files(str(folder))
    from_files = load_on_demand_files(str(on_demand_folder(exported)))
    kept = from_files.execute("select max(track_rank) from fct_artist_tracks").fetchone()[0]
    for query in (
        "select * from dim_similarity_features order by all",
        "select * from dim_artists order by all",
        f"select * from fct_artist_tracks where track_rank <= {kept} order by all",
    ):
        assert from_folders.execute(query).fetchall() == from_files.execute(query).fetchall()


def test_missing_on_demand_files_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ServingFileError, match=r"^no dim_similarity_features in .*: build"):
        load_on_demand_files(str(tmp_path / "nowhere"))


def test_the_skill_server_answers_on_demand_when_enabled(
    answers_warehouse, exported, start_apis, monkeypatch
) -> None:
    """Off by default; on, against the warehouse (--db) or the on-demand files (the
    default next to the serving file), with the same answer."""
    apis = start_apis()
    for name, value in apis.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ON_DEMAND_FILES_URI", raising=False)
    source = ServingFileSource(str(exported))
    server_options = OnDemandOptions.for_server({**apis.environment(), "ON_DEMAND_FETCH": "1"})
    database = str(answers_warehouse.duckdb_path)
    on_warehouse = warehouse_on_demand(database, server_options)
    on_files = on_demand_answerer(build_parser().parse_args(["--on-demand"]), str(exported))
    body = skill_request(NEW_ARTIST)
    documents = []
    for on_demand in (None, on_warehouse, on_files):
        with running_server(create_app(source, on_demand=on_demand)) as url:
            documents.append(requests.post(url + "/skill", json=body, timeout=10).json())
    suggested, fetched, fetched_from_files = documents
    for document in documents:
        assert_skill_response(document)
    assert "no artist named" in suggested["template"]["outputs"][0]["simpleText"]["text"]
    text = fetched["template"]["outputs"][0]["simpleText"]["text"]
    assert f"sound like {NEW_ARTIST}" in text and "fetched from Spotify just now" in text
    assert fetched["template"]["outputs"][1]["carousel"]["items"]
    assert fetched_from_files == fetched
    assert files_on_demand(str(on_demand_folder(exported)), server_options)(NEW_ARTIST)


# --- the serverless handler: on demand from the files on S3 -------------------------------

SERVING_URI = "s3://spotify-serving/skill/artist_recommendations.parquet"
LAKE = "spotify-lake/on-demand"


@pytest.fixture
def handler_on_s3(s3_environment, exported: Path, monkeypatch) -> Iterator[pytest.MonkeyPatch]:
    """The serving file and the on-demand files on moto's S3, the handler cold."""
    storage = s3()
    storage.put(str(exported), SERVING_URI)
    for table in TABLES:
        path = on_demand_folder(exported) / f"{table}.parquet"
        storage.put(str(path), f"spotify-serving/skill/on_demand/{table}.parquet")
    if storage.exists(LAKE):
        storage.rm(LAKE, recursive=True)
    for name in ("ON_DEMAND_FETCH", "ON_DEMAND_FILES_URI", "SKILL_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SERVING_FILE_URI", SERVING_URI)
    monkeypatch.setenv("LAKE_URI", f"s3://{LAKE}")
    skill_lambda.reset()
    yield monkeypatch
    skill_lambda.reset()


def invoke(utterance: str) -> dict:
    response = skill_lambda.handler(proxy_event(json.dumps(skill_request(utterance))), None)
    assert response["statusCode"] == 200, response
    document = json.loads(response["body"])
    assert_skill_response(document)
    return document


def test_the_handler_answers_on_demand_and_has_landed_when_it_returns(
    handler_on_s3, start_apis
) -> None:
    apis = start_apis()
    for name, value in {**apis.environment(), "ON_DEMAND_FETCH": "1"}.items():
        handler_on_s3.setenv(name, value)
    document = invoke(NEW_ARTIST)
    text = document["template"]["outputs"][0]["simpleText"]["text"]
    assert f"sound like {NEW_ARTIST}" in text and "fetched from Spotify just now" in text
    assert document["template"]["outputs"][1]["carousel"]["items"]
    # Landed before the handler returned (Lambda freezes the environment after it).
    landed = s3().glob(f"{LAKE}/artists/dt=*/api-*.parquet")
    assert len(landed) == 1
    with s3().open(landed[0], "rb") as stream:
        assert pq.read_table(stream)["artist_name"].to_pylist() == [NEW_ARTIST]
    # The warehouse's artists still answer from the serving file, with no fetch.
    before = apis.request_count
    assert "carousel" in invoke("BLACKPINK")["template"]["outputs"][1]
    assert apis.request_count == before


def test_the_handler_is_off_on_demand_by_default(handler_on_s3, start_apis) -> None:
    apis = start_apis()
    for name, value in apis.environment().items():
        handler_on_s3.setenv(name, value)
    document = invoke(NEW_ARTIST)
    assert "no artist named" in document["template"]["outputs"][0]["simpleText"]["text"]
    assert apis.request_count == 0
    assert not s3().exists(LAKE)


def test_the_handler_without_on_demand_files_says_so(handler_on_s3) -> None:
    handler_on_s3.setenv("ON_DEMAND_FETCH", "1")
    handler_on_s3.setenv("ON_DEMAND_FILES_URI", "s3://spotify-serving/nowhere")
    with pytest.raises(ServingFileError, match="no dim_similarity_features in s3://"):
        skill_lambda.handler(proxy_event(json.dumps(skill_request(NEW_ARTIST))), None)
