"""The chat skill on AWS Lambda behind API Gateway: ``lookup.skill_lambda.handler``.

An API Gateway proxy event (REST or HTTP API) in, a proxy response out, through Mangum
running the skill server's own Starlette app (``lookup/skill_server.py``). The serving file
comes from ``SERVING_FILE_URI`` (``s3://bucket/key``), is loaded on the first invocation and
kept across warm ones, and is loaded again when the object's ETag changes (looked at every
``SERVING_FILE_CHECK_SECONDS``, default 30). With ``ON_DEMAND_FETCH=1`` an artist the file
does not have is fetched from Spotify and placed among the on-demand files
(``ON_DEMAND_FILES_URI``; ``lookup/skill_on_demand.py``). docs/chat-skill.md is the
deployment guide, docs/on-demand.md the on-demand path's.
"""

from __future__ import annotations

from typing import Any

from mangum import Mangum

from lookup.serving_source import ServingFileSource
from lookup.skill_on_demand import handler_on_demand
from lookup.skill_server import SkillSettings, create_app

adapter: Mangum | None = None


def handler(event: dict, context: Any) -> dict:
    global adapter
    if adapter is None:
        app = create_app(
            ServingFileSource.from_environment(),
            SkillSettings.from_environment(),
            handler_on_demand(),
        )
        adapter = Mangum(app, lifespan="off")
    return adapter(event, context)


def reset() -> None:
    """Forget the loaded app (a cold start next time): for tests and benchmarks."""
    global adapter
    adapter = None
