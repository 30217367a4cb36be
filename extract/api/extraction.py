"""One API run, the work of ``spotify-extract api``: ask the APIs, land the answers, report.

``command.py`` checks the arguments into ``RunSettings``; ``extract_and_land`` does the run
and returns its ``RunReport`` (report.py), from which the command writes the manifest and
prints the summary. Nothing here reads the command line.
"""

from __future__ import annotations

import datetime as dt_module
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from extract.api.artist_results import FAILED, LANDED, ArtistRequest, ArtistResult
from extract.api.artists import ArtistExtraction
from extract.api.features import FeatureFetch
from extract.api.lake_rows import build_tables
from extract.api.report import (
    ArtistOutcome,
    Endpoints,
    FeaturesSource,
    RunCounts,
    RunReport,
    located_changes,
)
from extract.api.run_log import RunLog
from extract.api.tracks import TrackSelection
from extract.cli_common import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL
from extract.http_retry import RequestStats, RetryingSession, RetryPolicy
from extract.lake_replace import LakeChanges, land_run
from extract.lake_writer import Lake, LakeError
from extract.reccobeats_client import DEFAULT_API_URL as RECCOBEATS_DEFAULT_URL
from extract.reccobeats_client import ReccoBeatsClient
from extract.spotify_client import SpotifyClient, SpotifyError, SpotifySettings, redact_url

PROGRAM = "spotify-extract api"
PROGRESS_MIN_ARTISTS = 6  # a progress bar for more than a handful of artists


class RunFailed(Exception):
    """The run cannot go on (exit 1); the message is the one line the user sees."""


@dataclass(frozen=True)
class RunSettings:
    """The checked arguments of one run."""

    dt: str
    market: str
    tracks_per_artist: int
    features_source: str
    policy: RetryPolicy
    lake: Lake
    arguments: Mapping[str, Any]  # as the manifest records them (report.recorded_arguments)


@dataclass(frozen=True)
class Clients:
    """The run's API clients, the endpoints they use and their shared request counts."""

    spotify: SpotifyClient
    reccobeats: ReccoBeatsClient
    endpoints: Endpoints
    stats: RequestStats


def open_clients(environment: Mapping[str, str], policy: RetryPolicy) -> Clients:
    stats = RequestStats()
    spotify_settings = SpotifySettings.from_environment(environment)
    reccobeats_url = environment.get("RECCOBEATS_API_URL") or RECCOBEATS_DEFAULT_URL
    spotify = SpotifyClient(
        environment["SPOTIPY_CLIENT_ID"].strip(),
        environment["SPOTIPY_CLIENT_SECRET"].strip(),
        spotify_settings,
        api_session=RetryingSession("spotify_api", policy, stats),
        auth_session=RetryingSession("spotify_auth", policy, stats),
    )
    reccobeats = ReccoBeatsClient(RetryingSession("reccobeats", policy, stats), reccobeats_url)
    endpoints = Endpoints(
        spotify_api=redact_url(spotify_settings.api_url),
        spotify_auth=redact_url(spotify_settings.auth_url),
        reccobeats=redact_url(reccobeats_url),
    )
    return Clients(spotify, reccobeats, endpoints, stats)


def extract_and_land(
    settings: RunSettings,
    requests: Sequence[ArtistRequest],
    environment: Mapping[str, str],
    console: Console,
    *,
    started: dt_module.datetime,
    clock_start: float,
) -> RunReport:
    """Ask the APIs, land what they answered, and report it (RunFailed if that cannot be)."""
    clients = open_clients(environment, settings.policy)
    log = RunLog(console, PROGRAM)
    tracks = TrackSelection(
        clients.spotify, settings.market, settings.tracks_per_artist, log, started
    )
    artists = ArtistExtraction(clients.spotify, tracks, log)
    try:
        clients.spotify.authenticate()
    except SpotifyError as error:
        raise RunFailed(str(error)) from None
    with progress_bar(console, len(requests)) as progress:
        results = artists.extract_all(requests, progress)
    landed = [result for result in results if result.status == LANDED]
    features = FeatureFetch(
        clients.spotify, clients.reccobeats, settings.features_source, log, started
    ).fetch([row for result in landed for row in result.tracks])
    run_id = new_run_id(started)
    tables = build_tables(landed, features.rows, started)
    changes = land(settings, run_id, tables)
    return RunReport(
        run_id=run_id,
        command=PROGRAM,
        started_at=started,
        finished_at=dt_module.datetime.now(dt_module.UTC),
        duration_seconds=round(time.monotonic() - clock_start, 3),
        dt=settings.dt,
        lake=redact_url(settings.lake.uri),
        arguments=settings.arguments,
        endpoints=clients.endpoints,
        app_mode=tracks.app_mode,
        track_selections=tuple(
            sorted({result.selection for result in results if result.selection})
        ),
        features_source=FeaturesSource(settings.features_source, tuple(features.sources_used)),
        counts=RunCounts.of(results, features, tables["top_tracks"].num_rows),
        requests=clients.stats,
        fallbacks=tuple(log.fallbacks),
        errors=tuple(log.errors),
        artists=tuple(ArtistOutcome.from_result(result) for result in results),
        files=located_changes(settings.lake, changes),
        exit_code=exit_code(artists.fatal_error, results, log),
    )


def new_run_id(started: dt_module.datetime) -> str:
    """Sortable by start time (to the millisecond), unique by the random suffix."""
    return f"{started:%Y%m%dT%H%M%S}{started.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def progress_bar(console: Console, artists: int) -> Progress:
    """A progress bar on stderr, shown only for more than a handful of artists."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=artists < PROGRESS_MIN_ARTISTS,
    )


def land(settings: RunSettings, run_id: str, tables: Mapping[str, pa.Table]) -> LakeChanges:
    """Write the run's files; older API files of the day lose the rows landed again now."""
    artist_ids = tables["artists"].column("artist_id").to_pylist()
    try:
        return land_run(
            settings.lake,
            settings.dt,
            run_id,
            dict(tables),
            replaced={
                "artists": artist_ids,
                "top_tracks": artist_ids,
                "audio_features": tables["audio_features"].column("track_id").to_pylist(),
            },
        )
    except (LakeError, OSError) as error:
        lake = redact_url(settings.lake.uri)
        raise RunFailed(f"cannot write to the lake {lake}: {error}") from None


def exit_code(fatal_error: str | None, results: Sequence[ArtistResult], log: RunLog) -> int:
    """1 if the run was stopped, 3 if some artist or feature lookup failed, else 0."""
    if fatal_error is not None:
        return EXIT_FAILED
    if any(result.status == FAILED for result in results) or log.errors:
        return EXIT_PARTIAL
    return EXIT_OK
