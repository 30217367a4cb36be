"""The few Spotify Web API calls the extractor makes, through spotipy, with typed failures.

spotipy does the client-credentials flow and builds the requests; every request goes through
a :class:`~extract.http_retry.RetryingSession` (retries, Retry-After, counting), so spotipy's
own retries are off. The access token stays in memory (no ``.cache`` file is written).

Base URLs come from the environment so tests and proxies can point the client elsewhere:
``SPOTIFY_API_URL`` (default ``https://api.spotify.com/v1``) and ``SPOTIFY_AUTH_URL`` (the
token endpoint, default ``https://accounts.spotify.com/api/token``; a bare origin such as
``http://127.0.0.1:8080`` gets ``/api/token`` appended).

Failures are sorted into what the caller can act on:
- :class:`EndpointUnavailableError`: 403/404 from an endpoint this app may not use (the 2026
  Development Mode rules); never retried.
- :class:`NotFoundError`: the artist id does not exist.
- :class:`AppForbiddenError`: Spotify refuses even the basic calls (search, artist).
- :class:`CredentialsRejectedError`: the token endpoint refused the client id and secret.
- :class:`SpotifyUnavailableError`: retries exhausted (5xx, timeouts, 429), or anything else.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials, SpotifyOauthError

from extract.http_retry import RateLimitedError, RetryingSession

DEFAULT_API_URL = "https://api.spotify.com/v1"
DEFAULT_AUTH_URL = "https://accounts.spotify.com/api/token"

SEARCH_LIMIT = 10  # the Development Mode maximum; enough to find an exact name match
ALBUMS_PAGE_LIMIT = 10  # the Development Mode maximum of /artists/{id}/albums
ALBUM_TRACKS_PAGE_LIMIT = 50
AUDIO_FEATURES_BATCH = 100

# The ``error`` values of an OAuth 2.0 token refusal (RFC 6749, section 5.2).
OAUTH_REFUSALS = frozenset(
    {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    }
)

_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_SPOTIFY_REFERENCE = re.compile(
    r"^(?:spotify:(?P<uri_type>[a-z]+):(?P<uri_id>[0-9A-Za-z]{22})"
    r"|https?://open\.spotify\.com/(?:intl-[a-z]{2}/)?(?P<url_type>[a-z]+)/"
    r"(?P<url_id>[0-9A-Za-z]{22})(?:[/?#].*)?)$"
)


class SpotifyError(Exception):
    """A Spotify call failed; the message is one line and holds no credentials."""


class EndpointUnavailableError(SpotifyError):
    """403/404 from an endpoint this app is not allowed to use (Development Mode)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class NotFoundError(SpotifyError):
    """The requested object does not exist."""


class AppForbiddenError(SpotifyError):
    """Spotify refuses the app even basic catalogue calls."""


class CredentialsRejectedError(SpotifyError):
    """The token endpoint refused SPOTIPY_CLIENT_ID / SPOTIPY_CLIENT_SECRET."""


class SpotifyUnavailableError(SpotifyError):
    """Spotify did not answer usefully, even after retries."""


def parse_spotify_id(value: str, kind: str = "artist") -> str | None:
    """The base-62 id in a bare id, a ``spotify:<kind>:`` URI or an open.spotify.com URL."""
    value = value.strip()
    if _SPOTIFY_ID.match(value):
        return value
    match = _SPOTIFY_REFERENCE.match(value)
    if match is None:
        return None
    found_kind = match.group("uri_type") or match.group("url_type")
    if found_kind != kind:
        return None
    return match.group("uri_id") or match.group("url_id")


def token_url_from(base: str) -> str:
    """``SPOTIFY_AUTH_URL`` as a token endpoint: a bare origin gets ``/api/token``."""
    base = base.rstrip("/")
    if urlsplit(base).path in ("", "/"):
        return base + "/api/token"
    return base


def redact_url(url: str) -> str:
    """A URL without any ``user:password@`` part, safe to print and record."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return parts._replace(netloc=netloc).geturl()


@dataclass(frozen=True)
class SpotifySettings:
    """Where the Spotify API and its token endpoint live."""

    api_url: str = DEFAULT_API_URL
    auth_url: str = DEFAULT_AUTH_URL

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> SpotifySettings:
        return cls(
            api_url=environment.get("SPOTIFY_API_URL") or DEFAULT_API_URL,
            auth_url=token_url_from(environment.get("SPOTIFY_AUTH_URL") or DEFAULT_AUTH_URL),
        )


class SpotifyClient:
    """Catalogue reads for the extractor (client-credentials flow, no user scopes)."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        settings: SpotifySettings,
        api_session: RetryingSession,
        auth_session: RetryingSession,
    ) -> None:
        # spotipy logs request headers (the bearer token) at DEBUG: keep its logger quiet.
        logging.getLogger("spotipy").setLevel(logging.CRITICAL)
        self.settings = settings
        self._auth = SpotifyClientCredentials(
            client_id=client_id,
            client_secret=client_secret,
            requests_session=auth_session,
            requests_timeout=auth_session.policy.timeout,
            cache_handler=MemoryCacheHandler(),
        )
        # An instance attribute, so the class default of other users is left alone.
        self._auth.OAUTH_TOKEN_URL = settings.auth_url
        self._spotify = spotipy.Spotify(
            auth_manager=self._auth,
            requests_session=api_session,
            requests_timeout=api_session.policy.timeout,
            retries=0,
            status_retries=0,
        )
        self._spotify.prefix = settings.api_url.rstrip("/") + "/"

    # -- the calls ------------------------------------------------------------------------

    def authenticate(self) -> None:
        """Fetch an access token now, so bad credentials fail before any artist."""
        try:
            self._auth.get_access_token(as_dict=False, check_cache=False)
        except SpotifyOauthError as error:
            reason = getattr(error, "error", None)
            description = getattr(error, "error_description", None)
            if not isinstance(reason, str) or reason not in OAUTH_REFUSALS:
                # Not an OAuth answer: the token endpoint itself failed (5xx after retries).
                raise SpotifyUnavailableError(
                    f"the Spotify token endpoint {redact_url(self.settings.auth_url)} failed"
                ) from None
            detail = f"{reason}: {description}" if description else str(reason)
            raise CredentialsRejectedError(
                "Spotify refused the client credentials in SPOTIPY_CLIENT_ID / "
                f"SPOTIPY_CLIENT_SECRET ({detail})"
            ) from None
        except RateLimitedError as error:
            raise SpotifyUnavailableError(str(error)) from None
        except requests.RequestException as error:
            raise SpotifyUnavailableError(
                f"cannot reach the Spotify token endpoint {redact_url(self.settings.auth_url)}: "
                f"{type(error).__name__}"
            ) from None

    def search_artists(self, name: str, market: str | None = None) -> list[dict[str, Any]]:
        """Artists matching ``name``, best first (at most SEARCH_LIMIT)."""
        result = self._call(
            "search artists",
            lambda: self._spotify.search(q=name, type="artist", limit=SEARCH_LIMIT, market=market),
            basic=True,
        )
        return [item for item in (result.get("artists") or {}).get("items") or [] if item]

    def artist(self, artist_id: str) -> dict[str, Any]:
        """One artist by id; NotFoundError if Spotify does not know it."""
        return self._call(
            f"artist {artist_id}", lambda: self._spotify.artist(artist_id), basic=True
        )

    def top_tracks(self, artist_id: str, market: str) -> list[dict[str, Any]]:
        """The artist's top tracks (at most 10); EndpointUnavailableError in Development Mode."""
        result = self._call(
            f"top tracks of {artist_id}",
            lambda: self._spotify.artist_top_tracks(artist_id, country=market),
            removable=True,
        )
        return [track for track in result.get("tracks") or [] if track]

    def artist_releases(
        self, artist_id: str, group: str, market: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The artist's releases of one group (``album`` or ``single``), page by page.

        Spotify lists each group newest first; pages are fetched only as they are consumed.
        """
        offset = 0
        while True:
            page = self._call(
                f"{group}s of {artist_id}",
                lambda offset=offset: self._spotify.artist_albums(
                    artist_id,
                    include_groups=group,
                    country=market,
                    limit=ALBUMS_PAGE_LIMIT,
                    offset=offset,
                ),
            )
            items = [item for item in page.get("items") or [] if item]
            yield from items
            offset += len(items)
            if not items or not page.get("next") or offset >= (page.get("total") or 0):
                return

    def album_tracks(self, album_id: str, market: str | None = None) -> Iterator[dict[str, Any]]:
        """The tracks of one album in album order, page by page."""
        offset = 0
        while True:
            page = self._call(
                f"tracks of album {album_id}",
                lambda offset=offset: self._spotify.album_tracks(
                    album_id, limit=ALBUM_TRACKS_PAGE_LIMIT, offset=offset, market=market
                ),
            )
            items = [item for item in page.get("items") or [] if item]
            yield from items
            offset += len(items)
            if not items or not page.get("next") or offset >= (page.get("total") or 0):
                return

    def audio_features(self, track_ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """Audio features of up to 100 tracks; ``None`` for a track Spotify has none for."""
        if len(track_ids) > AUDIO_FEATURES_BATCH:
            raise ValueError(f"at most {AUDIO_FEATURES_BATCH} track ids per call")
        result = self._call(
            "audio features",
            lambda: {"audio_features": self._spotify.audio_features(list(track_ids))},
            removable=True,
        )
        entries = result["audio_features"] or []
        found: dict[str, dict[str, Any] | None] = dict.fromkeys(track_ids)
        for entry in entries:
            if entry and entry.get("id") in found:
                found[entry["id"]] = entry
        return found

    # -- error handling -------------------------------------------------------------------

    def _call(
        self,
        what: str,
        call: Callable[[], Any],
        removable: bool = False,
        basic: bool = False,
    ) -> dict[str, Any]:
        try:
            with warnings.catch_warnings():
                # spotipy flags top tracks and audio features as deprecated: we know, and
                # handle their refusal in Development Mode.
                warnings.simplefilter("ignore", DeprecationWarning)
                result = call()
        except spotipy.SpotifyException as error:
            raise self._classify(what, error.http_status, removable, basic) from None
        except SpotifyOauthError as error:
            raise CredentialsRejectedError(
                f"{what}: Spotify refused the client credentials ({error.error or 'refused'})"
            ) from None
        except RateLimitedError as error:
            raise SpotifyUnavailableError(f"{what}: {error}") from None
        except requests.RequestException as error:
            raise SpotifyUnavailableError(
                f"{what}: no answer from Spotify after retries ({type(error).__name__})"
            ) from None
        if not isinstance(result, dict):
            raise SpotifyUnavailableError(f"{what}: Spotify answered something that is not JSON")
        return result

    @staticmethod
    def _classify(what: str, status: int, removable: bool, basic: bool) -> SpotifyError:
        if removable and status in (403, 404):
            return EndpointUnavailableError(
                f"{what}: HTTP {status}, this app may not use the endpoint", status
            )
        if status == 404:
            return NotFoundError(f"{what}: not found (HTTP 404)")
        if status == 400:
            return SpotifyError(f"{what}: Spotify rejected the request (HTTP 400)")
        if status == 401:
            return CredentialsRejectedError(f"{what}: Spotify rejected the access token (401)")
        if status == 403 and basic:
            return AppForbiddenError(
                f"{what}: Spotify refused the app (HTTP 403); since March 2026 the owner of a "
                "Development Mode app needs Spotify Premium"
            )
        if status == 429:
            return SpotifyUnavailableError(f"{what}: still rate limited (HTTP 429) after retries")
        return SpotifyUnavailableError(f"{what}: HTTP {status} after retries")
