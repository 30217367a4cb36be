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
import heapq
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from extract.cli_types import positive_int
from extract.http_retry import RequestStats, RetryingSession, RetryPolicy
from extract.lake_replace import artists_landed_from_api, land_run
from extract.lake_writer import (
    Lake,
    LakeError,
    default_lake_uri,
    parse_partition_date,
    today_utc,
)
from extract.reccobeats_client import BATCH_SIZE as RECCOBEATS_BATCH
from extract.reccobeats_client import DEFAULT_API_URL as RECCOBEATS_DEFAULT_URL
from extract.reccobeats_client import ReccoBeatsClient, ReccoBeatsError
from extract.run_manifest import write_manifest
from extract.schemas import ARTISTS, AUDIO_FEATURE_COLUMNS, AUDIO_FEATURES, TOP_TRACKS
from extract.spotify_client import (
    AUDIO_FEATURES_BATCH,
    AppForbiddenError,
    CredentialsRejectedError,
    EndpointUnavailableError,
    NotFoundError,
    SpotifyClient,
    SpotifyError,
    SpotifySettings,
    parse_spotify_id,
    redact_url,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

PROGRAM = "spotify-extract api"
CREDENTIAL_VARIABLES = ("SPOTIPY_CLIENT_ID", "SPOTIPY_CLIENT_SECRET")
FEATURE_SOURCES = ("auto", "spotify", "reccobeats", "none")
PROGRESS_MIN_ARTISTS = 6  # a progress bar for more than a handful of artists
SOURCE_EXTENDED = "spotify"
SOURCE_DEVELOPMENT = "spotify:development_mode"
SELECTION_TOP = "top_tracks"
SELECTION_LATEST = "latest_releases"
RELEASE_GROUPS = ("album", "single")
_MARKET = re.compile(r"^[A-Z]{2}$")


class UsageError(Exception):
    """A problem with the arguments or the environment that the user can fix."""


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
    where = parser.add_argument_group("where")
    where.add_argument(
        "--lake",
        default=default_lake_uri(),
        metavar="URI",
        help="lake root: a folder or s3://bucket/prefix (default: $LAKE_URI, else ./lake)",
    )
    where.add_argument(
        "--dt", default=None, metavar="DATE", help="partition date YYYY-MM-DD (default: today, UTC)"
    )
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


# --- what to extract ----------------------------------------------------------------------


@dataclass(frozen=True)
class ArtistRequest:
    """One artist asked for, by name or by id."""

    value: str
    kind: str  # "name" or "id"
    origin: str

    @property
    def label(self) -> str:
        return self.value if self.kind == "name" else f"id {self.value}"

    def dedupe_key(self) -> tuple[str, str]:
        return (self.kind, self.value.casefold() if self.kind == "name" else self.value)


def request_from_line(line: str, origin: str) -> ArtistRequest | None:
    """An artist request from one line of an artists file, None for a blank or comment."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    artist_id = parse_spotify_id(text)
    if artist_id is not None:
        return ArtistRequest(artist_id, "id", origin)
    return ArtistRequest(text, "name", origin)


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


def unique_requests(requests: Iterable[ArtistRequest]) -> list[ArtistRequest]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for request in requests:
        if request.dedupe_key() not in seen:
            seen.add(request.dedupe_key())
            unique.append(request)
    return unique


def missing_credentials(environment: Mapping[str, str]) -> list[str]:
    return [name for name in CREDENTIAL_VARIABLES if not environment.get(name, "").strip()]


# --- the extraction -----------------------------------------------------------------------


@dataclass
class ArtistResult:
    """What happened to one requested artist."""

    request: ArtistRequest
    status: str = "pending"  # landed, failed or duplicate
    artist: dict[str, Any] | None = None
    resolution: str | None = None
    selection: str | None = None
    tracks: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def artist_id(self) -> str | None:
        return self.artist.get("id") if self.artist else None

    @property
    def artist_name(self) -> str | None:
        return self.artist.get("name") if self.artist else None


@dataclass
class FeaturesOutcome:
    """Audio features found for the landed tracks, and what was not."""

    requested: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    sources_used: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExtractOptions:
    tracks_per_artist: int
    market: str
    features_source: str


class ApiExtraction:
    """One run against the API: artists, tracks, features, and what went wrong."""

    def __init__(
        self,
        spotify: SpotifyClient,
        reccobeats: ReccoBeatsClient,
        options: ExtractOptions,
        console: Console,
        extracted_at: dt_module.datetime,
    ) -> None:
        self.spotify = spotify
        self.reccobeats = reccobeats
        self.options = options
        self.console = console
        self.extracted_at = extracted_at
        self.top_tracks_available: bool | None = None
        self.fallbacks: list[str] = []
        self.errors: list[dict[str, str]] = []
        self.fatal_error: str | None = None

    @property
    def app_mode(self) -> str:
        if self.top_tracks_available is None:
            return "unknown"
        return "extended_quota" if self.top_tracks_available else "development"

    def note(self, message: str) -> None:
        self.console.print(f"{PROGRAM}: {message}", markup=False, highlight=False, soft_wrap=True)

    def record_error(self, artist: str, stage: str, message: str) -> None:
        self.errors.append({"artist": artist, "stage": stage, "message": message})

    # -- artists ------------------------------------------------------------------------

    def extract_artists(
        self, requests: Sequence[ArtistRequest], progress: Progress
    ) -> list[ArtistResult]:
        task = progress.add_task("artists", total=len(requests))
        results: list[ArtistResult] = []
        landed_by_id: dict[str, ArtistResult] = {}
        for request in requests:
            result = ArtistResult(request)
            results.append(result)
            if self.fatal_error is not None:
                result.status = "failed"
                result.error = f"not attempted: {self.fatal_error}"
                progress.advance(task)
                continue
            try:
                self.extract_artist(result, landed_by_id)
            except (CredentialsRejectedError, AppForbiddenError) as error:
                self.fatal_error = str(error)
                result.status, result.error = "failed", str(error)
                self.record_error(request.label, "spotify", str(error))
            progress.advance(task)
        return results

    def extract_artist(self, result: ArtistResult, landed_by_id: dict[str, ArtistResult]) -> None:
        request = result.request
        stage = "resolve"
        try:
            self.resolve(result)
            if result.artist is None:
                result.status = "failed"
                self.record_error(request.label, stage, result.error or "not found")
                return
            earlier = landed_by_id.get(result.artist_id or "")
            if earlier is not None:
                result.status = "duplicate"
                result.resolution = f"{result.resolution}; same artist as {earlier.request.label}"
                return
            stage = "tracks"
            result.selection, result.tracks = self.select_tracks(result.artist_id or "")
        except (CredentialsRejectedError, AppForbiddenError):
            raise
        except SpotifyError as error:
            result.status, result.error = "failed", str(error)
            self.record_error(request.label, stage, str(error))
            return
        result.status = "landed"
        landed_by_id[result.artist_id or ""] = result

    def resolve(self, result: ArtistResult) -> None:
        """Find the artist object for a request (sets ``artist`` and ``resolution``)."""
        request = result.request
        if request.kind == "id":
            try:
                result.artist = self.spotify.artist(request.value)
            except NotFoundError:
                result.error = f"no Spotify artist has the id {request.value}"
                return
            result.resolution = "by id"
            return
        candidates = [item for item in self.spotify.search_artists(request.value) if item.get("id")]
        if not candidates:
            result.error = f"no Spotify artist found for {request.value!r}"
            return
        wanted = request.value.casefold()
        exact = [item for item in candidates if (item.get("name") or "").casefold() == wanted]
        if exact:
            result.artist = exact[0]
            result.resolution = f"exact name match among {plural(len(candidates), 'result')}"
        else:
            result.artist = candidates[0]
            result.resolution = (
                f"first of {plural(len(candidates), 'result')} (no exact name match)"
            )

    # -- tracks -------------------------------------------------------------------------

    def select_tracks(self, artist_id: str) -> tuple[str, list[dict[str, Any]]]:
        """The artist's tracks: top tracks if this app may read them, else latest releases."""
        if self.top_tracks_available is not False:
            try:
                tracks = self.spotify.top_tracks(artist_id, self.options.market)
            except EndpointUnavailableError as error:
                self.top_tracks_available = False
                self.fallbacks.append(
                    f"tracks: top_tracks -> latest_releases (top tracks: HTTP {error.status})"
                )
                self.note(
                    f"top tracks refused (HTTP {error.status}): a Development Mode app; using "
                    "each artist's latest albums and singles instead"
                )
            else:
                self.top_tracks_available = True
                rows = [
                    self.track_row(artist_id, track, track.get("album") or {}, SELECTION_TOP)
                    for track in tracks
                    if track.get("id")
                ][: self.options.tracks_per_artist]
                return SELECTION_TOP, self.ranked(rows)
        return SELECTION_LATEST, self.ranked(self.latest_release_tracks(artist_id))

    def latest_release_tracks(self, artist_id: str) -> list[dict[str, Any]]:
        """The artist's own tracks from its newest albums and singles, up to N.

        Albums and singles are listed separately (each newest first, fetched page by page as
        needed) and merged by release date. A song already taken (same id, or same title from
        a newer release) is not taken twice.
        """
        market = self.options.market
        streams = [
            self.spotify.artist_releases(artist_id, group, market) for group in RELEASE_GROUPS
        ]
        releases = heapq.merge(*streams, key=release_sort_key, reverse=True)
        rows: list[dict[str, Any]] = []
        seen_ids: set[str] = set()
        seen_titles: set[str] = set()
        for album in releases:
            if not album.get("id"):
                continue
            for track in self.spotify.album_tracks(album["id"], market):
                track_artists = {artist.get("id") for artist in track.get("artists") or []}
                title = " ".join((track.get("name") or "").casefold().split())
                if artist_id not in track_artists or not track.get("id"):
                    continue
                if track["id"] in seen_ids or (title and title in seen_titles):
                    continue
                seen_ids.add(track["id"])
                seen_titles.add(title)
                rows.append(self.track_row(artist_id, track, album, SELECTION_LATEST))
                if len(rows) >= self.options.tracks_per_artist:
                    return rows
        return rows

    def track_row(
        self, artist_id: str, track: Mapping[str, Any], album: Mapping[str, Any], selection: str
    ) -> dict[str, Any]:
        return {
            "artist_id": artist_id,
            "track_id": track["id"],
            "track_name": track.get("name"),
            "track_rank": 0,
            "selection": selection,
            "popularity": track.get("popularity"),
            "album_id": album.get("id"),
            "album_name": album.get("name"),
            "release_date": album.get("release_date"),
            "duration_ms": track.get("duration_ms"),
            "is_explicit": track.get("explicit"),
            "isrc": (track.get("external_ids") or {}).get("isrc"),
            "spotify_url": (track.get("external_urls") or {}).get("spotify"),
            "extracted_at": self.extracted_at,
        }

    @staticmethod
    def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for rank, row in enumerate(rows, start=1):
            row["track_rank"] = rank
        return rows

    # -- audio features -----------------------------------------------------------------

    def fetch_features(self, track_rows: Sequence[Mapping[str, Any]]) -> FeaturesOutcome:
        track_ids = list(dict.fromkeys(row["track_id"] for row in track_rows))
        durations = {row["track_id"]: row["duration_ms"] for row in track_rows}
        outcome = FeaturesOutcome(requested=len(track_ids))
        source = self.options.features_source
        if source == "none" or not track_ids:
            return outcome
        pending = track_ids
        if source in ("spotify", "auto"):
            pending = self.spotify_features(track_ids, outcome, may_fall_back=source == "auto")
        if pending:
            self.reccobeats_features(pending, outcome, durations)
        return outcome

    def spotify_features(
        self, track_ids: list[str], outcome: FeaturesOutcome, may_fall_back: bool
    ) -> list[str]:
        """Spotify's features in batches of 100; returns the ids left for ReccoBeats."""
        for start in range(0, len(track_ids), AUDIO_FEATURES_BATCH):
            batch = track_ids[start : start + AUDIO_FEATURES_BATCH]
            try:
                answers = self.spotify.audio_features(batch)
            except EndpointUnavailableError as error:
                remaining = track_ids[start:]
                if may_fall_back:
                    self.fallbacks.append(
                        f"audio features: spotify -> reccobeats (HTTP {error.status})"
                    )
                    self.note(
                        f"audio features refused (HTTP {error.status}): using ReccoBeats instead"
                    )
                    return remaining
                message = f"{error}; try --features-source reccobeats (or auto)"
                self.record_error("(all tracks)", "features", message)
                outcome.failed.extend(remaining)
                return []
            except SpotifyError as error:
                self.record_error(f"{len(batch)} tracks", "features", str(error))
                outcome.failed.extend(batch)
                continue
            self.collect_features(
                batch, answers, outcome, "spotify", lambda _, entry: entry.get("duration_ms")
            )
        return []

    def reccobeats_features(
        self, track_ids: list[str], outcome: FeaturesOutcome, durations: Mapping[str, Any]
    ) -> None:
        """ReccoBeats' features in batches of 40; unknown ids are missing."""
        for start in range(0, len(track_ids), RECCOBEATS_BATCH):
            batch = track_ids[start : start + RECCOBEATS_BATCH]
            try:
                answers = self.reccobeats.audio_features(batch)
            except ReccoBeatsError as error:
                self.record_error(f"{len(batch)} tracks", "features", str(error))
                outcome.failed.extend(batch)
                continue
            self.collect_features(
                batch, answers, outcome, "reccobeats", lambda track_id, _: durations.get(track_id)
            )

    def collect_features(
        self,
        batch: list[str],
        answers: Mapping[str, Any],
        outcome: FeaturesOutcome,
        source: str,
        duration_of: Callable[[str, Mapping[str, Any]], Any],
    ) -> None:
        """Land one batch's answers as feature rows; ids without an answer are missing."""
        if source not in outcome.sources_used:
            outcome.sources_used.append(source)
        for track_id in batch:
            entry = answers.get(track_id)
            if entry is None:
                outcome.missing.append(track_id)
            else:
                outcome.rows.append(
                    self.feature_row(track_id, entry, duration_of(track_id, entry), source)
                )

    def feature_row(
        self, track_id: str, entry: Mapping[str, Any], duration_ms: Any, source: str
    ) -> dict[str, Any]:
        row: dict[str, Any] = {"track_id": track_id}
        for column in AUDIO_FEATURE_COLUMNS:
            row[column] = entry.get(column)
        row["time_signature"] = entry.get("time_signature")
        row["duration_ms"] = duration_ms
        row["source"] = source
        row["extracted_at"] = self.extracted_at
        return row


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def release_sort_key(album: Mapping[str, Any]) -> str:
    """Release date as text: ISO dates of any precision sort correctly as strings."""
    return album.get("release_date") or ""


# --- tables, manifest, summary ------------------------------------------------------------


def build_tables(
    results: Sequence[ArtistResult], features: FeaturesOutcome, extracted_at: dt_module.datetime
) -> dict[str, pa.Table]:
    landed = [result for result in results if result.status == "landed"]
    artist_rows = []
    track_rows = []
    for result in landed:
        artist = result.artist or {}
        followers = artist.get("followers")
        artist_rows.append(
            {
                "artist_id": artist["id"],
                "artist_name": artist.get("name") or result.request.value,
                "genres": artist.get("genres"),
                "popularity": artist.get("popularity"),
                "followers": followers.get("total") if isinstance(followers, dict) else None,
                "source": SOURCE_DEVELOPMENT
                if result.selection == SELECTION_LATEST
                else SOURCE_EXTENDED,
                "extracted_at": extracted_at,
            }
        )
        track_rows.extend(result.tracks)
    feature_rows = sorted(features.rows, key=lambda row: row["track_id"])
    return {
        "artists": pa.Table.from_pylist(artist_rows, schema=ARTISTS),
        "top_tracks": pa.Table.from_pylist(track_rows, schema=TOP_TRACKS),
        "audio_features": pa.Table.from_pylist(feature_rows, schema=AUDIO_FEATURES),
    }


def recorded_arguments(arguments: argparse.Namespace) -> dict[str, Any]:
    """The command's arguments as recorded in the manifest (they never hold a secret)."""
    recorded: dict[str, Any] = {}
    for name, value in sorted(vars(arguments).items()):
        if name in ("run", "command") or callable(value):
            continue
        if name == "lake" and isinstance(value, str):
            value = redact_url(value)
        recorded[name] = str(value) if isinstance(value, Path) else value
    return recorded


def artist_record(result: ArtistResult) -> dict[str, Any]:
    return {
        "input": result.request.value,
        "input_kind": result.request.kind,
        "origin": result.request.origin,
        "status": result.status,
        "artist_id": result.artist_id,
        "artist_name": result.artist_name,
        "resolution": result.resolution,
        "selection": result.selection,
        "tracks": len(result.tracks),
        "error": result.error,
    }


def print_summary(
    console: Console, manifest: Mapping[str, Any], results: Sequence[ArtistResult]
) -> None:
    counts = manifest["counts"]
    requests = manifest["requests"]

    def say(text: str = "") -> None:
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    say(f"{PROGRAM}: run {manifest['run_id']}, dt={manifest['dt']}, lake {manifest['lake']}")
    selections = ", ".join(manifest["track_selections"]) or "-"
    say(
        f"app mode: {manifest['app_mode']}; tracks: {selections}; "
        f"audio features: {manifest['features_source']['used_label']}"
    )
    for fallback in manifest["fallbacks"]:
        say(f"fallback: {fallback}")
    say(
        f"artists: {counts['artists_requested']} requested, {counts['artists_landed']} landed, "
        f"{counts['artists_failed']} failed"
        + (f", {counts['artists_duplicate']} duplicate" if counts["artists_duplicate"] else "")
    )
    for result in results:
        if result.status == "failed":
            say(f"  FAILED {result.request.label}: {result.error}")
        else:
            say(
                f"  {result.request.label} -> {result.artist_name} ({result.artist_id}), "
                f"{result.resolution}"
                + (f", {len(result.tracks)} tracks" if result.status == "landed" else "")
            )
    say(
        f"tracks: {counts['tracks']}; audio features: {counts['features_found']} found, "
        f"{counts['features_missing']} missing"
        + (f", {counts['features_failed']} failed" if counts["features_failed"] else "")
    )
    say(
        f"requests: {requests['requests_total']} "
        f"({', '.join(f'{k} {v}' for k, v in requests['requests'].items())}), "
        f"retries: {requests['retries_total']}"
    )
    for error in manifest["errors"]:
        say(f"error: {error['artist']} [{error['stage']}]: {error['message']}")
    for path in manifest["files"]["written"]:
        say(f"wrote {path}")
    for path in manifest["files"]["rewritten"]:
        say(f"rewrote {path} (replaced rows removed)")
    for path in manifest["files"]["removed"]:
        say(f"removed {path} (all its rows replaced)")


def lake_location(lake: Lake, path: str) -> str:
    """A lake path as users write it: a local path, or a URI such as ``s3://bucket/key``."""
    return path if lake.is_local else redact_url(lake.filesystem.unstrip_protocol(path))


def print_error(message: str) -> None:
    """One line on stderr, prefixed with the program name."""
    print(f"{PROGRAM}: {' '.join(message.splitlines())}", file=sys.stderr)


# --- the command --------------------------------------------------------------------------


def run(arguments: argparse.Namespace) -> int:
    """Run ``spotify-extract api``; print progress and a summary, return the exit code."""
    try:
        return extract(arguments, os.environ)
    except KeyboardInterrupt:
        print_error("interrupted; files already written are complete, nothing partial was left")
        return 130


def extract(arguments: argparse.Namespace, environment: Mapping[str, str]) -> int:
    console = Console(stderr=True, highlight=False)
    started = dt_module.datetime.now(dt_module.UTC)
    clock_start = time.monotonic()
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
    except (UsageError, LakeError) as error:
        print_error(str(error))
        return EXIT_USAGE

    if arguments.refresh:
        try:
            known = artists_landed_from_api(lake)
        except OSError as error:
            print_error(f"cannot read the lake {redact_url(lake.uri)}: {error}")
            return EXIT_FAILED
        if not known and not requests:
            print_error(
                f"--refresh found no artists landed by this extractor in {redact_url(lake.uri)}"
            )
            return EXIT_USAGE
        requests.extend(ArtistRequest(artist_id, "id", "--refresh") for artist_id, _ in known)
    requests = unique_requests(requests)

    # Sortable by start time (to the millisecond), unique by the random suffix.
    run_id = f"{started:%Y%m%dT%H%M%S}{started.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"
    stats = RequestStats()
    settings = SpotifySettings.from_environment(environment)
    reccobeats_url = environment.get("RECCOBEATS_API_URL") or RECCOBEATS_DEFAULT_URL
    spotify = SpotifyClient(
        environment["SPOTIPY_CLIENT_ID"].strip(),
        environment["SPOTIPY_CLIENT_SECRET"].strip(),
        settings,
        api_session=RetryingSession("spotify_api", policy, stats),
        auth_session=RetryingSession("spotify_auth", policy, stats),
    )
    reccobeats = ReccoBeatsClient(RetryingSession("reccobeats", policy, stats), reccobeats_url)
    options = ExtractOptions(arguments.tracks_per_artist, market, arguments.features_source)
    extraction = ApiExtraction(spotify, reccobeats, options, console, started)

    try:
        spotify.authenticate()
    except SpotifyError as error:
        print_error(str(error))
        return EXIT_FAILED

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=len(requests) < PROGRESS_MIN_ARTISTS,
    )
    with progress:
        results = extraction.extract_artists(requests, progress)
    landed_tracks = [
        row for result in results if result.status == "landed" for row in result.tracks
    ]
    features = extraction.fetch_features(landed_tracks)
    tables = build_tables(results, features, started)
    landed_ids = [result.artist_id for result in results if result.status == "landed"]
    try:
        changes = land_run(
            lake,
            dt,
            run_id,
            tables,
            replaced={
                "artists": landed_ids,
                "top_tracks": landed_ids,
                "audio_features": [row["track_id"] for row in features.rows],
            },
        )
    except (LakeError, OSError) as error:
        print_error(f"cannot write to the lake {redact_url(lake.uri)}: {error}")
        return EXIT_FAILED

    failed = [result for result in results if result.status == "failed"]
    if extraction.fatal_error is not None:
        exit_code = EXIT_FAILED
    elif failed or extraction.errors:
        exit_code = EXIT_PARTIAL
    else:
        exit_code = EXIT_OK
    selections = sorted({result.selection for result in results if result.selection})
    manifest = {
        "run_id": run_id,
        "command": PROGRAM,
        "started_at": started.isoformat(),
        "finished_at": dt_module.datetime.now(dt_module.UTC).isoformat(),
        "duration_seconds": round(time.monotonic() - clock_start, 3),
        "dt": dt,
        "lake": redact_url(lake.uri),
        "arguments": recorded_arguments(arguments),
        "endpoints": {
            "spotify_api": redact_url(settings.api_url),
            "spotify_auth": redact_url(settings.auth_url),
            "reccobeats": redact_url(reccobeats_url),
        },
        "app_mode": extraction.app_mode,
        "track_selections": selections,
        "features_source": {
            "requested": options.features_source,
            "used": features.sources_used,
            "used_label": " then ".join(features.sources_used)
            or ("none" if options.features_source == "none" else "-"),
        },
        "counts": {
            "artists_requested": len(results),
            "artists_landed": sum(result.status == "landed" for result in results),
            "artists_failed": len(failed),
            "artists_duplicate": sum(result.status == "duplicate" for result in results),
            "tracks": tables["top_tracks"].num_rows,
            "features_found": len(features.rows),
            "features_missing": len(features.missing),
            "features_failed": len(features.failed),
        },
        "requests": stats.as_dict(),
        "fallbacks": extraction.fallbacks,
        "errors": extraction.errors,
        "artists": [artist_record(result) for result in results],
        "files": {
            kind: [lake_location(lake, path) for path in paths]
            for kind, paths in changes.as_dict().items()
        },
        "exit_code": exit_code,
    }
    try:
        manifest_file = lake_location(lake, write_manifest(lake, dt, run_id, manifest))
    except OSError as error:
        print_error(f"the data landed but the run manifest could not be written: {error}")
        return EXIT_FAILED
    print_summary(console, manifest, results)
    console.print(f"manifest {manifest_file}", markup=False, highlight=False, soft_wrap=True)
    return exit_code
