"""Credentials: missing or rejected ones stop the run in one line, and none is ever printed,
logged or written.
"""

from __future__ import annotations

import pytest

from tests.python.api_extract.extraction import (
    EXIT_FAILED,
    EXIT_PARTIAL,
    EXIT_USAGE,
    extract_arguments,
)
from tests.python.fakes.spotify import CLIENT_SECRET


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
