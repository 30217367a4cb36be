"""Which tracks of an artist land: its top tracks if the app may read them, else its latest.

An Extended Quota app gets the artist's top tracks (selection top_tracks, at most 10). A
Development Mode app gets 403/404 there; that is detected once per run, and from then on the
artist's albums and singles, newest first, supply the artist's own tracks (selection
latest_releases).
"""

from __future__ import annotations

import datetime as dt_module
import heapq
from collections.abc import Mapping
from typing import Any

from extract.api.lake_rows import ranked, track_row
from extract.api.run_log import RunLog
from extract.schemas import SELECTION_LATEST_RELEASES, SELECTION_TOP_TRACKS
from extract.spotify_client import EndpointUnavailableError, SpotifyClient

RELEASE_GROUPS = ("album", "single")


def release_sort_key(album: Mapping[str, Any]) -> str:
    """Release date as text: ISO dates of any precision sort correctly as strings."""
    return album.get("release_date") or ""


class TrackSelection:
    """Chooses each artist's tracks, and remembers whether this app may read top tracks."""

    def __init__(
        self,
        spotify: SpotifyClient,
        market: str,
        tracks_per_artist: int,
        log: RunLog,
        extracted_at: dt_module.datetime,
    ) -> None:
        self.spotify = spotify
        self.market = market
        self.tracks_per_artist = tracks_per_artist
        self.log = log
        self.extracted_at = extracted_at
        self.top_tracks_available: bool | None = None  # None until the first artist asks

    @property
    def app_mode(self) -> str:
        """What the app turned out to be: extended_quota, development, or unknown."""
        if self.top_tracks_available is None:
            return "unknown"
        return "extended_quota" if self.top_tracks_available else "development"

    def select(self, artist_id: str) -> tuple[str, list[dict[str, Any]]]:
        """The artist's selection and its ``top_tracks`` rows, ranked 1..n."""
        if self.top_tracks_available is not False:
            try:
                tracks = self.spotify.top_tracks(artist_id, self.market)
            except EndpointUnavailableError as error:
                self.top_tracks_available = False
                self.log.fallback(
                    f"tracks: {SELECTION_TOP_TRACKS} -> {SELECTION_LATEST_RELEASES} "
                    f"(top tracks: HTTP {error.status})",
                    f"top tracks refused (HTTP {error.status}): a Development Mode app; using "
                    "each artist's latest albums and singles instead",
                )
            else:
                self.top_tracks_available = True
                rows = [
                    self.row(artist_id, track, track.get("album") or {}, SELECTION_TOP_TRACKS)
                    for track in tracks
                    if track.get("id")
                ][: self.tracks_per_artist]
                return SELECTION_TOP_TRACKS, ranked(rows)
        return SELECTION_LATEST_RELEASES, ranked(self.latest_release_tracks(artist_id))

    def latest_release_tracks(self, artist_id: str) -> list[dict[str, Any]]:
        """The artist's own tracks from its newest albums and singles, up to N.

        Albums and singles are listed separately (each newest first, fetched page by page as
        needed) and merged by release date. A song already taken (same id, or same title from
        a newer release) is not taken twice.
        """
        streams = [
            self.spotify.artist_releases(artist_id, group, self.market) for group in RELEASE_GROUPS
        ]
        releases = heapq.merge(*streams, key=release_sort_key, reverse=True)
        rows: list[dict[str, Any]] = []
        seen_ids: set[str] = set()
        seen_titles: set[str] = set()
        for album in releases:
            if not album.get("id"):
                continue
            for track in self.spotify.album_tracks(album["id"], self.market):
                track_artists = {artist.get("id") for artist in track.get("artists") or []}
                title = " ".join((track.get("name") or "").casefold().split())
                if artist_id not in track_artists or not track.get("id"):
                    continue
                if track["id"] in seen_ids or (title and title in seen_titles):
                    continue
                seen_ids.add(track["id"])
                seen_titles.add(title)
                rows.append(self.row(artist_id, track, album, SELECTION_LATEST_RELEASES))
                if len(rows) >= self.tracks_per_artist:
                    return rows
        return rows

    def row(
        self, artist_id: str, track: Mapping[str, Any], album: Mapping[str, Any], selection: str
    ) -> dict[str, Any]:
        return track_row(artist_id, track, album, selection, self.extracted_at)
