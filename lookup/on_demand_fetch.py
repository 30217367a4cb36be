"""One artist from the Spotify Web API, as ``spotify-extract api`` fetches it, and its landing.

``fetch_artist`` uses the extractor's own pieces (extract/api/): its clients and retries
(``open_clients``), its track selection (top tracks for an Extended Quota app, the latest
albums and singles for a Development Mode app, ``TrackSelection``), its audio features
(Spotify, else ReccoBeats on 403, ``FeatureFetch``) and its rows (``build_tables``: the
lake contract). Which artist a name means: ``GET /search`` (10 results), the first whose
name folds (``lookup.names.fold``) like the query, else the first result; an id, a
``spotify:artist:`` URI or an open.spotify.com link is looked up directly. ``exact`` says
whether the name matched (an id always does).

``land_fetched`` writes the rows as an API run writes them (``extract.lake_replace.land_run``:
``api-<run_id>.parquet`` in each table's partition of the day, atomically, replacing the
artist's older rows of that day) with its run manifest, so the next build includes the
artist and ``spotify-extract api --refresh`` refreshes it.

The credentials are read from the mapping given, as the extractor reads them, and are never
printed, logged or written.
"""

from __future__ import annotations

import datetime as dt_module
import io
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from rich.console import Console

from extract.api.artist_results import LANDED, ArtistRequest, ArtistResult
from extract.api.command import missing_credentials
from extract.api.extraction import Clients, new_run_id, open_clients
from extract.api.features import FeatureFetch, FeaturesOutcome
from extract.api.lake_rows import build_tables
from extract.api.report import (
    ArtistOutcome,
    FeaturesSource,
    RunCounts,
    RunReport,
    located_changes,
)
from extract.api.run_log import RunLog
from extract.api.tracks import TrackSelection
from extract.cli_common import EXIT_OK, EXIT_PARTIAL
from extract.http_retry import RetryPolicy
from extract.lake_replace import LakeChanges, land_run
from extract.lake_writer import Lake
from extract.run_manifest import write_manifest
from extract.spotify_client import (
    AppForbiddenError,
    CredentialsRejectedError,
    NotFoundError,
    SpotifyError,
    parse_spotify_id,
    redact_url,
)
from lookup.names import fold

PROGRAM = "spotify-related (on demand)"
FEATURES_SOURCE = "auto"

# Why a fetch gave nothing (FetchFailed.reason).
NO_CREDENTIALS = "no_credentials"
REFUSED = "refused"  # Spotify refused the credentials or the app
UNAVAILABLE = "unavailable"  # Spotify did not answer usefully (5xx, timeouts, rate limit)
NOT_FOUND = "not_found"


class FetchFailed(Exception):
    """Nothing was fetched; ``reason`` is one of the constants above, the message one line."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FetchedArtist:
    """What was fetched for one query: the artist, its rows for the lake, how it went."""

    query: str
    result: ArtistResult  # the extractor's record of the artist (status LANDED)
    exact: bool  # Spotify's name folds like the query (or it was asked for by id)
    tables: dict[str, pa.Table]  # artists, top_tracks, audio_features: the lake contract
    features: FeaturesOutcome
    app_mode: str  # extended_quota or development
    clients: Clients
    log: RunLog
    started_at: dt_module.datetime
    clock_start: float
    market: str

    @property
    def artist_id(self) -> str:
        return self.result.artist_id or ""

    @property
    def artist_name(self) -> str:
        return self.result.artist_name or self.query


def has_credentials(environment: Mapping[str, str]) -> bool:
    """Both SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET are set, as the extractor requires."""
    return not missing_credentials(environment)


def fetch_artist(
    query: str, environment: Mapping[str, str], tracks_per_artist: int, market: str = "US"
) -> FetchedArtist:
    """Resolve ``query`` on Spotify, select its tracks, fetch their audio features; a
    FetchFailed when there are no credentials, Spotify refuses, or nobody is found."""
    if not has_credentials(environment):
        raise FetchFailed(NO_CREDENTIALS, "no Spotify credentials (SPOTIPY_CLIENT_ID / SECRET)")
    try:
        policy = RetryPolicy.from_environment(environment)
    except ValueError as error:
        raise FetchFailed(UNAVAILABLE, str(error)) from None
    started = dt_module.datetime.now(dt_module.UTC)
    clock_start = time.monotonic()
    clients = open_clients(environment, policy)
    log = RunLog(Console(file=io.StringIO(), highlight=False), PROGRAM)  # kept, not printed
    tracks = TrackSelection(clients.spotify, market, tracks_per_artist, log, started)
    try:
        clients.spotify.authenticate()
        result, exact = resolve(clients, query)
        result.selection, result.tracks = tracks.select(result.artist_id or "")
    except (CredentialsRejectedError, AppForbiddenError) as error:
        raise FetchFailed(REFUSED, str(error)) from None
    except SpotifyError as error:
        raise FetchFailed(UNAVAILABLE, str(error)) from None
    result.status = LANDED
    features = FeatureFetch(
        clients.spotify, clients.reccobeats, FEATURES_SOURCE, log, started
    ).fetch(result.tracks)
    return FetchedArtist(
        query=query,
        result=result,
        exact=exact,
        tables=build_tables([result], features.rows, started),
        features=features,
        app_mode=tracks.app_mode,
        clients=clients,
        log=log,
        started_at=started,
        clock_start=clock_start,
        market=market,
    )


def resolve(clients: Clients, query: str) -> tuple[ArtistResult, bool]:
    """The Spotify artist ``query`` means, and whether it is an exact match."""
    artist_id = parse_spotify_id(query)
    if artist_id is not None:
        result = ArtistResult(ArtistRequest(artist_id, "id", "on demand"))
        try:
            result.artist = clients.spotify.artist(artist_id)
        except NotFoundError:
            raise FetchFailed(NOT_FOUND, f"no Spotify artist has the id {artist_id}") from None
        result.resolution = "by id"
        return result, True
    result = ArtistResult(ArtistRequest(query, "name", "on demand"))
    candidates = [item for item in clients.spotify.search_artists(query) if item.get("id")]
    if not candidates:
        raise FetchFailed(NOT_FOUND, f"no Spotify artist found for {query!r}")
    wanted = fold(query)
    exact = [item for item in candidates if wanted and fold(item.get("name") or "") == wanted]
    result.artist = (exact or candidates)[0]
    count = f"{len(candidates)} result{'' if len(candidates) == 1 else 's'}"
    result.resolution = (
        f"exact name match among {count}" if exact else f"first of {count} (no exact name match)"
    )
    return result, bool(exact)


def land_fetched(fetched: FetchedArtist, lake_uri: str, dt: str | None = None) -> LakeChanges:
    """Land the fetched rows in the lake as an API run (files and run manifest); the lake's
    errors (LakeError, OSError) are the caller's to report."""
    lake = Lake.open(lake_uri)
    dt = dt or fetched.started_at.date().isoformat()
    run_id = new_run_id(fetched.started_at)
    tables = fetched.tables
    artist_ids = tables["artists"].column("artist_id").to_pylist()
    changes = land_run(
        lake,
        dt,
        run_id,
        dict(tables),
        replaced={
            "artists": artist_ids,
            "top_tracks": artist_ids,
            "audio_features": tables["audio_features"].column("track_id").to_pylist(),
        },
    )
    report = run_report(fetched, lake, dt, run_id, located_changes(lake, changes))
    write_manifest(lake, dt, run_id, report.manifest())
    return changes


def run_report(
    fetched: FetchedArtist, lake: Lake, dt: str, run_id: str, changes: LakeChanges
) -> RunReport:
    """The landing's run report, as an API run's (its manifest goes next to the data)."""
    arguments: dict[str, Any] = {
        "query": fetched.query,
        "tracks_per_artist": len(fetched.result.tracks),
        "market": fetched.market,
        "features_source": FEATURES_SOURCE,
    }
    return RunReport(
        run_id=run_id,
        command=PROGRAM,
        started_at=fetched.started_at,
        finished_at=dt_module.datetime.now(dt_module.UTC),
        duration_seconds=round(time.monotonic() - fetched.clock_start, 3),
        dt=dt,
        lake=redact_url(lake.uri),
        arguments=arguments,
        endpoints=fetched.clients.endpoints,
        app_mode=fetched.app_mode,
        track_selections=(fetched.result.selection,) if fetched.result.selection else (),
        features_source=FeaturesSource(FEATURES_SOURCE, tuple(fetched.features.sources_used)),
        counts=RunCounts.of([fetched.result], fetched.features, len(fetched.result.tracks)),
        requests=fetched.clients.stats,
        fallbacks=tuple(fetched.log.fallbacks),
        errors=tuple(fetched.log.errors),
        artists=(ArtistOutcome.from_result(fetched.result),),
        files=changes,
        exit_code=EXIT_PARTIAL if fetched.log.errors else EXIT_OK,
    )
