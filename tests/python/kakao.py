"""Kakao i Open Builder for the tests: the skill response format as a JSON Schema, and the
skill server running on 127.0.0.1 (the requests the platform sends are
tests/python/skill_events.py).

The schema is written from the limits of Kakao's skill response guide (version 2.0):
1 to 3 outputs; a simpleText of at most 1000 characters; a carousel of 1 to 10 cards of one
type; a textCard's title at most 50 characters and, inside a carousel, its description at
most 128; at most 3 buttons a card, each label at most 14 characters; a basicCard needs a
thumbnail; at most 10 quick replies, a "message" one carrying its messageText. Unknown keys
are refused, so a misspelt field fails too.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import jsonschema
import uvicorn

BUTTON = {
    "type": "object",
    "required": ["label", "action"],
    "properties": {
        "label": {"type": "string", "minLength": 1, "maxLength": 14},
        "action": {"enum": ["webLink", "message", "block", "phone", "share", "operator"]},
        "webLinkUrl": {"type": "string", "pattern": "^https://"},
        "messageText": {"type": "string", "minLength": 1},
        "blockId": {"type": "string"},
        "phoneNumber": {"type": "string"},
    },
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"properties": {"action": {"const": "webLink"}}},
            "then": {"required": ["webLinkUrl"]},
        }
    ],
}
THUMBNAIL = {
    "type": "object",
    "required": ["imageUrl"],
    "properties": {"imageUrl": {"type": "string", "pattern": "^https://"}},
}


def text_card(description_limit: int) -> dict:
    return {
        "type": "object",
        "anyOf": [{"required": ["title"]}, {"required": ["description"]}],
        "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 50},
            "description": {"type": "string", "maxLength": description_limit},
            "buttons": {"type": "array", "maxItems": 3, "items": BUTTON},
            "buttonLayout": {"enum": ["vertical", "horizontal"]},
        },
        "additionalProperties": False,
    }


BASIC_CARD = {
    "type": "object",
    "required": ["thumbnail"],
    "properties": {
        "title": {"type": "string", "maxLength": 50},
        "description": {"type": "string", "maxLength": 230},
        "thumbnail": THUMBNAIL,
        "buttons": {"type": "array", "maxItems": 3, "items": BUTTON},
    },
    "additionalProperties": False,
}
CAROUSEL = {
    "type": "object",
    "required": ["type", "items"],
    "properties": {"type": {"enum": ["textCard", "basicCard"]}, "items": {"type": "array"}},
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "textCard"}}},
            "then": {
                "properties": {"items": {"minItems": 1, "maxItems": 10, "items": text_card(128)}}
            },
        },
        {
            "if": {"properties": {"type": {"const": "basicCard"}}},
            "then": {"properties": {"items": {"minItems": 1, "maxItems": 10, "items": BASIC_CARD}}},
        },
    ],
}
OUTPUT = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "properties": {
        "simpleText": {
            "type": "object",
            "required": ["text"],
            "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 1000}},
            "additionalProperties": False,
        },
        "textCard": text_card(400),
        "basicCard": BASIC_CARD,
        "carousel": CAROUSEL,
    },
    "additionalProperties": False,
}
QUICK_REPLY = {
    "type": "object",
    "required": ["label", "action"],
    "properties": {
        "label": {"type": "string", "minLength": 1, "maxLength": 14},
        "action": {"enum": ["message", "block"]},
        "messageText": {"type": "string", "minLength": 1},
        "blockId": {"type": "string"},
    },
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"properties": {"action": {"const": "message"}}},
            "then": {"required": ["messageText"]},
        }
    ],
}
SKILL_RESPONSE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "template"],
    "properties": {
        "version": {"const": "2.0"},
        "template": {
            "type": "object",
            "required": ["outputs"],
            "properties": {
                "outputs": {"type": "array", "minItems": 1, "maxItems": 3, "items": OUTPUT},
                "quickReplies": {"type": "array", "maxItems": 10, "items": QUICK_REPLY},
            },
            "additionalProperties": False,
        },
        "context": {"type": "object"},
        "data": {"type": "object"},
    },
    "additionalProperties": False,
}
VALIDATOR = jsonschema.Draft202012Validator(SKILL_RESPONSE_SCHEMA)


def assert_skill_response(document: dict) -> None:
    """``document`` is a skill response the platform accepts (every error listed)."""
    errors = [f"{list(error.path)}: {error.message}" for error in VALIDATOR.iter_errors(document)]
    assert errors == [], errors


@contextmanager
def running_server(app) -> Iterator[str]:
    """``app`` served by uvicorn on a free port of 127.0.0.1; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the skill server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
