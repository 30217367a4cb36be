"""Fake Spotify and ReccoBeats servers started in pairs, stopped together, schemas checked.

``fake_services()`` is what a test fixture wraps: it yields a ``start(catalog, ...)`` that
starts one pair; on exit every pair is stopped, and a response that broke the copied
OpenAPI description (or ReccoBeats' schema) fails the test that caused it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from tests.python.fakes.catalog import Catalog
from tests.python.fakes.reccobeats import FakeReccoBeats, reccobeats_environment
from tests.python.fakes.spotify import FakeSpotify, spotify_environment


class Apis:
    """The two fake services of one test, and the settings its runs use with them."""

    def __init__(
        self, spotify: FakeSpotify, reccobeats: FakeReccoBeats, settings: Mapping[str, str]
    ) -> None:
        self.spotify = spotify
        self.reccobeats = reccobeats
        self.settings = dict(settings)

    def environment(self, **overrides: str) -> dict[str, str]:
        """The documented variables that point the extractor at these fakes, the settings,
        then ``overrides``."""
        return {
            **spotify_environment(self.spotify),
            **reccobeats_environment(self.reccobeats),
            **self.settings,
            **overrides,
        }

    @property
    def request_count(self) -> int:
        return len(self.spotify.requests) + len(self.reccobeats.requests)


@contextmanager
def fake_services() -> Iterator[Callable[..., Apis]]:
    """``start(catalog, settings={}, **spotify_options)`` for as many pairs as a test needs
    (``spotify_options`` go to FakeSpotify, e.g. ``development_mode=True``)."""
    started: list[Apis] = []

    def start(
        catalog: Catalog, settings: Mapping[str, str] | None = None, **spotify_options
    ) -> Apis:
        apis = Apis(
            FakeSpotify(catalog, **spotify_options).start(),
            FakeReccoBeats(catalog).start(),
            settings or {},
        )
        started.append(apis)
        return apis

    try:
        yield start
    finally:
        for apis in started:
            apis.spotify.stop()
            apis.reccobeats.stop()
    violations = [
        violation
        for apis in started
        for violation in apis.spotify.schema_errors + apis.reccobeats.schema_errors
    ]
    assert not violations, f"responses that break the schemas: {violations[:5]}"
