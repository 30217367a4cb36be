"""A fake Spotify Web API and token endpoint: a real HTTP server on 127.0.0.1 for the tests.

It serves a :class:`~tests.python.fakes.catalog.Catalog` the way the 2026 API does, as
either kind of app:
- Extended Quota: search (limit <= 50), artists, top tracks, albums, audio features.
- Development Mode: 403 on top tracks (or 404, ``top_tracks_status``), audio features and
  the batch GETs; no ``popularity`` or ``followers``; search and artist albums limited to 10
  items a page (400 above, as the OpenAPI description says).
Every response it sends is validated against the copied OpenAPI description
(:mod:`tests.python.fakes.openapi`); violations are collected in ``schema_errors``, which the
test fixtures assert empty. Faults, latency and the request log come from
:class:`~tests.python.fakes.http_server.FakeHttpServer`.
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any
from urllib.parse import parse_qs

from tests.python.fakes.catalog import Catalog, FakeAlbum, FakeArtist, FakeTrack
from tests.python.fakes.http_server import Answer, FakeHttpServer
from tests.python.fakes.openapi import openapi_validator

CLIENT_ID = "fake-client-id-0123456789"
CLIENT_SECRET = "fake-client-secret-do-not-print-7f3a9c"


def error_answer(status: int, message: str) -> Answer:
    return Answer(status, {"error": {"status": status, "message": message}})


class FakeSpotify(FakeHttpServer):
    """The Spotify Web API (under ``/v1``) and its token endpoint (``/api/token``)."""

    name = "fake-spotify"

    def __init__(
        self,
        catalog: Catalog,
        *,
        development_mode: bool = False,
        top_tracks_status: int = 403,
        audio_features_forbidden: bool | None = None,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        latency: float = 0.0,
    ) -> None:
        super().__init__(latency=latency)
        self.catalog = catalog
        self.development_mode = development_mode
        self.top_tracks_status = top_tracks_status
        self.audio_features_forbidden = (
            development_mode if audio_features_forbidden is None else audio_features_forbidden
        )
        self.client_id = client_id
        self.client_secret = client_secret
        self.tokens: set[str] = set()

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def token_url(self) -> str:
        return f"{self.url}/api/token"

    def validate(self, answer: Answer, path: str) -> None:
        if not path.startswith("/v1/"):
            return
        api_path = "/" + path[len("/v1/") :].rstrip("/")
        pointer = openapi_validator().response_pointer(api_path, answer.status)
        if pointer is None:
            self.schema_errors.append(f"{path} {answer.status}: no schema in the OpenAPI subset")
            return
        for error in openapi_validator().errors(pointer, answer.body):
            self.schema_errors.append(f"{path} {answer.status}: {error}")

    # -- routing --------------------------------------------------------------------------

    def answer(self, method, path, query, headers, body) -> Answer:
        if path == "/api/token":
            return self.token(method, headers, body)
        if not path.startswith("/v1/"):
            return Answer(404, {"error": {"status": 404, "message": "Not found"}})
        authorization = headers.get("Authorization") or ""
        if not authorization.startswith("Bearer ") or authorization[7:] not in self.tokens:
            return error_answer(401, "Invalid access token")
        if method != "GET":
            return error_answer(405, "Method not allowed")
        route = path[len("/v1") :].rstrip("/")
        single = lambda name: (query.get(name) or [None])[0]  # noqa: E731
        for pattern, handler in (
            (r"/search", self.search),
            (r"/artists/(?P<id>[^/]+)/top-tracks", self.artist_top_tracks),
            (r"/artists/(?P<id>[^/]+)/albums", self.artist_albums),
            (r"/artists/(?P<id>[^/]+)/related-artists", self.removed),
            (r"/artists/(?P<id>[^/]+)", self.artist),
            (r"/artists", self.batch),
            (r"/albums/(?P<id>[^/]+)/tracks", self.album_tracks),
            (r"/tracks/(?P<id>[^/]+)", self.track),
            (r"/tracks", self.batch),
            (r"/albums", self.batch),
            (r"/audio-features", self.audio_features),
            (r"/recommendations", self.removed),
        ):
            match = re.fullmatch(pattern, route)
            if match:
                return handler(single, **match.groupdict())
        return error_answer(404, "Service not found")

    def token(self, method: str, headers, body: bytes) -> Answer:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = parse_qs(body.decode())
        if method != "POST" or form.get("grant_type") != ["client_credentials"]:
            return Answer(400, {"error": "unsupported_grant_type"})
        if headers.get("Authorization") != f"Basic {expected}":
            return Answer(400, {"error": "invalid_client", "error_description": "Invalid client"})
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens.add(token)
        return Answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    # -- objects ---------------------------------------------------------------------------

    def _url(self, kind: str, object_id: str) -> str:
        return f"{self.api_url}/{kind}s/{object_id}"

    def simplified_artist(self, artist_id: str) -> dict[str, Any]:
        artist = self.catalog.artists[artist_id]
        return {
            "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist.id}"},
            "href": self._url("artist", artist.id),
            "id": artist.id,
            "name": artist.name,
            "type": "artist",
            "uri": f"spotify:artist:{artist.id}",
        }

    def artist_object(self, artist: FakeArtist) -> dict[str, Any]:
        item = self.simplified_artist(artist.id)
        item["genres"] = list(artist.genres)
        item["images"] = [
            {"url": f"https://i.example/{artist.id}.jpg", "height": 640, "width": 640}
        ]
        if not self.development_mode:
            item["popularity"] = artist.popularity
            item["followers"] = {"href": None, "total": artist.followers}
        return item

    def simplified_album(self, album: FakeAlbum, with_group: bool = False) -> dict[str, Any]:
        item = {
            "album_type": album.album_type,
            "total_tracks": len(album.track_ids),
            "available_markets": ["US", "GB", "FR"],
            "external_urls": {"spotify": f"https://open.spotify.com/album/{album.id}"},
            "href": self._url("album", album.id),
            "id": album.id,
            "images": [{"url": f"https://i.example/{album.id}.jpg", "height": 300, "width": 300}],
            "name": album.name,
            "release_date": album.release_date,
            "release_date_precision": album.precision,
            "type": "album",
            "uri": f"spotify:album:{album.id}",
            "artists": [self.simplified_artist(artist_id) for artist_id in album.artist_ids],
        }
        if with_group:
            item["album_group"] = album.group
        return item

    def simplified_track(self, track: FakeTrack) -> dict[str, Any]:
        return {
            "artists": [self.simplified_artist(artist_id) for artist_id in track.artist_ids],
            "available_markets": ["US", "GB", "FR"],
            "disc_number": 1,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "external_urls": {"spotify": f"https://open.spotify.com/track/{track.id}"},
            "href": self._url("track", track.id),
            "id": track.id,
            "is_playable": True,
            "name": track.name,
            "preview_url": None,
            "track_number": track.track_number,
            "type": "track",
            "uri": f"spotify:track:{track.id}",
            "is_local": False,
        }

    def track_object(self, track: FakeTrack) -> dict[str, Any]:
        item = self.simplified_track(track)
        item["album"] = self.simplified_album(self.catalog.albums[track.album_id])
        item["external_ids"] = {"isrc": track.isrc}
        if not self.development_mode:
            item["popularity"] = track.popularity
        return item

    def page(self, route: str, items: list[Any], total: int, limit: int, offset: int, **params):
        def link(at: int) -> str:
            extra = "".join(f"&{name}={value}" for name, value in params.items() if value)
            return f"{self.api_url}{route}?offset={at}&limit={limit}{extra}"

        return {
            "href": link(offset),
            "items": items,
            "limit": limit,
            "next": link(offset + limit) if offset + limit < total else None,
            "offset": offset,
            "previous": link(max(offset - limit, 0)) if offset > 0 else None,
            "total": total,
        }

    # -- endpoints -------------------------------------------------------------------------

    def _paging(self, single, default_limit: int, maximum: int) -> tuple[int, int] | Answer:
        try:
            limit = int(single("limit") or default_limit)
            offset = int(single("offset") or 0)
        except ValueError:
            return error_answer(400, "Invalid limit or offset")
        if not 1 <= limit <= maximum or offset < 0:
            return error_answer(400, "Invalid limit")
        return limit, offset

    def search(self, single) -> Answer:
        if single("type") != "artist" or not single("q"):
            return error_answer(400, "This fake searches artists only")
        paging = self._paging(single, 5, 10 if self.development_mode else 50)
        if isinstance(paging, Answer):
            return paging
        limit, offset = paging
        found = self.catalog.search(single("q"))
        items = [self.artist_object(artist) for artist in found[offset : offset + limit]]
        page = self.page("/search", items, len(found), limit, offset, q=single("q"), type="artist")
        return Answer(200, {"artists": page})

    def artist(self, single, id: str) -> Answer:
        if not re.fullmatch(r"[0-9A-Za-z]{22}", id):
            return error_answer(400, "Invalid base62 id")
        artist = self.catalog.artists.get(id)
        if artist is None:
            return error_answer(404, "Resource not found")
        return Answer(200, self.artist_object(artist))

    def artist_top_tracks(self, single, id: str) -> Answer:
        if self.development_mode:
            return error_answer(self.top_tracks_status, "Forbidden")
        if id not in self.catalog.artists:
            return error_answer(404, "Resource not found")
        if not (single("market") or single("country")):  # spotipy sends the older "country"
            return error_answer(400, "Missing market parameter")
        tracks = [self.track_object(track) for track in self.catalog.top_tracks(id)]
        return Answer(200, {"tracks": tracks})

    def artist_albums(self, single, id: str) -> Answer:
        if id not in self.catalog.artists:
            return error_answer(404, "Resource not found")
        paging = self._paging(single, 5, 10 if self.development_mode else 50)
        if isinstance(paging, Answer):
            return paging
        limit, offset = paging
        groups = (single("include_groups") or "album,single,appears_on,compilation").split(",")
        releases = self.catalog.releases(id, groups)
        items = [self.simplified_album(a, True) for a in releases[offset : offset + limit]]
        page = self.page(
            f"/artists/{id}/albums",
            items,
            len(releases),
            limit,
            offset,
            include_groups=single("include_groups"),
        )
        return Answer(200, page)

    def album_tracks(self, single, id: str) -> Answer:
        album = self.catalog.albums.get(id)
        if album is None:
            return error_answer(404, "Resource not found")
        paging = self._paging(single, 20, 50)
        if isinstance(paging, Answer):
            return paging
        limit, offset = paging
        tracks = [self.catalog.tracks[track_id] for track_id in album.track_ids]
        items = [self.simplified_track(track) for track in tracks[offset : offset + limit]]
        page = self.page(f"/albums/{id}/tracks", items, len(tracks), limit, offset)
        return Answer(200, page)

    def track(self, single, id: str) -> Answer:
        track = self.catalog.tracks.get(id)
        if track is None:
            return error_answer(404, "Resource not found")
        return Answer(200, self.track_object(track))

    def batch(self, single) -> Answer:
        return error_answer(403, "Forbidden") if self.development_mode else self.removed(single)

    def removed(self, single, id: str | None = None) -> Answer:
        return error_answer(404 if not self.development_mode else 403, "Not available")

    def audio_features(self, single) -> Answer:
        if self.audio_features_forbidden:
            return error_answer(403, "Forbidden")
        ids = [track_id for track_id in (single("ids") or "").split(",") if track_id]
        if not ids or len(ids) > 100:
            return error_answer(400, "Too many ids requested")
        entries: list[dict[str, Any] | None] = []
        for track_id in ids:
            track = self.catalog.tracks.get(track_id)
            if track is None or track.features is None:
                entries.append(None)
                continue
            entries.append(
                {
                    **track.features,
                    "id": track.id,
                    "duration_ms": track.duration_ms,
                    "type": "audio_features",
                    "uri": f"spotify:track:{track.id}",
                    "track_href": self._url("track", track.id),
                    "analysis_url": f"{self.api_url}/audio-analysis/{track.id}",
                }
            )
        return Answer(200, {"audio_features": entries})


def spotify_environment(server: FakeSpotify) -> dict[str, str]:
    """The environment variables that point the extractor at ``server``."""
    return {
        "SPOTIFY_API_URL": server.api_url,
        "SPOTIFY_AUTH_URL": server.token_url,
        "SPOTIPY_CLIENT_ID": server.client_id,
        "SPOTIPY_CLIENT_SECRET": server.client_secret,
    }
