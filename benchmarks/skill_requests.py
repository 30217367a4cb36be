"""What the skill benchmarks send and how they read the reply: Kakao skill requests, API
Gateway proxy events, and the check that a reply is a skill response.

The request and the event are the tests' own (``tests/python/skill_events.py``): the shape
Kakao i Open Builder sends for a block linked to the skill, and an API Gateway REST API
proxy integration event for ``POST /skill``.
"""

from __future__ import annotations

import json

from tests.python.skill_events import proxy_event, skill_request


def skill_body(utterance: str) -> bytes:
    """The body of a skill request for ``utterance``, as sent over HTTP."""
    return json.dumps(skill_request(utterance, "kakao-benchmark-user"), ensure_ascii=False).encode()


def skill_event(utterance: str) -> dict:
    """The proxy event of API Gateway carrying a skill request for ``utterance``."""
    return proxy_event(skill_body(utterance).decode(), request_id="benchmark-request")


class BadReply(Exception):
    """A reply that is not a skill response: why, in a few words (the error's kind)."""


def read_reply(status: int, body: bytes) -> bool:
    """Whether a reply answered (a carousel of related artists) or not (a "not found"
    text); a BadReply for a status other than 200, a body that is not JSON or JSON that is
    not a skill response (version 2.0 with template.outputs)."""
    if status != 200:
        raise BadReply(f"HTTP {status}")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadReply("invalid JSON") from None
    if not isinstance(document, dict) or document.get("version") != "2.0":
        raise BadReply("not a skill response")
    template = document.get("template")
    outputs = template.get("outputs") if isinstance(template, dict) else None
    if not isinstance(outputs, list) or not outputs:
        raise BadReply("not a skill response")
    return any(isinstance(output, dict) and "carousel" in output for output in outputs)
