"""A fake ReccoBeats API on 127.0.0.1: ``GET /v1/audio-features?ids=<Spotify track ids>``.

Answers like the real service (see the module docstring of ``extract/reccobeats_client.py``):
``{"content": [...]}``, one item per track it knows, in its own order (here: by its UUID, so
never the order asked), each with ReccoBeats' UUID as ``id`` and the Spotify link as ``href``;
unknown ids are left out; more than 40 ids is a 400. No ``time_signature``, no
``duration_ms``. Faults and latency as in ``http_server.FakeHttpServer``; every answer is
checked against :data:`AUDIO_FEATURES_RESPONSE` (a schema written from the service's
documentation, there being no published OpenAPI description).
"""

from __future__ import annotations

import uuid
from typing import Any

import jsonschema

from tests.python.fakes.catalog import Catalog
from tests.python.fakes.http_server import Answer, FakeHttpServer

MAX_IDS = 40
FEATURES = (
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "key",
    "liveness",
    "loudness",
    "mode",
    "speechiness",
    "tempo",
    "valence",
)
AUDIO_FEATURES_RESPONSE: dict[str, Any] = {
    "type": "object",
    "required": ["content"],
    "properties": {
        "content": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "href", *FEATURES],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "href": {"type": "string", "pattern": r"^https://open\.spotify\.com/track/"},
                    **{name: {"type": "number"} for name in FEATURES},
                    "key": {"type": "integer", "minimum": -1, "maximum": 11},
                    "mode": {"type": "integer", "enum": [0, 1]},
                },
            },
        }
    },
}
ERROR_RESPONSE: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}


class FakeReccoBeats(FakeHttpServer):
    """ReccoBeats' batch audio-features endpoint over a :class:`Catalog`."""

    name = "fake-reccobeats"

    def __init__(self, catalog: Catalog, latency: float = 0.0) -> None:
        super().__init__(latency=latency)
        self.catalog = catalog

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"

    def answer(self, method, path, query, headers, body) -> Answer:
        if method != "GET" or path.rstrip("/") != "/v1/audio-features":
            return Answer(404, {"error": "Not Found"})
        ids = [
            track_id for value in query.get("ids", []) for track_id in value.split(",") if track_id
        ]
        if not ids:
            return Answer(400, {"error": "ids is required"})
        if len(ids) > MAX_IDS:
            return Answer(400, {"error": f"at most {MAX_IDS} ids"})
        content = []
        for track_id in dict.fromkeys(ids):
            track = self.catalog.tracks.get(track_id)
            if track is None or not track.known_to_reccobeats:
                continue
            features = track.features or {}
            item = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, track_id)),
                "href": f"https://open.spotify.com/track/{track_id}",
                **{name: features.get(name, 0.5) for name in FEATURES},
            }
            if not features:  # ReccoBeats analysed a track Spotify has nothing for
                item.update(key=5, mode=1, loudness=-8.0, tempo=120.0)
            content.append(item)
        content.sort(key=lambda item: item["id"])
        return Answer(200, {"content": content})

    def validate(self, answer: Answer, path: str) -> None:
        schema = AUDIO_FEATURES_RESPONSE if answer.status == 200 else ERROR_RESPONSE
        if answer.status == 429 or answer.status >= 500:
            return  # injected faults carry the Spotify-style error body; not ReccoBeats' shape
        for error in jsonschema.Draft7Validator(schema).iter_errors(answer.body):
            self.schema_errors.append(f"{path} {answer.status}: {error.message}")


def reccobeats_environment(server: FakeReccoBeats) -> dict[str, str]:
    """The environment variable that points the extractor at ``server``."""
    return {"RECCOBEATS_API_URL": server.api_url}
