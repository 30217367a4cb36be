"""What reaches the chat skill, for the tests and the benchmarks: a skill request as Kakao i
Open Builder sends one for a block linked to the skill, and the API Gateway REST API proxy
integration event that carries it to the serverless handler."""

from __future__ import annotations


def skill_request(utterance: str, user_id: str = "kakao-user-0001", **params: str) -> dict:
    """A skill request for ``utterance``; ``params`` are the block's parameters."""
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
            "params": dict(params),
            "id": "action-related",
            "detailParams": {
                name: {"origin": value, "value": value, "groupName": ""}
                for name, value in params.items()
            },
        },
        "contexts": [],
    }


def proxy_event(body: str, headers: dict | None = None, request_id: str = "test-request") -> dict:
    """An API Gateway REST API proxy integration event for ``POST /skill``."""
    return {
        "resource": "/skill",
        "path": "/skill",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", **(headers or {})},
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
        "body": body,
        "isBase64Encoded": False,
    }
