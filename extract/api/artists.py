"""Which artists a run asks for, which Spotify artist each one is, and what became of it.

A name goes through search (limit 10): the exact case-insensitive match if there is one, else
the first result; the summary says which. An id is looked up directly. An artist that cannot
be found is reported and skipped; the others go on. Refused credentials or an app Spotify
refuses stop the run: the artists after it are reported as not attempted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.progress import Progress

from extract.api.artist_results import DUPLICATE, FAILED, LANDED, ArtistRequest, ArtistResult
from extract.api.run_log import RunLog
from extract.api.tracks import TrackSelection
from extract.spotify_client import (
    AppForbiddenError,
    CredentialsRejectedError,
    NotFoundError,
    SpotifyClient,
    SpotifyError,
    parse_spotify_id,
)


def request_from_line(line: str, origin: str) -> ArtistRequest | None:
    """An artist request from one line of an artists file, None for a blank or comment."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    artist_id = parse_spotify_id(text)
    if artist_id is not None:
        return ArtistRequest(artist_id, "id", origin)
    return ArtistRequest(text, "name", origin)


def unique_requests(requests: Iterable[ArtistRequest]) -> list[ArtistRequest]:
    """The requests without repeats (names case-insensitively), first occurrence kept."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for request in requests:
        if request.dedupe_key() not in seen:
            seen.add(request.dedupe_key())
            unique.append(request)
    return unique


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class ArtistExtraction:
    """Each requested artist in turn: resolved, checked for a repeat, given its tracks."""

    def __init__(self, spotify: SpotifyClient, tracks: TrackSelection, log: RunLog) -> None:
        self.spotify = spotify
        self.tracks = tracks
        self.log = log
        self.fatal_error: str | None = None  # what stopped the run, if anything did

    def extract_all(
        self, requests: Sequence[ArtistRequest], progress: Progress
    ) -> list[ArtistResult]:
        """One result per request, in order."""
        task = progress.add_task("artists", total=len(requests))
        results: list[ArtistResult] = []
        landed_by_id: dict[str, ArtistResult] = {}
        for request in requests:
            result = ArtistResult(request)
            results.append(result)
            if self.fatal_error is not None:
                result.status = FAILED
                result.error = f"not attempted: {self.fatal_error}"
                progress.advance(task)
                continue
            try:
                self.extract(result, landed_by_id)
            except (CredentialsRejectedError, AppForbiddenError) as error:
                self.fatal_error = str(error)
                result.status, result.error = FAILED, str(error)
                self.log.error(request.label, "spotify", str(error))
            progress.advance(task)
        return results

    def extract(self, result: ArtistResult, landed_by_id: dict[str, ArtistResult]) -> None:
        """Resolve one artist and select its tracks, unless an earlier request landed it."""
        request = result.request
        stage = "resolve"
        try:
            self.resolve(result)
            if result.artist is None:
                result.status = FAILED
                self.log.error(request.label, stage, result.error or "not found")
                return
            earlier = landed_by_id.get(result.artist_id or "")
            if earlier is not None:
                result.status = DUPLICATE
                result.resolution = f"{result.resolution}; same artist as {earlier.request.label}"
                return
            stage = "tracks"
            result.selection, result.tracks = self.tracks.select(result.artist_id or "")
        except (CredentialsRejectedError, AppForbiddenError):
            raise
        except SpotifyError as error:
            result.status, result.error = FAILED, str(error)
            self.log.error(request.label, stage, str(error))
            return
        result.status = LANDED
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
