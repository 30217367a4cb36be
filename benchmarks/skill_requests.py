"""What the skill benchmarks send and how they read the reply: Kakao skill requests, API
Gateway proxy events, and the check that a reply is a skill response.

The request has the shape Kakao i Open Builder sends for a block linked to the skill (the
same shape as ``tests/python/kakao.py``'s, copied: benchmarks do not import the tests); the
event is an API Gateway REST API proxy integration event for ``POST /skill``.
"""

from __future__ import annotations

import json


def skill_request(utterance: str, user_id: str = "kakao-benchmark-user") -> dict:
    """A skill request for ``utterance``, as Open Builder sends one."""
    return {
        "intent": {"id": "intent-artist", "name": "artist"},
        "userRequest": {
            "timezone": "Asia/Seoul",
            "params": {"ignoreMe": "true"},
            "block": {"id": "block-artist", "name": "artist"},
            "utterance": utterance,
            "lang": "ko",
            "user": {"id": user_id, "type": "botUserKey", "properties": {}},
        },
        "bot": {"id": "bot-spotify", "name": "spotify-related"},
        "action": {
            "name": "related_artists",
            "clientExtra": None,
            "params": {},
            "id": "action-related",
            "detailParams": {},
        },
        "contexts": [],
    }


def skill_body(utterance: str) -> bytes:
    return json.dumps(skill_request(utterance), ensure_ascii=False).encode()


def proxy_event(body: bytes, request_id: str = "benchmark-request") -> dict:
    """An API Gateway REST API proxy event for ``POST /skill`` carrying ``body``."""
    return {
        "resource": "/skill",
        "path": "/skill",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/skill",
            "httpMethod": "POST",
            "path": "/prod/skill",
            "stage": "prod",
            "requestId": request_id,
            "identity": {"sourceIp": "203.0.113.7"},
        },
        "body": body.decode(),
        "isBase64Encoded": False,
    }


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
