"""Audio features from ReccoBeats, for apps Spotify no longer gives them to.

ReccoBeats (https://reccobeats.com, free, no key) answers
``GET /v1/audio-features?ids=<comma-separated Spotify track ids>`` with
``{"content": [...]}``. Each item's ``id`` is ReccoBeats' own UUID; the Spotify track id is the
last segment of its ``href`` (``https://open.spotify.com/track/<id>``), which is how answers are
mapped back. Ids ReccoBeats does not know are simply absent. It has no ``time_signature`` and
no ``duration_ms``. Calls carry at most 40 ids (what community clients use; the limit is
undocumented). Rate limits are undisclosed: 429 with Retry-After, handled by the session.

The base URL is ``RECCOBEATS_API_URL`` (default ``https://api.reccobeats.com/v1``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import requests

from extract.http_retry import RateLimitedError, RetryingSession
from extract.schemas import AUDIO_FEATURE_COLUMNS

DEFAULT_API_URL = "https://api.reccobeats.com/v1"
BATCH_SIZE = 40

_TRACK_HREF = re.compile(r"/track/([0-9A-Za-z]{22})(?:[/?#]|$)")


class ReccoBeatsError(Exception):
    """ReccoBeats did not answer usefully (after retries); the message is one line."""


def spotify_id_from_href(href: str | None) -> str | None:
    """The Spotify track id at the end of an ``open.spotify.com/track/<id>`` link."""
    if not href:
        return None
    match = _TRACK_HREF.search(href)
    return match.group(1) if match else None


class ReccoBeatsClient:
    """Batch audio-feature lookups by Spotify track id."""

    def __init__(self, session: RetryingSession, api_url: str = DEFAULT_API_URL) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")

    def audio_features(self, track_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Features of the tracks ReccoBeats knows, keyed by Spotify id (at most 40 ids)."""
        if len(track_ids) > BATCH_SIZE:
            raise ValueError(f"at most {BATCH_SIZE} track ids per call")
        if not track_ids:
            return {}
        try:
            response = self.session.get(
                f"{self.api_url}/audio-features",
                params={"ids": ",".join(track_ids)},
                headers={"Accept": "application/json"},
            )
        except RateLimitedError as error:
            raise ReccoBeatsError(str(error)) from None
        except requests.RequestException as error:
            raise ReccoBeatsError(
                f"no answer from ReccoBeats after retries ({type(error).__name__})"
            ) from None
        if response.status_code != 200:
            raise ReccoBeatsError(f"ReccoBeats answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise ReccoBeatsError("ReccoBeats answered something that is not JSON") from None
        items = body.get("content") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise ReccoBeatsError("ReccoBeats answered without a 'content' list")
        wanted = set(track_ids)
        found: dict[str, dict[str, Any]] = {}
        for item in items:
            if not isinstance(item, dict):
                continue
            track_id = spotify_id_from_href(item.get("href"))
            if track_id in wanted and track_id not in found:
                found[track_id] = {column: item.get(column) for column in AUDIO_FEATURE_COLUMNS}
        return found
