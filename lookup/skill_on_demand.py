"""The on-demand path of the skill server and the serverless handler: ``OnDemand`` answerers.

    warehouse_on_demand("target/spotify.duckdb", options)        # serve --on-demand --db
    files_on_demand("target/serving/on_demand", options)           # serve --on-demand
    files_on_demand(folder, options, wait_for_landing=True)        # the Lambda handler

Each answers a name the serving file does not have (``lookup/on_demand.py``) against a
DuckDB connection that has the warehouse's parameters, artists' vectors and tracks: the
warehouse itself, read-only, or the on-demand files loaded in memory
(``lookup/on_demand_files.py``, reloaded when they change). One cursor a request, so
requests in different threads may ask side by side.

On Lambda the execution environment is frozen once the handler returns, so the handler's
answerer waits for the landing of what it fetched before it answers, within the same
deadline as the fetch (``ON_DEMAND_DEADLINE_SECONDS``); a landing still going past it goes
on only while later invocations thaw the environment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import duckdb

from lookup.answer import Answer
from lookup.on_demand import answer_on_demand
from lookup.on_demand_files import on_demand_files_source
from lookup.on_demand_options import OnDemandOptions
from lookup.queries import connect
from lookup.reloading import check_seconds_from_environment
from lookup.skill_response import TRACKS_PER_CARD
from lookup.skill_server import OnDemand

log = logging.getLogger(__name__)


def answerer(
    connection: Callable[[], duckdb.DuckDBPyConnection],
    options: OnDemandOptions,
    wait_for_landing: bool = False,
) -> OnDemand:
    """Answers a name on demand against ``connection()``; with ``wait_for_landing``, only
    once what was fetched has landed or the deadline has passed."""

    def answer(typed: str) -> Answer | None:
        started = time.monotonic()
        with connection().cursor() as cursor:
            result = answer_on_demand(cursor, typed, TRACKS_PER_CARD, options)
        landing = result.fetch if wait_for_landing and result.answer is not None else None
        if landing is not None and not landing.wait(remaining_seconds(options, started)):
            log.warning("on-demand landing not over by the deadline; it goes on meanwhile")
        return result.answer

    return answer


def warehouse_on_demand(database_path: str, options: OnDemandOptions) -> OnDemand:
    """Against the DuckDB warehouse at ``database_path``, opened read-only."""
    warehouse = connect(database_path)
    return answerer(lambda: warehouse, options)


def files_on_demand(
    folder: str, options: OnDemandOptions, wait_for_landing: bool = False
) -> OnDemand:
    """Against the on-demand files in ``folder``, checked every
    ``SERVING_FILE_CHECK_SECONDS`` as the serving file is."""
    return answerer(
        on_demand_files_source(folder, check_seconds_from_environment()),
        options,
        wait_for_landing,
    )


def remaining_seconds(options: OnDemandOptions, started: float) -> float | None:
    """What is left of the deadline since ``started`` (None: no deadline)."""
    if options.deadline_seconds is None:
        return None
    return max(0.0, options.deadline_seconds - (time.monotonic() - started))
