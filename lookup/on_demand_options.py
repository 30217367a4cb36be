"""How the on-demand path may fetch: on or off, its deadline, its rate limit, where it lands.

The command line and the servers read the same environment variables, with different
defaults (docs/on-demand.md): on for the command line, off for the skill server and the
serverless handler, which anyone on the internet can reach.

- ``ON_DEMAND_FETCH``: 1 on, 0 off (command line 1, servers 0).
- ``ON_DEMAND_DEADLINE_SECONDS``: the wall-clock limit of the wait for Spotify, 0 for none
  (command line 30, servers 4: inside the platform's 5 s, leaving time to answer).
- ``ON_DEMAND_RATE_PER_MINUTE``: artists fetched a minute, in bursts of as many, 0 for no
  limit (command line 0, servers 6).
- ``ON_DEMAND_LAND``: 1 lands an exact name match in the lake, 0 never lands (both 1).
- ``ON_DEMAND_TRACKS``: tracks fetched per artist (both 10, as ``spotify-extract api``).
- ``LAKE_URI``: where to land (command line: ``./lake`` when unset; servers: nothing is
  landed when unset).

The Spotify credentials, base URLs and retry settings are the extractor's
(``SPOTIPY_CLIENT_ID``, ``SPOTIPY_CLIENT_SECRET``, ``SPOTIFY_API_URL``,
``SPOTIFY_AUTH_URL``, ``RECCOBEATS_API_URL``, ``EXTRACT_*``), read from the same mapping,
which is kept out of every ``repr``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from extract.cli_common import DEFAULT_LAKE_URI, LAKE_URI_VARIABLE

ENABLED_VARIABLE = "ON_DEMAND_FETCH"
DEADLINE_VARIABLE = "ON_DEMAND_DEADLINE_SECONDS"
RATE_VARIABLE = "ON_DEMAND_RATE_PER_MINUTE"
LAND_VARIABLE = "ON_DEMAND_LAND"
TRACKS_VARIABLE = "ON_DEMAND_TRACKS"

COMMAND_LINE_DEADLINE_SECONDS = 30.0
SERVER_DEADLINE_SECONDS = 4.0  # inside the platform's 5 s, leaving time to answer
SERVER_RATE_PER_MINUTE = 6.0
DEFAULT_TRACKS = 10  # as spotify-extract api --tracks-per-artist


class OptionsError(ValueError):
    """An ON_DEMAND_* variable with a value that means nothing; the message names it."""


class TokenBucket:
    """A rate limit of ``per_minute`` fetches a minute, with bursts of as many: one token per
    fetch, refilled continuously. Safe to share between threads."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute must be positive, got {per_minute}")
        self.capacity = per_minute
        self.refill_per_second = per_minute / 60.0
        self._clock = clock
        self._tokens = per_minute
        self._updated = clock()
        self._lock = threading.Lock()

    def try_take(self) -> bool:
        """Take one token if there is one; False (and nothing taken) when the limit is reached."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(self.capacity, self._tokens + elapsed * self.refill_per_second)
            self._updated = now
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True


@dataclass(frozen=True)
class OnDemandOptions:
    """Whether and how an artist the warehouse lacks is fetched from Spotify."""

    enabled: bool = True
    deadline_seconds: float | None = COMMAND_LINE_DEADLINE_SECONDS  # None: wait as long as it takes
    rate_limit: TokenBucket | None = None  # one per process, shared by every request
    land: bool = True  # land an exact name match in the lake, for the next build
    lake_uri: str | None = None  # None: nothing is landed
    tracks_per_artist: int = DEFAULT_TRACKS
    market: str = "US"
    # Credentials, base URLs and retry settings, as the extractor reads them.
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def for_command_line(cls, environment: Mapping[str, str] | None = None) -> OnDemandOptions:
        """On unless ``ON_DEMAND_FETCH=0``; a 30 s deadline; no rate limit; lands in
        ``LAKE_URI`` (default ./lake)."""
        environment = dict(os.environ if environment is None else environment)
        return cls(
            enabled=flag(environment, ENABLED_VARIABLE, True),
            deadline_seconds=seconds(environment, DEADLINE_VARIABLE, COMMAND_LINE_DEADLINE_SECONDS),
            rate_limit=bucket(environment, 0.0),
            land=flag(environment, LAND_VARIABLE, True),
            lake_uri=environment.get(LAKE_URI_VARIABLE) or DEFAULT_LAKE_URI,
            tracks_per_artist=whole(environment, TRACKS_VARIABLE, DEFAULT_TRACKS),
            environment=environment,
        )

    @classmethod
    def for_server(cls, environment: Mapping[str, str] | None = None) -> OnDemandOptions:
        """Off unless ``ON_DEMAND_FETCH=1``; a 4 s deadline; 6 fetches a minute; lands only
        where ``LAKE_URI`` says. Create once per process: the rate limit lives in it."""
        environment = dict(os.environ if environment is None else environment)
        return cls(
            enabled=flag(environment, ENABLED_VARIABLE, False),
            deadline_seconds=seconds(environment, DEADLINE_VARIABLE, SERVER_DEADLINE_SECONDS),
            rate_limit=bucket(environment, SERVER_RATE_PER_MINUTE),
            land=flag(environment, LAND_VARIABLE, True),
            lake_uri=environment.get(LAKE_URI_VARIABLE) or None,
            tracks_per_artist=whole(environment, TRACKS_VARIABLE, DEFAULT_TRACKS),
            environment=environment,
        )


def flag(environment: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (environment.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise OptionsError(f"{name} must be 1 or 0, got {raw[:40]!r}")


def number(environment: Mapping[str, str], name: str) -> float | None:
    raw = (environment.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise OptionsError(f"{name} must be a number, got {raw[:40]!r}") from None
    if not value >= 0 or value == float("inf"):
        raise OptionsError(f"{name} must be 0 or more, got {raw[:40]!r}")
    return value


def seconds(environment: Mapping[str, str], name: str, default: float) -> float | None:
    """A deadline in seconds; 0 means none."""
    value = number(environment, name)
    if value is None:
        return default
    return value or None


def bucket(environment: Mapping[str, str], default: float) -> TokenBucket | None:
    """The rate limit, fetches a minute; 0 means none."""
    value = number(environment, RATE_VARIABLE)
    per_minute = default if value is None else value
    return TokenBucket(per_minute) if per_minute else None


def whole(environment: Mapping[str, str], name: str, default: int) -> int:
    raw = (environment.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise OptionsError(f"{name} must be a whole number of at least 1, got {raw[:40]!r}")
    return int(raw)
