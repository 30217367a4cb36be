"""A fake Spotify Web API and token endpoint: a real HTTP server on 127.0.0.1 for the tests.

It serves a small deterministic catalogue (:class:`Catalog`) the way the 2026 API does, as
either kind of app:
- Extended Quota: search (limit <= 50), artists, top tracks, albums, audio features.
- Development Mode: 403 on top tracks (or 404, ``top_tracks_status``), audio features and
  the batch GETs; no ``popularity`` or ``followers``; search and artist albums limited to 10
  items a page (400 above, as the OpenAPI description says).
Every response it sends is validated against the copied OpenAPI description
(``fixtures/spotify_openapi/``); violations are collected in ``schema_errors``, which the
test fixtures assert empty.

Faults are injected per path (:class:`Fault`): an HTTP status (429 with ``Retry-After``, 500),
or a delay longer than the client's timeout. ``latency`` delays every answer (for the timing
script). Every request is recorded in ``requests``.

:class:`FakeHttpServer` is shared with the fake ReccoBeats server (``fake_reccobeats.py``).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

OPENAPI_SUBSET = (
    Path(__file__).parent / "fixtures" / "spotify_openapi" / "spotify-web-api-subset.yml"
)
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CLIENT_ID = "fake-client-id-0123456789"
CLIENT_SECRET = "fake-client-secret-do-not-print-7f3a9c"


def fake_id(label: str) -> str:
    """A deterministic 22-character base-62 id for a catalogue object."""
    number = int.from_bytes(hashlib.sha256(label.encode()).digest(), "big")
    characters = []
    for _ in range(22):
        number, remainder = divmod(number, 62)
        characters.append(BASE62[remainder])
    return "".join(characters)


def unit_value(label: str) -> float:
    """A deterministic number in [0, 1) derived from a label."""
    return int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big") / 2**64


# --- the catalogue ------------------------------------------------------------------------


@dataclass
class FakeTrack:
    id: str
    name: str
    artist_ids: list[str]
    album_id: str
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str
    popularity: int
    features: dict[str, Any] | None  # None: Spotify answers null for this track
    known_to_reccobeats: bool = True


@dataclass
class FakeAlbum:
    id: str
    name: str
    group: str  # album, single, compilation, appears_on
    release_date: str
    artist_ids: list[str]
    track_ids: list[str] = field(default_factory=list)

    @property
    def album_type(self) -> str:
        return "compilation" if self.group == "appears_on" else self.group

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month"}.get(len(self.release_date), "day")


@dataclass
class FakeArtist:
    id: str
    name: str
    genres: list[str]
    popularity: int
    followers: int
    search_rank: int
    album_ids: list[str] = field(default_factory=list)


Release = tuple[str, str, str, "int | Sequence[str]"]


class Catalog:
    """Artists, albums and tracks, with the features Spotify and ReccoBeats know."""

    def __init__(self) -> None:
        self.artists: dict[str, FakeArtist] = {}
        self.albums: dict[str, FakeAlbum] = {}
        self.tracks: dict[str, FakeTrack] = {}

    def add_artist(
        self,
        name: str,
        artist_id: str | None = None,
        *,
        popularity: int = 50,
        followers: int = 1000,
        genres: Sequence[str] = (),
        search_rank: int = 100,
        releases: Iterable[Release] = (),
    ) -> FakeArtist:
        artist = FakeArtist(
            id=artist_id or fake_id(f"artist:{name}"),
            name=name,
            genres=list(genres),
            popularity=popularity,
            followers=followers,
            search_rank=search_rank,
        )
        self.artists[artist.id] = artist
        for group, title, release_date, tracks in releases:
            self.add_release(artist, group, title, release_date, tracks)
        return artist

    def add_release(
        self,
        artist: FakeArtist,
        group: str,
        title: str,
        release_date: str,
        tracks: int | Sequence[str],
        featured_artist_ids: Sequence[str] = (),
    ) -> FakeAlbum:
        album = FakeAlbum(
            id=fake_id(f"album:{artist.id}:{title}:{release_date}"),
            name=title,
            group=group,
            release_date=release_date,
            artist_ids=[artist.id],
        )
        names = (
            [title]
            if tracks == 1
            else (
                [f"{title} - part {number}" for number in range(1, tracks + 1)]
                if isinstance(tracks, int)
                else list(tracks)
            )
        )
        for number, track_name in enumerate(names, start=1):
            label = f"track:{album.id}:{number}"
            performer_ids = list(featured_artist_ids) if group == "appears_on" else [artist.id]
            track = FakeTrack(
                id=fake_id(label),
                name=track_name,
                artist_ids=performer_ids,
                album_id=album.id,
                track_number=number,
                duration_ms=150_000 + int(unit_value(label + "duration") * 150_000),
                explicit=unit_value(label + "explicit") < 0.2,
                isrc=f"QZ{fake_id(label)[:3].upper()}{26_000_000 + int(unit_value(label) * 1e6)}",
                popularity=int(unit_value(label + "popularity") * 100),
                features=make_features(label),
            )
            self.tracks[track.id] = track
            album.track_ids.append(track.id)
        self.albums[album.id] = album
        artist.album_ids.append(album.id)
        return album

    def artist_by_name(self, name: str) -> FakeArtist:
        return next(artist for artist in self.artists.values() if artist.name == name)

    def track_by_name(self, artist_name: str, track_name: str) -> FakeTrack:
        artist = self.artist_by_name(artist_name)
        return next(
            track
            for track in self.tracks.values()
            if track.name == track_name and artist.id in track.artist_ids
        )

    def own_tracks(self, artist_id: str) -> list[FakeTrack]:
        return [track for track in self.tracks.values() if artist_id in track.artist_ids]

    def top_tracks(self, artist_id: str) -> list[FakeTrack]:
        """The artist's ten most popular tracks, most popular first."""
        ranked = sorted(self.own_tracks(artist_id), key=lambda track: (-track.popularity, track.id))
        return ranked[:10]

    def releases(self, artist_id: str, groups: Sequence[str]) -> list[FakeAlbum]:
        """An artist's releases as Spotify lists them: by group, each newest first."""
        artist = self.artists[artist_id]
        listed = []
        for group in ("album", "single", "appears_on", "compilation"):
            if group not in groups:
                continue
            in_group = [self.albums[a] for a in artist.album_ids if self.albums[a].group == group]
            listed.extend(sorted(in_group, key=lambda album: album.release_date, reverse=True))
        return listed

    def search(self, query: str) -> list[FakeArtist]:
        """Artists whose name words start with every query word, by search rank."""
        words = query.casefold().split()
        matches = [
            artist
            for artist in self.artists.values()
            if words
            and all(
                any(name_word.startswith(word) for name_word in artist.name.casefold().split())
                for word in words
            )
        ]
        return sorted(matches, key=lambda artist: (artist.search_rank, artist.name))

    @classmethod
    def standard(cls) -> Catalog:
        """The catalogue of the tests: a few real artist ids, with the awkward cases."""
        catalog = cls()
        # "daft punk" finds the tribute band first: the exact match must win anyway.
        catalog.add_artist("Daft Punk Tribute Band", search_rank=1, popularity=20)
        daft_punk = catalog.add_artist(
            "Daft Punk",
            "4tZwfgrHOc3mvqYlEYSvVi",
            popularity=82,
            followers=9_100_000,
            genres=["electro", "filter house"],
            search_rank=2,
            releases=[
                (
                    "album",
                    "Random Access Memories",
                    "2013-05-17",
                    ["Give Life Back to Music", "Get Lucky", "Instant Crush", "Doin' it Right"],
                ),
                (
                    "album",
                    "Discovery",
                    "2001-03-12",
                    ["One More Time", "Aerodynamic", "Digital Love"],
                ),
                ("album", "Homework", "1997-01-20", 3),
                # Released before the album that also holds it: only the newest one is kept.
                ("single", "Get Lucky", "2013-04-19", 1),
                ("single", "Lose Yourself to Dance", "2013-08-01", 1),
                ("single", "Tron Legacy (End Titles)", "2010", 1),
            ],
        )
        # A track Spotify has no features for (null) and ReccoBeats does not know.
        catalog.track_by_name("Daft Punk", "Aerodynamic").features = None
        catalog.track_by_name("Daft Punk", "Aerodynamic").known_to_reccobeats = False
        catalog.add_artist("Queen Naija", search_rank=5, popularity=60)
        catalog.add_artist(
            "Queen",
            "1dfeR4HaWDbWqFHLkxsg1d",
            popularity=85,
            followers=52_000_000,
            genres=["classic rock", "glam rock"],
            search_rank=3,
            releases=[
                ("album", "A Night at the Opera", "1975-11-21", 6),
                ("album", "News of the World", "1977-10-28", 5),
                ("single", "Bohemian Rhapsody", "1975-10-31", 1),
            ],
        )
        abba = catalog.add_artist(
            "ABBA",
            "0LcJLqbBmaGUft1e9Mm8HV",
            popularity=78,
            followers=11_000_000,
            genres=["europop"],
            search_rank=4,
            releases=[("album", "Arrival", "1976-10-11", 4)]
            # Twelve singles: more than one page of ten in Development Mode.
            + [
                (
                    "single",
                    f"ABBA Single {number:02d}",
                    f"{1977 + number // 4}-{number % 12 + 1:02d}-01",
                    1,
                )
                for number in range(12)
            ],
        )
        catalog.add_release(abba, "compilation", "Gold", "1992-09-21", 5)
        # Only on ABBA's compilation/appears_on lists: never ABBA's own track.
        catalog.add_release(
            abba, "appears_on", "Eurovision Classics", "1999-05-01", 2, [daft_punk.id]
        )
        catalog.track_by_name("ABBA", "ABBA Single 11").features = None
        blackpink = catalog.add_artist(
            "BLACKPINK",
            "41MozSoPIsD1dJM0CLPjZF",
            popularity=80,
            followers=50_000_000,
            genres=["k-pop"],
            search_rank=6,
            releases=[("single", "Shut Down", "2022-09-16", 1)],
        )
        album = catalog.add_release(
            blackpink, "album", "BORN PINK", "2022-09-16", ["Pink Venom", "Shut Down", "Typa Girl"]
        )
        # A track on BLACKPINK's album performed only by someone else: not BLACKPINK's own.
        guest = catalog.add_artist("Guest Star", search_rank=50)
        solo = catalog.tracks[album.track_ids[2]]
        solo.artist_ids = [guest.id]
        catalog.add_artist(
            "Metallica",
            "2ye2Wgw4gimLv2eAKyk1NB",
            popularity=83,
            followers=27_000_000,
            genres=["metal"],
            search_rank=7,
            releases=[("album", "Master of Puppets", "1986-03-03", 8)],
        )
        return catalog

    @classmethod
    def generated(
        cls, artist_count: int, releases: int = 6, tracks_per_release: int = 4
    ) -> Catalog:
        """``artist_count`` artists named "Artist 001"... with albums and singles (timing)."""
        catalog = cls()
        for number in range(1, artist_count + 1):
            name = f"Artist {number:03d}"
            catalog.add_artist(
                name,
                search_rank=number,
                releases=[
                    (
                        "album" if index % 2 == 0 else "single",
                        f"{name} Release {index}",
                        f"{2024 - index}-06-01",
                        tracks_per_release if index % 2 == 0 else 1,
                    )
                    for index in range(releases)
                ],
            )
        return catalog


def make_features(label: str) -> dict[str, Any]:
    def value(name: str) -> float:
        return round(unit_value(f"{label}:{name}"), 4)

    return {
        "danceability": value("danceability"),
        "energy": value("energy"),
        "key": int(value("key") * 12),
        "loudness": round(-30 + 28 * value("loudness"), 3),
        "mode": int(value("mode") < 0.6),
        "speechiness": round(value("speechiness") * 0.5, 4),
        "acousticness": value("acousticness"),
        "instrumentalness": value("instrumentalness"),
        "liveness": round(value("liveness") * 0.8, 4),
        "valence": value("valence"),
        "tempo": round(70 + 110 * value("tempo"), 3),
        "time_signature": 3 + int(value("time_signature") * 3),
    }


# --- the HTTP machinery -------------------------------------------------------------------


@dataclass
class Fault:
    """Misbehave on requests whose path matches ``path``: ``times`` times, then behave."""

    path: str  # a regular expression searched in the request path
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    times: int = 1
    hits: int = 0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeHttpServer:
    """A threaded HTTP/1.1 JSON server on 127.0.0.1 with faults, latency and a request log."""

    name = "fake"

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.schema_errors: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> FakeHttpServer:
        handler = self._handler_class()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- faults and the log ---------------------------------------------------------------

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def requests_to(self, pattern: str, method: str = "GET") -> list[RecordedRequest]:
        with self._lock:
            return [
                request
                for request in self.requests
                if request.method == method and re.search(pattern, request.path)
            ]

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.hits < fault.times and re.search(fault.path, path):
                    fault.hits += 1
                    return fault
        return None

    # -- to be provided by subclasses ----------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, list[str]], headers, body: bytes):
        raise NotImplementedError

    def validate(self, answer: Answer, path: str) -> None:
        """Record a schema violation of ``answer`` in ``schema_errors`` (default: none)."""

    # -- the handler ----------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10
            # Send each answer in one segment: headers and body written separately meet the
            # client's delayed ACK (40 ms a request).
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # silence stderr
                return

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                path = parts.path
                query = parse_qs(parts.query, keep_blank_values=True)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if server.latency:
                    time.sleep(server.latency)
                fault = server._take_fault(path)
                if fault is not None and fault.delay:
                    time.sleep(fault.delay)
                if fault is not None and fault.status:
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    message = "API rate limit exceeded" if fault.status == 429 else "Server error"
                    answer = Answer(
                        fault.status,
                        {"error": {"status": fault.status, "message": message}},
                        headers,
                    )
                else:
                    answer = server.answer(method, path, query, self.headers, body)
                server.validate(answer, path)
                with server._lock:
                    server.requests.append(RecordedRequest(method, path, query, answer.status))
                payload = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a timeout test)

        return Handler


# --- OpenAPI validation -------------------------------------------------------------------


def openapi_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects as JSON Schema: ``nullable: true`` becomes a null option."""
    if isinstance(node, list):
        return [openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: openapi_to_json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True:
        if "type" in converted and isinstance(converted["type"], str):
            converted["type"] = [converted["type"], "null"]
        else:
            return {"anyOf": [{"type": "null"}, converted]}
    return converted


class OpenApiValidator:
    """Validates response bodies against the responses of the copied OpenAPI description."""

    BASE_URI = "urn:spotify-web-api-subset"

    def __init__(self, path: Path = OPENAPI_SUBSET) -> None:
        with path.open(encoding="utf-8") as handle:
            self.document = openapi_to_json_schema(yaml.safe_load(handle))
        resource = Resource.from_contents(self.document, default_specification=DRAFT7)
        self.registry = Registry().with_resource(self.BASE_URI, resource)
        self.templates = [
            (template, re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"))
            for template in self.document["paths"]
        ]

    def response_pointer(self, api_path: str, status: int) -> str | None:
        """JSON pointer of the schema the answer to ``GET api_path`` with ``status`` must meet."""
        for template, pattern in self.templates:
            if pattern.match(api_path):
                responses = self.document["paths"][template]["get"]["responses"]
                reference = responses.get(str(status), {}).get("$ref")
                if reference is not None:
                    return reference[1:] + "/content/application~1json/schema"
                break
        if status >= 400:
            return "/components/responses/Forbidden/content/application~1json/schema"
        return None

    def errors(self, pointer: str, body: Any) -> list[str]:
        validator = jsonschema.Draft7Validator(
            {"$ref": f"{self.BASE_URI}#{pointer}"}, registry=self.registry
        )
        return [
            f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
            for error in validator.iter_errors(body)
        ]


_VALIDATOR: OpenApiValidator | None = None


def openapi_validator() -> OpenApiValidator:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = OpenApiValidator()
    return _VALIDATOR


# --- the fake Spotify ---------------------------------------------------------------------


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


def deep_copy(catalog: Catalog) -> Catalog:
    """An independent copy, for a test that edits the catalogue."""
    return copy.deepcopy(catalog)
