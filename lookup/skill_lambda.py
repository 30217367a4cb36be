"""The chat skill on AWS Lambda behind API Gateway: ``lookup.skill_lambda.handler``.

An API Gateway proxy event (REST or HTTP API) in, a proxy response out, through Mangum
running the skill server's own Starlette app (``lookup/skill_server.py``). The serving file
comes from ``SERVING_FILE_URI`` (``s3://bucket/key``), is loaded on the first invocation and
kept across warm ones, and is loaded again when the object's ETag changes (looked at every
``SERVING_FILE_CHECK_SECONDS``, default 30). docs/chat-skill.md is the deployment guide.
"""

from __future__ import annotations

from typing import Any

from mangum import Mangum

from lookup.serving_source import ServingFileSource
from lookup.skill_server import SkillSettings, create_app

adapter: Mangum | None = None


def handler(event: dict, context: Any) -> dict:
    global adapter
    if adapter is None:
        app = create_app(ServingFileSource.from_environment(), SkillSettings.from_environment())
        adapter = Mangum(app, lifespan="off")
    return adapter(event, context)


def reset() -> None:
    """Forget the loaded app (a cold start next time): for tests and benchmarks."""
    global adapter
    adapter = None
