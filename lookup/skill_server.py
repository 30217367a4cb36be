"""The chat skill over HTTP: a Kakao i Open Builder skill request in, a skill response out.

    POST /skill   {"userRequest": {"utterance": "블랙핑크", ...}, "action": {...}, ...}
    GET  /healthz {"status": "ok", "artists": N}

A Starlette app (routing, request and error handling), served by uvicorn on the command
line (``spotify-related serve``) and by Mangum on AWS Lambda (``lookup/skill_lambda.py``):
the same code answers both. The artist asked for is the block's parameter ``artist`` when
it has one, else the whole utterance.

Safe to reach from the internet:
- ``SKILL_AUTH_TOKEN`` set: a request without that value in the ``X-Skill-Token`` header
  (compared in constant time) gets 401 and no data;
- a body over ``SKILL_MAX_BODY_BYTES`` (default 65,536) gets 413; one that is not JSON, or
  has no ``userRequest.utterance``, gets 400 with a one-line reason;
- no response carries a stack trace; the log line of a request has no user identifier
  (a hash of the user's id at most), nor what was typed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lookup.answer import Answer, ArtistLookupError
from lookup.serving_index import ServingIndex
from lookup.skill_response import answer_response, introduction, not_answered_response

AUTH_TOKEN_ENV = "SKILL_AUTH_TOKEN"
AUTH_HEADER = "X-Skill-Token"
MAX_BODY_ENV = "SKILL_MAX_BODY_BYTES"
DEFAULT_MAX_BODY_BYTES = 64 * 1024
log = logging.getLogger(__name__)


class RequestRejected(Exception):
    """A request answered with an HTTP error: its status and a one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class SkillSettings:
    auth_token: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @classmethod
    def from_environment(cls) -> SkillSettings:
        value = os.environ.get(MAX_BODY_ENV, "")
        if value and not (value.isdigit() and int(value) > 0):
            raise ValueError(f"{MAX_BODY_ENV} must be a whole number of bytes above 0: {value!r}")
        return cls(
            auth_token=os.environ.get(AUTH_TOKEN_ENV) or None,
            max_body_bytes=int(value) if value else DEFAULT_MAX_BODY_BYTES,
        )


# Answers a name the warehouse does not have, or None (the on-demand path, when enabled).
OnDemand = Callable[[str], Answer | None]


def create_app(
    source: Callable[[], ServingIndex],
    settings: SkillSettings | None = None,
    on_demand: OnDemand | None = None,
    reply_in_thread: bool = True,
) -> Starlette:
    """The skill app answering from ``source()`` (the current recommendations).

    ``reply_in_thread``: each reply in a worker thread, so that a "did you mean" (SQL over
    every name) or an on-demand fetch does not hold up the other requests the event loop is
    reading. Off on Lambda, where an environment serves one request at a time and Mangum
    runs each on a new event loop, which would start a new worker thread every time.
    """
    settings = settings or SkillSettings()

    async def skill(request: Request) -> JSONResponse:
        started = time.perf_counter()
        try:
            check_token(request, settings)
            payload = parse_payload(await read_body(request, settings.max_body_bytes))
        except RequestRejected as rejected:
            log.info("skill request rejected: %s %s", rejected.status, rejected)
            return JSONResponse({"error": str(rejected)}, status_code=rejected.status)
        arguments = (source(), asked_name(payload), on_demand)
        if reply_in_thread:
            response, outcome = await run_in_threadpool(reply, *arguments)
        else:
            response, outcome = reply(*arguments)
        log.info(
            "skill request %s in %.1f ms (user %s)",
            outcome,
            (time.perf_counter() - started) * 1000,
            hashed_user(payload),
        )
        return JSONResponse(response)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "artists": source().artist_count})

    async def server_error(request: Request, error: Exception) -> JSONResponse:
        log.error("skill request failed: %s", type(error).__name__)
        return JSONResponse({"error": "internal error"}, status_code=500)

    return Starlette(
        routes=[
            Route("/skill", skill, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ],
        exception_handlers={Exception: server_error},
    )


def reply(index: ServingIndex, typed: str, on_demand: OnDemand | None) -> tuple[dict, str]:
    """The skill response for ``typed`` and a word for the log: answered or not."""
    try:
        answer = index.answer(typed)
    except ArtistLookupError as error:
        fetched = on_demand(typed) if on_demand and error.suggestions else None
        if fetched is None:
            return not_answered_response(str(error), error.suggestions), "not answered"
        answer = fetched
    return answer_response(answer, introduction(answer, typed)), f"answered ({answer.found_by})"


def check_token(request: Request, settings: SkillSettings) -> None:
    if settings.auth_token is None:
        return
    given = request.headers.get(AUTH_HEADER, "").encode()
    if not hmac.compare_digest(given, settings.auth_token.encode()):
        raise RequestRejected(401, f"missing or wrong {AUTH_HEADER} header")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused (413) past ``limit`` bytes whether or not Content-Length says so."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestRejected(413, f"request body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RequestRejected(413, f"request body over {limit} bytes")
    return bytes(body)


def parse_payload(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RequestRejected(400, "the body is not JSON") from None
    if not isinstance(payload, dict):
        raise RequestRejected(400, "the body is not a JSON object")
    user_request = payload.get("userRequest")
    if not isinstance(user_request, dict) or not isinstance(user_request.get("utterance"), str):
        raise RequestRejected(400, "the body has no userRequest.utterance")
    return payload


def asked_name(payload: dict) -> str:
    """The block's ``artist`` parameter when it has one, else the utterance."""
    action = payload.get("action")
    params = action.get("params") if isinstance(action, dict) else None
    artist = params.get("artist") if isinstance(params, dict) else None
    if isinstance(artist, str) and artist.strip():
        return artist
    return payload["userRequest"]["utterance"]


def hashed_user(payload: dict) -> str:
    """The user's id as a short one-way hash (to tell requests apart), or "-"."""
    user = payload["userRequest"].get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user_id, str) or not user_id:
        return "-"
    return hashlib.sha256(user_id.encode()).hexdigest()[:12]
