"""Faults of the APIs (rate limits, server errors, timeouts, refusals): retried within
bounds, and never at the cost of the artists that did land.
"""

from __future__ import annotations

import time

from tests.python.api_extract.extraction import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PARTIAL,
    METALLICA,
    QUEEN,
    extract_arguments,
    read_manifests,
    read_rows,
)
from tests.python.fakes.http_server import Fault


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
