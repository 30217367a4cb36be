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

from lookup.on_demand_files import default_on_demand_files
from lookup.on_demand_options import OnDemandOptions
from lookup.serving_source import ServingFileSource
from lookup.skill_server import OnDemand, SkillSettings, create_app

adapter: Mangum | None = None


def handler(event: dict, context: Any) -> dict:
    global adapter
    if adapter is None:
        app = create_app(
            ServingFileSource.from_environment(),
            SkillSettings.from_environment(),
            on_demand_from_environment(),
            reply_in_thread=False,
        )
        adapter = Mangum(app, lifespan="off")
    return adapter(event, context)


def on_demand_from_environment() -> OnDemand | None:
    """None unless ``ON_DEMAND_FETCH=1``; then the on-demand path against the files of
    ``ON_DEMAND_FILES_URI`` (default: ``on_demand`` next to ``SERVING_FILE_URI``), waiting
    for the landing, since the environment is frozen once the handler returns."""
    options = OnDemandOptions.for_server()
    if not options.enabled:
        return None
    # Imported here: the extractor's modules (spotipy, requests) take about 0.3 s to import,
    # which a handler that never fetches should not pay at every cold start.
    from lookup.skill_on_demand import files_on_demand

    return files_on_demand(default_on_demand_files(), options, wait_for_landing=True)


def reset() -> None:
    """Forget the loaded app (a cold start next time): for tests and benchmarks."""
    global adapter
    adapter = None
