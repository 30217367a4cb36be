"""``spotify-extract api`` against fake Spotify and ReccoBeats servers on 127.0.0.1.

Nothing is patched: the extractor runs as users run it (in-process through ``extract.cli``,
or as a subprocess where it must be killed), pointed at the fakes by the documented
environment variables, and writes a real lake that is read back with pyarrow. The fakes
validate every response they send against the copied OpenAPI description; a violation fails
the test that caused it.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract.lake_writer import Lake
from extract.schemas import ARTISTS, AUDIO_FEATURE_COLUMNS, LAKE_TABLES
from tests.python.fakes.catalog import Catalog, fake_id
from tests.python.fakes.http_server import Fault
from tests.python.fakes.openapi import OpenApiValidator
from tests.python.fakes.reccobeats import FakeReccoBeats, reccobeats_environment
from tests.python.fakes.spotify import CLIENT_SECRET, FakeSpotify, spotify_environment

DT = "2026-11-24"
DAFT_PUNK = "4tZwfgrHOc3mvqYlEYSvVi"
QUEEN = "1dfeR4HaWDbWqFHLkxsg1d"
ABBA = "0LcJLqbBmaGUft1e9Mm8HV"
BLACKPINK = "41MozSoPIsD1dJM0CLPjZF"
METALLICA = "2ye2Wgw4gimLv2eAKyk1NB"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


# --- fixtures and helpers -----------------------------------------------------------------


class Apis:
    """The two fake services of one test."""

    def __init__(self, spotify: FakeSpotify, reccobeats: FakeReccoBeats) -> None:
        self.spotify = spotify
        self.reccobeats = reccobeats


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.standard()


@pytest.fixture(autouse=True)
def extractor_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fast, bounded retries; no stray settings from the developer's shell; cwd in tmp."""
    for name in (
        "LAKE_URI",
        "SPOTIPY_CLIENT_ID",
        "SPOTIPY_CLIENT_SECRET",
        "SPOTIFY_API_URL",
        "SPOTIFY_AUTH_URL",
        "RECCOBEATS_API_URL",
        "EXTRACT_MAX_RETRIES",
        "EXTRACT_MAX_RETRY_AFTER",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EXTRACT_RETRY_BASE_DELAY", "0.01")
    monkeypatch.setenv("EXTRACT_RETRY_MAX_DELAY", "0.05")
    monkeypatch.setenv("EXTRACT_HTTP_TIMEOUT", "2")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def start_apis(monkeypatch: pytest.MonkeyPatch, catalog: Catalog):
    """Start fake Spotify + ReccoBeats servers and point the extractor's environment at them.

    Teardown stops them and fails the test if any response broke its schema.
    """
    started: list[Apis] = []

    def start(catalog_override: Catalog | None = None, **spotify_options) -> Apis:
        used = catalog_override or catalog
        apis = Apis(FakeSpotify(used, **spotify_options).start(), FakeReccoBeats(used).start())
        started.append(apis)
        environment = {
            **spotify_environment(apis.spotify),
            **reccobeats_environment(apis.reccobeats),
        }
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return apis

    yield start
    violations = []
    for apis in started:
        apis.spotify.stop()
        apis.reccobeats.stop()
        violations += apis.spotify.schema_errors + apis.reccobeats.schema_errors
    assert not violations, f"responses that break the schemas: {violations[:5]}"


def extract_arguments(lake: Path, *arguments: str, dt: str = DT) -> list[str]:
    return ["api", *arguments, "--lake", str(lake), "--dt", dt]


def read_rows(lake: Path, table: str, dt: str | None = None) -> list[dict]:
    pattern = f"{table}/dt={dt or '*'}/*.parquet"
    files = sorted(lake.glob(pattern))
    if not files:
        return []
    for path in files:
        assert pq.read_schema(path).equals(LAKE_TABLES[table]), f"{path} breaks the contract"
    return pa.concat_tables(pq.read_table(path) for path in files).to_pylist()


def without_timestamps(rows: list[dict]) -> list[dict]:
    return sorted(
        ({key: value for key, value in row.items() if key != "extracted_at"} for row in rows),
        key=lambda row: json.dumps(row, sort_keys=True, default=str),
    )


def read_manifests(lake: Path, dt: str = DT) -> list[dict]:
    paths = sorted((lake / "_runs" / f"dt={dt}").glob("*.json"))
    return [json.loads(path.read_text()) for path in paths]


def tracks_by_artist(rows: list[dict]) -> dict[str, list[str]]:
    grouped: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        grouped.setdefault(row["artist_id"], []).append((row["track_rank"], row["track_name"]))
    return {artist: [name for _, name in sorted(pairs)] for artist, pairs in grouped.items()}


# --- Extended Quota -----------------------------------------------------------------------


def test_extended_quota_run_lands_top_tracks_and_spotify_features(
    start_apis, run_cli, tmp_path, catalog
):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = run_cli(
        extract_arguments(lake, "--artist", "Daft Punk", "--artist", "queen", "--artist-id", ABBA)
    )
    assert result.exit_code == EXIT_OK, result.stderr

    artists = {row["artist_id"]: row for row in read_rows(lake, "artists")}
    assert set(artists) == {DAFT_PUNK, QUEEN, ABBA}
    for artist_id, row in artists.items():
        known = catalog.artists[artist_id]
        assert (row["artist_name"], row["popularity"], row["followers"], row["genres"]) == (
            known.name,
            known.popularity,
            known.followers,
            known.genres,
        )
        assert row["source"] == "spotify"
        assert row["extracted_at"].tzinfo is not None

    tracks = read_rows(lake, "top_tracks")
    for artist_id in artists:
        expected = catalog.top_tracks(artist_id)
        landed = sorted(
            (row for row in tracks if row["artist_id"] == artist_id),
            key=lambda row: row["track_rank"],
        )
        assert [row["track_id"] for row in landed] == [track.id for track in expected]
        assert [row["track_rank"] for row in landed] == list(range(1, len(expected) + 1))
        for row, track in zip(landed, expected, strict=True):
            assert row["selection"] == "top_tracks"
            assert row["isrc"] == track.isrc
            assert row["popularity"] == track.popularity
            assert row["album_id"] == track.album_id
            assert row["spotify_url"] == f"https://open.spotify.com/track/{track.id}"

    features = {row["track_id"]: row for row in read_rows(lake, "audio_features")}
    landed_ids = {row["track_id"] for row in tracks}
    with_features = {tid for tid in landed_ids if catalog.tracks[tid].features is not None}
    assert set(features) == with_features
    assert landed_ids - with_features, "the catalogue should give at least one null entry"
    for track_id, row in features.items():
        known = catalog.tracks[track_id].features
        assert {name: row[name] for name in AUDIO_FEATURE_COLUMNS} == {
            name: known[name] for name in AUDIO_FEATURE_COLUMNS
        }
        assert row["time_signature"] == known["time_signature"]
        assert row["source"] == "spotify"

    (manifest,) = read_manifests(lake)
    assert manifest["app_mode"] == "extended_quota"
    assert manifest["fallbacks"] == [] and manifest["errors"] == []
    assert manifest["counts"] == {
        "artists_requested": 3,
        "artists_landed": 3,
        "artists_failed": 0,
        "artists_duplicate": 0,
        "tracks": len(tracks),
        "features_found": len(with_features),
        "features_missing": len(landed_ids - with_features),
        "features_failed": 0,
    }
    # Two searches, one artist by id, three top-track lists, one features batch, one token.
    assert manifest["requests"]["requests"] == {"spotify_api": 7, "spotify_auth": 1}
    assert len(apis.spotify.requests_to(r"^/v1/search$")) == 2
    assert len(apis.spotify.requests_to(r"/top-tracks$")) == 3
    assert len(apis.spotify.requests_to(r"^/v1/audio-features")) == 1
    assert apis.reccobeats.requests == []
    assert "queen -> Queen (1dfeR4HaWDbWqFHLkxsg1d), exact name match" in result.stderr


def test_name_resolution_takes_the_exact_match_else_the_first_result(start_apis, run_cli, tmp_path):
    start_apis()
    lake = tmp_path / "lake"
    # "daft punk" finds "Daft Punk Tribute Band" first; "daft" matches no name exactly.
    result = run_cli(extract_arguments(lake, "--artist", "daft punk", "--artist", "daft"))
    assert result.exit_code == EXIT_OK, result.stderr
    names = {row["artist_name"] for row in read_rows(lake, "artists")}
    assert names == {"Daft Punk", "Daft Punk Tribute Band"}
    assert "daft punk -> Daft Punk (4tZwfgrHOc3mvqYlEYSvVi), exact name match" in result.stderr
    assert "daft -> Daft Punk Tribute Band" in result.stderr
    assert "first of 2 results (no exact name match)" in result.stderr
    (manifest,) = read_manifests(lake)
    resolutions = {artist["input"]: artist["resolution"] for artist in manifest["artists"]}
    assert resolutions["daft"].startswith("first of 2 results")


def test_an_unknown_artist_is_reported_and_skipped_and_the_others_land(
    start_apis, run_cli, tmp_path
):
    start_apis()
    lake = tmp_path / "lake"
    unknown_id = fake_id("nobody")
    result = run_cli(
        extract_arguments(
            lake, "--artist", "Zzyzx Nobody", "--artist", "Queen", "--artist-id", unknown_id
        )
    )
    assert result.exit_code == EXIT_PARTIAL
    assert [row["artist_id"] for row in read_rows(lake, "artists")] == [QUEEN]
    assert "FAILED Zzyzx Nobody: no Spotify artist found for 'Zzyzx Nobody'" in result.stderr
    assert f"FAILED id {unknown_id}: no Spotify artist has the id {unknown_id}" in result.stderr
    (manifest,) = read_manifests(lake)
    assert manifest["counts"]["artists_failed"] == 2
    assert {error["artist"] for error in manifest["errors"]} == {"Zzyzx Nobody", f"id {unknown_id}"}
    assert manifest["exit_code"] == EXIT_PARTIAL


def test_the_same_artist_asked_twice_lands_once(start_apis, run_cli, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = run_cli(
        extract_arguments(lake, "--artist", "Queen", "--artist", "QUEEN", "--artist-id", QUEEN)
    )
    assert result.exit_code == EXIT_OK, result.stderr
    assert [row["artist_id"] for row in read_rows(lake, "artists")] == [QUEEN]
    assert len(apis.spotify.requests_to(r"/top-tracks$")) == 1
    (manifest,) = read_manifests(lake)
    assert manifest["counts"]["artists_duplicate"] == 1


# --- Development Mode and ReccoBeats ------------------------------------------------------


@pytest.mark.parametrize("top_tracks_status", [403, 404])
def test_development_mode_run_uses_latest_releases_and_reccobeats(
    start_apis, run_cli, tmp_path, catalog, top_tracks_status
):
    apis = start_apis(development_mode=True, top_tracks_status=top_tracks_status)
    lake = tmp_path / "lake"
    result = run_cli(
        extract_arguments(
            lake,
            "--artist",
            "Daft Punk",
            "--artist",
            "BLACKPINK",
            "--artist-id",
            ABBA,
            "--tracks-per-artist",
            "12",
        )
    )
    assert result.exit_code == EXIT_OK, result.stderr

    artists = read_rows(lake, "artists")
    assert {row["artist_id"] for row in artists} == {DAFT_PUNK, BLACKPINK, ABBA}
    assert all(row["source"] == "spotify:development_mode" for row in artists)
    assert all(row["popularity"] is None and row["followers"] is None for row in artists)

    tracks = read_rows(lake, "top_tracks")
    assert tracks_by_artist(tracks) == {
        # Newest release first; "Get Lucky" is taken from the album, not its older single.
        DAFT_PUNK: [
            "Lose Yourself to Dance",
            "Give Life Back to Music",
            "Get Lucky",
            "Instant Crush",
            "Doin' it Right",
            "Tron Legacy (End Titles)",
            "One More Time",
            "Aerodynamic",
            "Digital Love",
            "Homework - part 1",
            "Homework - part 2",
            "Homework - part 3",
        ],
        # "Typa Girl" on BLACKPINK's album is the guest's track only; the single repeats
        # "Shut Down".
        BLACKPINK: ["Pink Venom", "Shut Down"],
        # Twelve singles, newer than the album: two pages of ten; no compilation track.
        ABBA: [f"ABBA Single {number:02d}" for number in range(11, -1, -1)],
    }
    assert {row["selection"] for row in tracks} == {"latest_releases"}
    assert all(row["popularity"] is None for row in tracks)
    get_lucky = next(row for row in tracks if row["track_name"] == "Get Lucky")
    assert get_lucky["album_name"] == "Random Access Memories"
    assert get_lucky["release_date"] == "2013-05-17"

    # Detected once per run: one top-tracks and one audio-features refusal, whatever the count.
    assert len(apis.spotify.requests_to(r"/top-tracks$")) == 1
    assert len(apis.spotify.requests_to(r"^/v1/audio-features")) == 1
    assert all(int(r.query["limit"][0]) <= 10 for r in apis.spotify.requests_to(r"^/v1/search$"))
    abba_singles = [
        request.query["offset"][0]
        for request in apis.spotify.requests_to(rf"^/v1/artists/{ABBA}/albums$")
        if request.query["include_groups"] == ["single"]
    ]
    assert abba_singles == ["0", "10"]

    features = {row["track_id"]: row for row in read_rows(lake, "audio_features")}
    landed_ids = {row["track_id"] for row in tracks}
    unknown = {tid for tid in landed_ids if not catalog.tracks[tid].known_to_reccobeats}
    assert set(features) == landed_ids - unknown
    assert unknown == {catalog.track_by_name("Daft Punk", "Aerodynamic").id}
    assert {row["source"] for row in features.values()} == {"reccobeats"}
    assert all(row["time_signature"] is None for row in features.values())
    for track_id, row in features.items():
        assert row["duration_ms"] == catalog.tracks[track_id].duration_ms
    assert len(apis.reccobeats.requests) == math.ceil(len(landed_ids) / 40)

    (manifest,) = read_manifests(lake)
    assert manifest["app_mode"] == "development"
    assert manifest["track_selections"] == ["latest_releases"]
    assert manifest["features_source"]["used"] == ["reccobeats"]
    assert [fallback.split(":")[0] for fallback in manifest["fallbacks"]] == [
        "tracks",
        "audio features",
    ]
    assert manifest["counts"]["features_missing"] == 1
    assert f"top tracks refused (HTTP {top_tracks_status}): a Development Mode app" in (
        result.stderr
    )
    assert "using ReccoBeats instead" in result.stderr


def test_auto_features_fall_back_to_reccobeats_in_batches_of_40(
    start_apis, run_cli, tmp_path, catalog
):
    # An Extended Quota app refused audio features only (a real case since 2024-11-27).
    apis = start_apis(audio_features_forbidden=True)
    lake = tmp_path / "lake"
    names = ["Daft Punk", "Queen", "ABBA", "BLACKPINK", "Metallica"]
    result = run_cli(extract_arguments(lake, *[f"--artist={name}" for name in names]))
    assert result.exit_code == EXIT_OK, result.stderr

    landed_ids = {row["track_id"] for row in read_rows(lake, "top_tracks")}
    assert len(landed_ids) > 40
    batches = [request.query["ids"][0].split(",") for request in apis.reccobeats.requests]
    assert [len(batch) for batch in batches] == [40, len(landed_ids) - 40]
    assert set().union(*batches) == landed_ids

    # ReccoBeats answers in its own order under its own ids: mapped back through href.
    features = read_rows(lake, "audio_features")
    known = {tid for tid in landed_ids if catalog.tracks[tid].known_to_reccobeats}
    assert {row["track_id"] for row in features} == known
    for row in features:
        expected = catalog.tracks[row["track_id"]].features
        if expected is not None:
            assert row["danceability"] == expected["danceability"]
            assert row["tempo"] == expected["tempo"]
    assert len(apis.spotify.requests_to(r"^/v1/audio-features")) == 1
    (manifest,) = read_manifests(lake)
    assert manifest["app_mode"] == "extended_quota"
    assert len(manifest["fallbacks"]) == 1
    assert manifest["fallbacks"][0].startswith("audio features: spotify -> reccobeats")


def test_reccobeats_source_never_asks_spotify_for_features(start_apis, run_cli, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = run_cli(
        extract_arguments(lake, "--artist", "Queen", "--features-source", "reccobeats")
    )
    assert result.exit_code == EXIT_OK, result.stderr
    assert apis.spotify.requests_to(r"^/v1/audio-features") == []
    assert {row["source"] for row in read_rows(lake, "audio_features")} == {"reccobeats"}


def test_spotify_features_in_development_mode_land_tracks_and_report_the_error(
    start_apis, run_cli, tmp_path
):
    apis = start_apis(development_mode=True)
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen", "--features-source", "spotify"))
    assert result.exit_code == EXIT_PARTIAL
    assert len(read_rows(lake, "top_tracks")) == 10
    assert read_rows(lake, "audio_features") == []
    assert apis.reccobeats.requests == []
    assert "--features-source reccobeats" in result.stderr
    (manifest,) = read_manifests(lake)
    assert manifest["counts"]["features_failed"] == 10


def test_features_source_none_lands_tracks_without_features(start_apis, run_cli, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen", "--features-source", "none"))
    assert result.exit_code == EXIT_OK, result.stderr
    assert len(read_rows(lake, "top_tracks")) == 10
    assert not (lake / "audio_features").exists()
    assert apis.spotify.requests_to(r"^/v1/audio-features") == []
    assert apis.reccobeats.requests == []


# --- credentials --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        (
            ("SPOTIPY_CLIENT_ID", "SPOTIPY_CLIENT_SECRET"),
            "SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET",
        ),
        (("SPOTIPY_CLIENT_SECRET",), "SPOTIPY_CLIENT_SECRET"),
    ],
)
def test_missing_credentials_stop_before_anything_is_written(
    start_apis, run_cli, tmp_path, monkeypatch, unset, named
):
    apis = start_apis()
    for name in unset:
        monkeypatch.delenv(name)
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen"))
    assert result.exit_code == EXIT_USAGE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"spotify-extract api: missing {named}")
    assert "SPOTIPY_CLIENT_ID" in lines[0] and "SPOTIPY_CLIENT_SECRET" in lines[0]
    assert not lake.exists()
    assert apis.spotify.requests == []


def test_rejected_credentials_fail_in_one_line_and_write_nothing(
    start_apis, run_cli, tmp_path, monkeypatch
):
    apis = start_apis()
    monkeypatch.setenv("SPOTIPY_CLIENT_SECRET", "wrong-secret-4242")
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen"))
    assert result.exit_code == EXIT_FAILED
    assert result.stderr.strip().count("\n") == 0
    assert "refused the client credentials" in result.stderr
    assert "wrong-secret-4242" not in result.stderr + result.stdout
    assert not lake.exists()
    assert [request.path for request in apis.spotify.requests] == ["/api/token"]


def test_credentials_and_tokens_are_never_printed_logged_or_written(
    start_apis, run_cli, tmp_path, caplog
):
    apis = start_apis()
    lake = tmp_path / "lake"
    caplog.set_level("DEBUG")
    result = run_cli(extract_arguments(lake, "--artist", "Queen", "--artist", "Zzyzx Nobody"))
    assert result.exit_code == EXIT_PARTIAL
    (token,) = apis.spotify.tokens
    secrets = [CLIENT_SECRET, token]
    outputs = result.stdout + result.stderr + caplog.text
    written = b"".join(path.read_bytes() for path in lake.rglob("*") if path.is_file())
    for secret in secrets:
        assert secret not in outputs
        assert secret.encode() not in written
    # spotipy's default token cache would be a .cache file in the working directory.
    assert list(tmp_path.glob(".cache*")) == []


# --- faults -------------------------------------------------------------------------------


def test_429_is_retried_after_the_retry_after_delay(start_apis, run_cli, tmp_path):
    apis = start_apis()
    apis.spotify.add_fault(Fault(r"^/v1/search$", status=429, retry_after="1"))
    apis.reccobeats.add_fault(Fault(r"audio-features", status=429, retry_after="1"))
    lake = tmp_path / "lake"
    started = time.monotonic()
    result = run_cli(
        extract_arguments(lake, "--artist", "Queen", "--features-source", "reccobeats")
    )
    elapsed = time.monotonic() - started
    assert result.exit_code == EXIT_OK, result.stderr
    assert elapsed >= 2.0
    assert len(apis.spotify.requests_to(r"^/v1/search$")) == 2
    (manifest,) = read_manifests(lake)
    assert manifest["requests"]["retries"] == {"reccobeats": 1, "spotify_api": 1}
    assert manifest["requests"]["rate_limited"] == {"reccobeats": 1, "spotify_api": 1}


def test_server_errors_and_timeouts_are_retried_with_backoff(
    start_apis, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("EXTRACT_HTTP_TIMEOUT", "0.3")
    apis = start_apis()
    apis.spotify.add_fault(Fault(r"/top-tracks$", status=500, times=2))
    apis.spotify.add_fault(Fault(r"^/v1/audio-features", status=503))
    apis.spotify.add_fault(Fault(r"^/v1/search$", delay=1.0))  # longer than the timeout
    apis.spotify.add_fault(Fault(r"^/api/token$", status=502))
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen"))
    assert result.exit_code == EXIT_OK, result.stderr
    assert len(read_rows(lake, "top_tracks")) == 10
    assert len(apis.spotify.requests_to(r"/top-tracks$")) == 3
    (manifest,) = read_manifests(lake)
    assert manifest["requests"]["retries"] == {"spotify_api": 4, "spotify_auth": 1}
    assert manifest["requests"]["rate_limited"] == {}


def test_a_failing_token_endpoint_is_not_mistaken_for_refused_credentials(
    start_apis, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("EXTRACT_MAX_RETRIES", "1")
    apis = start_apis()
    apis.spotify.add_fault(Fault(r"^/api/token$", status=503, times=1000))
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen"))
    assert result.exit_code == EXIT_FAILED
    assert "token endpoint" in result.stderr and "failed" in result.stderr
    assert "refused" not in result.stderr
    assert len(apis.spotify.requests_to(r"^/api/token$", method="POST")) == 2
    assert not lake.exists()


def test_a_persistent_failure_for_one_artist_does_not_lose_the_others(
    start_apis, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("EXTRACT_MAX_RETRIES", "2")
    apis = start_apis()
    apis.spotify.add_fault(Fault(rf"/artists/{QUEEN}/top-tracks$", status=503, times=1000))
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen", "--artist", "Metallica"))
    assert result.exit_code == EXIT_PARTIAL
    assert [row["artist_id"] for row in read_rows(lake, "artists")] == [METALLICA]
    assert len(apis.spotify.requests_to(rf"/artists/{QUEEN}/top-tracks$")) == 3  # 1 + 2 retries
    assert "FAILED Queen: top tracks of 1dfeR4HaWDbWqFHLkxsg1d: HTTP 503 after retries" in (
        result.stderr
    )


def test_a_retry_after_beyond_the_cap_stops_asking_instead_of_hammering(
    start_apis, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("EXTRACT_MAX_RETRY_AFTER", "5")
    monkeypatch.setenv("EXTRACT_MAX_RETRIES", "1")  # were the cap ignored: one 30 s wait, a fail
    apis = start_apis()
    apis.spotify.add_fault(Fault(r"^/v1/search$", status=429, retry_after="30", times=1000))
    lake = tmp_path / "lake"
    started = time.monotonic()
    result = run_cli(
        extract_arguments(lake, "--artist", "Queen", "--artist", "ABBA", "--artist", "Metallica")
    )
    assert time.monotonic() - started < 5
    assert result.exit_code == EXIT_PARTIAL
    assert len(apis.spotify.requests_to(r"^/v1/search$")) == 1
    assert result.stderr.count("rate limiting this app") >= 3
    assert read_rows(lake, "artists") == []
    (manifest,) = read_manifests(lake)
    assert manifest["counts"]["artists_failed"] == 3


def test_spotify_refusing_the_app_stops_the_run_after_one_request(start_apis, run_cli, tmp_path):
    # What a Development Mode app whose owner has no Premium gets since March 2026.
    apis = start_apis(development_mode=True)
    apis.spotify.add_fault(Fault(r"^/v1/", status=403, times=1000))
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen", "--artist", "ABBA"))
    assert result.exit_code == EXIT_FAILED
    assert len(apis.spotify.requests_to(r"^/v1/")) == 1
    assert "Premium" in result.stderr
    assert "FAILED ABBA: not attempted" in result.stderr
    assert read_rows(lake, "artists") == []


# --- the lake: replacement, refresh, atomicity --------------------------------------------


def test_running_the_same_day_twice_gives_the_same_rows_once(start_apis, run_cli, tmp_path):
    start_apis()
    lake = tmp_path / "lake"
    arguments = extract_arguments(lake, "--artist", "Daft Punk", "--artist", "Queen")
    assert run_cli(arguments).exit_code == EXIT_OK
    first = {table: read_rows(lake, table) for table in LAKE_TABLES}
    second_run = run_cli(arguments)
    assert second_run.exit_code == EXIT_OK
    second = {table: read_rows(lake, table) for table in LAKE_TABLES}
    for table in LAKE_TABLES:
        assert without_timestamps(second[table]) == without_timestamps(first[table]), table
        assert len(list((lake / table / f"dt={DT}").glob("*.parquet"))) == 1, table
    assert "removed" in second_run.stderr
    assert len(read_manifests(lake)) == 2


def test_an_overlapping_rerun_replaces_only_the_reextracted_artists(start_apis, run_cli, tmp_path):
    start_apis()
    lake = tmp_path / "lake"
    assert (
        run_cli(extract_arguments(lake, "--artist", "Daft Punk", "--artist", "Queen")).exit_code
        == 0
    )
    assert run_cli(extract_arguments(lake, "--artist", "Queen", "--artist", "ABBA")).exit_code == 0
    artists = Counter(row["artist_id"] for row in read_rows(lake, "artists"))
    assert artists == Counter({DAFT_PUNK: 1, QUEEN: 1, ABBA: 1})
    pairs = Counter((row["artist_id"], row["track_id"]) for row in read_rows(lake, "top_tracks"))
    assert set(pairs.values()) == {1}
    assert {artist for artist, _ in pairs} == {DAFT_PUNK, QUEEN, ABBA}
    features = Counter(row["track_id"] for row in read_rows(lake, "audio_features"))
    assert set(features.values()) == {1}
    # The first run's files now hold Daft Punk only.
    first, second = read_manifests(lake)
    first_file = next(path for path in first["files"]["written"] if "/artists/" in path)
    second_file = next(path for path in second["files"]["written"] if "/artists/" in path)
    assert sorted(second["files"]["rewritten"]) == sorted(first["files"]["written"])
    assert pq.read_table(first_file)["artist_id"].to_pylist() == [DAFT_PUNK]
    assert sorted(pq.read_table(second_file)["artist_id"].to_pylist()) == sorted([QUEEN, ABBA])


def test_refresh_reextracts_every_artist_the_api_landed(start_apis, run_cli, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    assert run_cli(extract_arguments(lake, "--artist", "Queen", "--artist", "ABBA")).exit_code == 0
    # A dataset import's artist (a name-derived id) is not Spotify's to refresh.
    Lake.open(str(lake)).write_table(
        "artists",
        DT,
        pa.Table.from_pylist(
            [
                {
                    "artist_id": "name-0123456789abcdef",
                    "artist_name": "Somebody",
                    "genres": None,
                    "popularity": None,
                    "followers": None,
                    "source": "dataset:songs:name-derived-id",
                    "extracted_at": pa.scalar(0, pa.timestamp("us", tz="UTC")).as_py(),
                }
            ],
            schema=ARTISTS,
        ),
        "dataset-songs.parquet",
    )
    searches_before = len(apis.spotify.requests_to(r"^/v1/search$"))
    result = run_cli(extract_arguments(lake, "--refresh", dt="2026-11-25"))
    assert result.exit_code == EXIT_OK, result.stderr
    refreshed = read_rows(lake, "artists", dt="2026-11-25")
    assert sorted(row["artist_id"] for row in refreshed) == sorted([QUEEN, ABBA])
    assert len(apis.spotify.requests_to(r"^/v1/search$")) == searches_before
    assert len(apis.spotify.requests_to(rf"^/v1/artists/({QUEEN}|{ABBA})$")) == 2
    assert apis.spotify.requests_to(r"name-") == []


def test_refresh_of_a_lake_without_api_artists_is_a_usage_error(start_apis, run_cli, tmp_path):
    apis = start_apis()
    result = run_cli(extract_arguments(tmp_path / "empty-lake", "--refresh"))
    assert result.exit_code == EXIT_USAGE
    assert "--refresh found no artists" in result.stderr
    assert apis.spotify.requests == []


def test_killing_the_extractor_mid_write_leaves_no_partial_file(start_apis, run_cli, tmp_path):
    start_apis()
    arguments = extract_arguments(
        tmp_path / "probe", *[f"--artist={name}" for name in ("Daft Punk", "Queen", "ABBA")]
    )
    assert run_cli(arguments).exit_code == EXIT_OK
    (artists_file,) = (tmp_path / "probe" / "artists" / f"dt={DT}").glob("*.parquet")
    (tracks_file,) = (tmp_path / "probe" / "top_tracks" / f"dt={DT}").glob("*.parquet")
    small, large = artists_file.stat().st_size, tracks_file.stat().st_size
    assert large > small + 2000, (small, large)
    limit = (small + large) // 2

    # The same run in a child process whose files may not grow past `limit` bytes: the kernel
    # kills it (SIGXFSZ, restored to its default action) in the middle of writing top_tracks.
    lake = tmp_path / "lake"
    child = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from extract.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    arguments[arguments.index("--lake") + 1] = str(lake)
    killed = subprocess.run(
        [sys.executable, "-c", child, *arguments],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr
    assert len(list((lake / "artists" / f"dt={DT}").glob("*.parquet"))) == 1
    tracks_folder = lake / "top_tracks" / f"dt={DT}"
    assert list(tracks_folder.glob("*.parquet")) == []
    (temporary,) = tracks_folder.glob(".*.tmp")  # it was killed mid-write...
    assert 0 < temporary.stat().st_size <= limit
    assert not (lake / "audio_features").exists()
    assert not (lake / "_runs").exists()
    for path in lake.rglob("*.parquet"):  # ...and every visible file is whole
        pq.read_table(path)

    # A re-run completes the day; the killed run's artists are replaced, not duplicated.
    assert run_cli(arguments).exit_code == EXIT_OK
    assert Counter(row["artist_id"] for row in read_rows(lake, "artists")) == Counter(
        {DAFT_PUNK: 1, QUEEN: 1, ABBA: 1}
    )
    assert len(read_rows(lake, "top_tracks")) == 30


# --- the command line ---------------------------------------------------------------------


def test_artists_file_mixes_names_ids_uris_and_links(start_apis, run_cli, tmp_path):
    apis = start_apis()
    artists_file = tmp_path / "artists.txt"
    artists_file.write_text(
        "# the nightly list\n"
        "Queen\n"
        "\n"
        f"spotify:artist:{ABBA}\n"
        f"https://open.spotify.com/artist/{METALLICA}?si=abc\n"
        "  queen  \n"
        f"{DAFT_PUNK}\n",
        encoding="utf-8",
    )
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artists-file", str(artists_file)))
    assert result.exit_code == EXIT_OK, result.stderr
    landed = {row["artist_id"] for row in read_rows(lake, "artists")}
    assert landed == {QUEEN, ABBA, METALLICA, DAFT_PUNK}
    assert len(apis.spotify.requests_to(r"^/v1/search$")) == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--artist-id", "not-an-id"], "is not a Spotify artist id"),
        (["--artist", "Queen", "--dt", "2026-13-01"], "--dt must be a date"),
        (["--artist", "Queen", "--market", "USA"], "--market must be a two-letter"),
        ([], "name at least one artist"),
        (["--artists-file", "missing.txt"], "cannot read --artists-file"),
    ],
)
def test_usage_errors_exit_2_with_one_line(start_apis, run_cli, tmp_path, arguments, message):
    apis = start_apis()
    result = run_cli(["api", *arguments, "--lake", str(tmp_path / "lake")])
    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert apis.spotify.requests == []
    assert not (tmp_path / "lake").exists()


def test_progress_bar_shows_for_more_than_a_handful_of_artists(
    start_apis, run_cli, tmp_path, catalog
):
    start_apis()
    names = ["Daft Punk", "Queen", "ABBA", "BLACKPINK", "Metallica", "Queen Naija"]
    many = run_cli(extract_arguments(tmp_path / "many", *[f"--artist={name}" for name in names]))
    assert many.exit_code == EXIT_OK, many.stderr
    assert "artists" in many.stderr and "6/6" in many.stderr
    few = run_cli(extract_arguments(tmp_path / "few", "--artist", "Queen"))
    assert "1/1" not in few.stderr


def test_the_fake_servers_schemas_can_fail():
    """The schema check that guards every fake response does reject a wrong one."""
    validator = OpenApiValidator()
    search = validator.response_pointer("/search", 200)
    assert validator.errors(search, {"artists": {"items": []}})  # paging fields missing
    features = validator.response_pointer("/audio-features", 200)
    assert validator.errors(features, {"audio_features": [None]}) == []
    assert validator.errors(features, {"audio_features": [{"key": 12}]})
    albums = validator.response_pointer("/artists/x/albums", 200)
    assert validator.errors(
        albums,
        {
            "href": "h",
            "items": [{}],
            "limit": 1,
            "next": None,
            "offset": 0,
            "previous": None,
            "total": 1,
        },
    )
