"""Extract artists, their tracks and audio features from the Spotify Web API into the lake.

Which artists: --artist NAME and --artist-id ID (both repeatable), --artists-file FILE (one
per line: a 22-character Spotify id, a spotify:artist: URI or an open.spotify.com/artist/ link
is an id, anything else a name; blank lines and lines starting with # are skipped; - reads
standard input) and --refresh (every artist the API extractor already landed in the lake).

A name goes through search (limit 10): the exact case-insensitive match if there is one, else
the first result; the summary says which. An artist that cannot be found is reported and
skipped; the others go on.

Tracks: an Extended Quota app gets the artist's top tracks (selection top_tracks, at most 10).
A Development Mode app gets 403/404 there; that is detected once per run and the artist's
albums and singles, newest first, supply the artist's own tracks instead (selection
latest_releases; no popularity or followers under the 2026 rules).

Audio features (--features-source): spotify (/audio-features, 100 ids a call), reccobeats
(ReccoBeats, 40 ids a call), auto (Spotify, switching to ReccoBeats on 403, once) or none.
Tracks nobody has features for are counted as missing, not as errors.

Output, in partition dt of each table: api-<run_id>.parquet (artists, top_tracks,
audio_features), written atomically; older API files of the same day are trimmed of the
artists re-extracted now, so a re-run replaces rows instead of duplicating them. The run
manifest goes to _runs/dt=<dt>/<run_id>.json.

Credentials: SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET (client-credentials flow); they are
never printed, logged or written. Other settings: LAKE_URI, SPOTIFY_API_URL, SPOTIFY_AUTH_URL,
RECCOBEATS_API_URL, AWS_ENDPOINT_URL (and the AWS credential chain) for S3, and
EXTRACT_HTTP_TIMEOUT, EXTRACT_MAX_RETRIES, EXTRACT_RETRY_BASE_DELAY, EXTRACT_RETRY_MAX_DELAY,
EXTRACT_MAX_RETRY_AFTER for retries.

Exit codes: 0 every artist landed; 3 some artists (or feature lookups) failed and the rest
landed; 2 a problem with the arguments, missing credentials or a bad lake URI; 1 the run could
not go on (credentials refused, Spotify refusing the app, the lake not writable).
"""

from __future__ import annotations

import argparse
import datetime as dt_module
import os
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console

from extract.api.artist_results import ArtistRequest
from extract.api.artists import request_from_line, unique_requests
from extract.api.extraction import PROGRAM, RunFailed, RunSettings, extract_and_land
from extract.api.features import FEATURE_SOURCES
from extract.api.report import lake_location, print_summary, recorded_arguments
from extract.cli_common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    add_lake_arguments,
    positive_int,
    print_error,
)
from extract.http_retry import RetryPolicy
from extract.lake_replace import artists_landed_from_api
from extract.lake_writer import Lake, LakeError, parse_partition_date, today_utc
from extract.run_manifest import write_manifest
from extract.spotify_client import parse_spotify_id, redact_url

CREDENTIAL_VARIABLES = ("SPOTIPY_CLIENT_ID", "SPOTIPY_CLIENT_SECRET")
_MARKET = re.compile(r"^[A-Z]{2}$")


class UsageError(Exception):
    """A problem with the arguments or the environment that the user can fix (exit 2)."""


# --- command line -------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the ``api`` subcommand's arguments."""
    which = parser.add_argument_group("which artists")
    which.add_argument(
        "--artist", action="append", default=[], metavar="NAME", help="an artist name (repeat)"
    )
    which.add_argument(
        "--artist-id",
        action="append",
        default=[],
        metavar="ID",
        help="a Spotify artist id, spotify:artist: URI or open.spotify.com link (repeat)",
    )
    which.add_argument(
        "--artists-file",
        type=Path,
        metavar="FILE",
        help="a file with one artist name or id per line (- for standard input)",
    )
    which.add_argument(
        "--refresh",
        action="store_true",
        help="also every artist already landed in the lake by this extractor",
    )
    add_lake_arguments(parser.add_argument_group("where"))
    how = parser.add_argument_group("how much")
    how.add_argument(
        "--tracks-per-artist",
        type=positive_int,
        default=10,
        metavar="N",
        help="tracks kept per artist, 1 or more (default 10; top tracks give at most 10)",
    )
    how.add_argument(
        "--market",
        default="US",
        metavar="CC",
        help="ISO 3166-1 alpha-2 market for track availability (default US)",
    )
    parser.add_argument(
        "--features-source",
        choices=FEATURE_SOURCES,
        default="auto",
        help="where audio features come from (default auto: Spotify, else ReccoBeats)",
    )
    parser.set_defaults(run=run)


def explicit_requests(arguments: argparse.Namespace) -> list[ArtistRequest]:
    """The artists named on the command line and in --artists-file, in the order given."""
    requests: list[ArtistRequest] = []
    for name in arguments.artist:
        if not name.strip():
            raise UsageError("--artist needs a non-empty name")
        requests.append(ArtistRequest(name.strip(), "name", "--artist"))
    for value in arguments.artist_id:
        artist_id = parse_spotify_id(value)
        if artist_id is None:
            raise UsageError(
                f"--artist-id {value!r} is not a Spotify artist id (22 characters 0-9A-Za-z), "
                "spotify:artist: URI or open.spotify.com/artist/ link"
            )
        requests.append(ArtistRequest(artist_id, "id", "--artist-id"))
    if arguments.artists_file is not None:
        path = arguments.artists_file
        try:
            if str(path) == "-":
                lines = sys.stdin.read().splitlines()
            else:
                lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read --artists-file {path}: {error}") from None
        for line in lines:
            request = request_from_line(line, f"--artists-file {path}")
            if request is not None:
                requests.append(request)
    return requests


def missing_credentials(environment: Mapping[str, str]) -> list[str]:
    return [name for name in CREDENTIAL_VARIABLES if not environment.get(name, "").strip()]


def read_settings(
    arguments: argparse.Namespace, environment: Mapping[str, str]
) -> tuple[RunSettings, list[ArtistRequest]]:
    """Check everything that needs no network; UsageError for the first problem found.

    Returns the settings and the artists named explicitly (--refresh adds the lake's later).
    """
    try:
        dt = parse_partition_date(arguments.dt) if arguments.dt else today_utc()
        market = arguments.market.strip().upper()
        if not _MARKET.match(market):
            raise UsageError(
                f"--market must be a two-letter country code, got {arguments.market!r}"
            )
        requests = explicit_requests(arguments)
        if not requests and not arguments.refresh:
            raise UsageError(
                "name at least one artist: --artist, --artist-id, --artists-file or --refresh"
            )
        missing = missing_credentials(environment)
        if missing:
            raise UsageError(
                f"missing {' and '.join(missing)}: set SPOTIPY_CLIENT_ID and "
                "SPOTIPY_CLIENT_SECRET to your Spotify app's client id and secret"
            )
        try:
            policy = RetryPolicy.from_environment(environment)
        except ValueError as error:
            raise UsageError(str(error)) from None
        lake = Lake.open(arguments.lake)
    except LakeError as error:
        raise UsageError(str(error)) from None
    settings = RunSettings(
        dt=dt,
        market=market,
        tracks_per_artist=arguments.tracks_per_artist,
        features_source=arguments.features_source,
        policy=policy,
        lake=lake,
        arguments=recorded_arguments(arguments),
    )
    return settings, requests


def refreshed_requests(lake: Lake, explicit: list[ArtistRequest]) -> list[ArtistRequest]:
    """--refresh: every artist the API extractor already landed in the lake, by id."""
    try:
        known = artists_landed_from_api(lake)
    except OSError as error:
        raise RunFailed(f"cannot read the lake {redact_url(lake.uri)}: {error}") from None
    if not known and not explicit:
        raise UsageError(
            f"--refresh found no artists landed by this extractor in {redact_url(lake.uri)}"
        )
    return [ArtistRequest(artist_id, "id", "--refresh") for artist_id, _ in known]


# --- the run ------------------------------------------------------------------------------


def run(arguments: argparse.Namespace) -> int:
    """Run ``spotify-extract api``; print progress and a summary, return the exit code."""
    try:
        return extract(arguments, os.environ)
    except KeyboardInterrupt:
        print_error(
            PROGRAM, "interrupted; files already written are complete, nothing partial was left"
        )
        return EXIT_INTERRUPTED


def extract(arguments: argparse.Namespace, environment: Mapping[str, str]) -> int:
    """The whole run: check, extract, land, then write the manifest and print the summary."""
    console = Console(stderr=True, highlight=False)
    started = dt_module.datetime.now(dt_module.UTC)
    clock_start = time.monotonic()
    try:
        settings, requests = read_settings(arguments, environment)
        if arguments.refresh:
            requests = [*requests, *refreshed_requests(settings.lake, requests)]
        report = extract_and_land(
            settings,
            unique_requests(requests),
            environment,
            console,
            started=started,
            clock_start=clock_start,
        )
        try:
            manifest = write_manifest(settings.lake, report.dt, report.run_id, report.manifest())
        except OSError as error:
            raise RunFailed(
                f"the data landed but the run manifest could not be written: {error}"
            ) from None
    except UsageError as error:
        print_error(PROGRAM, str(error))
        return EXIT_USAGE
    except RunFailed as error:
        print_error(PROGRAM, str(error))
        return EXIT_FAILED
    print_summary(console, report, lake_location(settings.lake, manifest))
    return report.exit_code
