"""The fake Spotify and ReccoBeats servers of each test, and the extractor's environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.python.fakes.catalog import Catalog
from tests.python.fakes.services import Apis, fake_services


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
def start_apis(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> Iterator:
    """Start fake Spotify + ReccoBeats servers and point the extractor's environment at them.

    Teardown stops them and fails the test if any response broke its schema.
    """
    with fake_services() as start_services:

        def start(catalog_override: Catalog | None = None, **spotify_options) -> Apis:
            apis = start_services(catalog_override or catalog, **spotify_options)
            for name, value in apis.environment().items():
                monkeypatch.setenv(name, value)
            return apis

        yield start
