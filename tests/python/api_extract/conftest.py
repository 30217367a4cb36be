"""The fake Spotify and ReccoBeats servers of each test, and the extractor's environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.python.fakes.catalog import Catalog
from tests.python.fakes.reccobeats import FakeReccoBeats, reccobeats_environment
from tests.python.fakes.spotify import FakeSpotify, spotify_environment


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
