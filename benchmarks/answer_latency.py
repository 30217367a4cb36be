"""How long one answer takes, warm, by every way of asking; and the serverless cold start.

Over ``--names`` names (default 1,000) drawn from the warehouse in the mix of
``benchmarks/skill_names.py`` (seeded: by default 50% exact, 20% folded, 10% aliases, 15%
misspelt and 5% unknown, so a fifth of them take the "did you mean" path: the closest
names by Jaro-Winkler over every name), each timed on its own, after ``--warm-up`` other
names (default 100, not counted):

(a) library: the command's call, ``ServingIndex.from_warehouse`` over the DuckDB warehouse
    (built once, its time shown with the cold starts), then ``.answer(name)`` per name;
(b) HTTP: ``spotify-related serve`` on the serving file in its own process, one keep-alive
    connection (``http.client``), requests one after the other: from sending the request to
    the whole body read;
(c) Lambda: ``lookup.skill_lambda.handler`` in this process, an API Gateway REST proxy
    event per name, ``SERVING_FILE_URI`` the local serving file (checked every 30 s, the
    default): the handler call.

Cold starts: the library's index build; the server's start until ``/healthz`` answers; the
handler's first invocation after ``skill_lambda.reset()`` (``--cold-repeats`` times, in
this process, modules already imported); and a fresh process, ``python -c`` importing
``lookup.skill_lambda`` and invoking once (``--fresh-repeats`` times): its wall time from a
small launcher (``benchmarks/process_timing.py``), the import and the invocation timed
inside, its peak RSS.

The warehouse is ``--db`` (a DuckDB file with ``fct_artist_recommendations``; its serving
file is exported into a temporary folder unless ``--serving-file`` is given too) or
``--serving-file`` alone (then no library path). Prints a markdown table per warehouse;
``--json PATH`` writes the figures too. Goal: p99 under 50 ms warm on every path.

    .venv/bin/python -m benchmarks.answer_latency --db target/spotify.duckdb
    .venv/bin/python -m benchmarks.answer_latency --db /tmp/100k/spotify.duckdb --label 100k
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt_module
import http.client
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from benchmarks.latency_stats import LatencySummary, milliseconds
from benchmarks.process_timing import LAUNCHER
from benchmarks.skill_names import (
    ANSWERED_KINDS,
    DEFAULT_MIX,
    DEFAULT_SEED,
    AskedName,
    artists_from_serving_file,
    artists_from_warehouse,
    count_kinds,
    describe_mix,
    draw_names,
    parse_mix,
)
from benchmarks.skill_requests import BadReply, read_reply, skill_body, skill_event
from benchmarks.skill_server_process import (
    SkillServerProcess,
    environment_without_token,
    export_serving_file,
)
from lookup.answer import ArtistLookupError

PROGRAM = "answer_latency"
PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
GOAL_P99_MS = 50.0
PATHS = ("library", "http", "lambda")
LAMBDA_CHECK_SECONDS = "30"
# The fresh process of the cold start: import the handler, invoke it once, say how long.
FRESH_PROCESS = """
import json, sys, time
started = time.perf_counter()
from lookup import skill_lambda
imported = time.perf_counter()
response = skill_lambda.handler(json.loads(sys.argv[1]), None)
invoked = time.perf_counter()
print(json.dumps({"import_seconds": imported - started,
                  "invocation_seconds": invoked - imported,
                  "status": response["statusCode"]}))
"""


@dataclass
class PathResult:
    """The warm answer times of one way of asking."""

    path: str
    description: str
    latency: LatencySummary
    latency_found: LatencySummary
    latency_fuzzy: LatencySummary
    errors: dict[str, int]
    unexpected: int  # replies not what the name's kind expects (answer / did you mean)

    @property
    def meets_goal(self) -> bool:
        return self.latency.p99_ms < GOAL_P99_MS and not self.errors


@dataclass
class FreshStart:
    """One cold start in a fresh process."""

    wall_seconds: float
    import_seconds: float
    invocation_seconds: float
    peak_rss_mb: float
    status: int


@dataclass
class LatencyResult:
    label: str
    database: str | None
    serving_file: str
    artists: int
    names: int
    warm_up: int
    seed: int
    mix: dict[str, float]
    kinds: dict[str, int]
    started_at: str
    cores: int
    load_before: float
    load_after: float = 0.0
    paths: list[PathResult] = field(default_factory=list)
    index_build_seconds: float | None = None
    server_startup_seconds: float | None = None
    cold_in_process_seconds: list[float] = field(default_factory=list)
    fresh_starts: list[FreshStart] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


# One name asked by one path: how long it took (s) and whether it answered (a BadReply
# for a broken reply).
Ask = Callable[[AskedName], tuple[float, bool]]


def timed_path(
    path: str, description: str, ask: Ask, warm_up: list[AskedName], names: list[AskedName]
) -> PathResult:
    """Ask every warm-up name (untimed), then every name, each timed on its own by
    ``ask``."""
    for name in warm_up:
        with contextlib.suppress(BadReply):
            ask(name)
    seconds: dict[str, list[float]] = {"found": [], "fuzzy": []}
    errors: dict[str, int] = {}
    unexpected = 0
    for name in names:
        try:
            elapsed, answered = ask(name)
        except BadReply as bad:
            errors[str(bad)] = errors.get(str(bad), 0) + 1
            continue
        seconds["found" if name.kind in ANSWERED_KINDS else "fuzzy"].append(elapsed)
        unexpected += answered != name.expects_answer
    return PathResult(
        path=path,
        description=description,
        latency=LatencySummary.of_seconds(seconds["found"] + seconds["fuzzy"]),
        latency_found=LatencySummary.of_seconds(seconds["found"]),
        latency_fuzzy=LatencySummary.of_seconds(seconds["fuzzy"]),
        errors=errors,
        unexpected=unexpected,
    )


def library_path(
    database: str, warm_up: list[AskedName], names: list[AskedName]
) -> tuple[PathResult, float]:
    """(a): ``ServingIndex.from_warehouse`` then ``.answer``; and the index's build time."""
    from lookup.queries import connect
    from lookup.serving_index import ServingIndex

    with connect(database) as connection:
        started = time.perf_counter()
        index = ServingIndex.from_warehouse(connection)
        build_seconds = time.perf_counter() - started

        def ask(name: AskedName) -> tuple[float, bool]:
            started = time.perf_counter()
            try:
                index.answer(name.text)
                answered = True
            except ArtistLookupError:
                answered = False
            return time.perf_counter() - started, answered

        result = timed_path(
            "library",
            "(a) library: `ServingIndex.from_warehouse` (DuckDB), `.answer`",
            ask,
            warm_up,
            names,
        )
    return result, build_seconds


def http_path(
    serving_file: str, warm_up: list[AskedName], names: list[AskedName], log: pathlib.Path
) -> tuple[PathResult, float]:
    """(b): the skill server in its own process, one connection, one request at a time;
    and the server's start-up time."""
    headers = {"Content-Type": "application/json"}
    with SkillServerProcess(serving_file, log, PROGRAM) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)

        def ask(name: AskedName) -> tuple[float, bool]:
            body = skill_body(name.text)
            started = time.perf_counter()
            try:
                connection.request("POST", "/skill", body, headers)
                reply = connection.getresponse()
                status, payload = reply.status, reply.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                raise BadReply(type(error).__name__) from error
            elapsed = time.perf_counter() - started
            return elapsed, read_reply(status, payload)

        result = timed_path(
            "http",
            "(b) skill server over HTTP (uvicorn subprocess), one connection",
            ask,
            warm_up,
            names,
        )
        connection.close()
    return result, server.startup_seconds


def lambda_environment(serving_file: str) -> dict[str, str]:
    return {
        **environment_without_token(),
        "SERVING_FILE_URI": serving_file,
        "SERVING_FILE_CHECK_SECONDS": LAMBDA_CHECK_SECONDS,
    }


def lambda_path(
    serving_file: str, warm_up: list[AskedName], names: list[AskedName], cold_repeats: int
) -> tuple[PathResult, list[float]]:
    """(c): the handler in this process, warm; and its first invocations after reset()."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(lambda_environment(serving_file))
    try:
        from lookup import skill_lambda

        def invoke(name: AskedName) -> tuple[float, bool]:
            event = skill_event(name.text)
            started = time.perf_counter()
            response = skill_lambda.handler(event, None)
            elapsed = time.perf_counter() - started
            return elapsed, read_reply(response["statusCode"], response["body"].encode())

        cold = []
        for _ in range(cold_repeats):
            skill_lambda.reset()
            cold.append(invoke(warm_up[0] if warm_up else names[0])[0])
        result = timed_path(
            "lambda",
            "(c) Lambda handler in-process, API Gateway proxy events, warm",
            invoke,
            warm_up,
            names,
        )
        skill_lambda.reset()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return result, cold


def fresh_starts(serving_file: str, name: AskedName, repeats: int) -> list[FreshStart]:
    """``repeats`` cold starts, each a fresh ``python -c`` importing the handler and
    invoking it once with ``name``, started by the launcher (wall time, peak RSS)."""
    event = json.dumps(skill_event(name.text))
    starts = []
    with tempfile.TemporaryDirectory() as folder:
        result_file = pathlib.Path(folder) / "timing.json"
        for _ in range(repeats):
            command = [sys.executable, "-c", FRESH_PROCESS, event]
            completed = subprocess.run(
                [sys.executable, "-c", LAUNCHER, str(result_file), *command],
                cwd=PROJECT_ROOT,
                env=lambda_environment(serving_file),
                capture_output=True,
                text=True,
                check=False,
            )
            timing = json.loads(result_file.read_text()) if result_file.exists() else {}
            if completed.returncode != 0 or timing.get("exit") != 0:
                raise SystemExit(
                    f"{PROGRAM}: the fresh handler process failed:\n{completed.stderr}"
                )
            inside = json.loads(completed.stdout.strip().splitlines()[-1])
            starts.append(
                FreshStart(
                    wall_seconds=timing["wall"],
                    import_seconds=inside["import_seconds"],
                    invocation_seconds=inside["invocation_seconds"],
                    peak_rss_mb=timing["maxrss_kb"] / 1024,
                    status=inside["status"],
                )
            )
    return starts


def measure(
    label: str,
    database: str | None,
    serving_file: str,
    arguments: argparse.Namespace,
    log: pathlib.Path,
) -> LatencyResult:
    """Every path asked for, on one warehouse (see the module docstring)."""
    artists = (
        artists_from_warehouse(database) if database else artists_from_serving_file(serving_file)
    )
    names = draw_names(artists, arguments.names, arguments.seed, arguments.mix)
    warm_up = draw_names(artists, arguments.warm_up, arguments.seed + 1, arguments.mix)
    result = LatencyResult(
        label=label,
        database=database,
        serving_file=serving_file,
        artists=len(artists),
        names=len(names),
        warm_up=len(warm_up),
        seed=arguments.seed,
        mix=arguments.mix,
        kinds=count_kinds(names),
        started_at=dt_module.datetime.now(dt_module.UTC).isoformat(timespec="seconds"),
        cores=os.cpu_count() or 0,
        load_before=os.getloadavg()[0],
    )
    if "library" in arguments.paths and database:
        progress(f"{label}: (a) library, {len(names):,} names")
        path, result.index_build_seconds = library_path(database, warm_up, names)
        result.paths.append(path)
    if "http" in arguments.paths:
        progress(f"{label}: (b) skill server over HTTP, {len(names):,} names")
        path, result.server_startup_seconds = http_path(serving_file, warm_up, names, log)
        result.paths.append(path)
    if "lambda" in arguments.paths:
        progress(f"{label}: (c) Lambda handler in-process, {len(names):,} names")
        path, result.cold_in_process_seconds = lambda_path(
            serving_file, warm_up, names, arguments.cold_repeats
        )
        result.paths.append(path)
        if arguments.fresh_repeats:
            progress(f"{label}: (c) cold start in a fresh process x{arguments.fresh_repeats}")
            found = next((name for name in names if name.kind == "exact"), names[0])
            result.fresh_starts = fresh_starts(serving_file, found, arguments.fresh_repeats)
    result.load_after = os.getloadavg()[0]
    return result


def report(result: LatencyResult) -> str:
    """Markdown: the set-up, the warm answer times per path, the cold starts."""
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in result.kinds.items())
    lines = [
        f"### Answer time: {result.label}, {result.artists:,} artists",
        "",
        f"{result.started_at}, {result.cores} cores, load average {result.load_before:.2f} "
        f"before and {result.load_after:.2f} after; "
        + (f"warehouse {result.database}, " if result.database else "")
        + f"serving file {result.serving_file}. {result.names:,} names ({kinds}; mix "
        f"{describe_mix(result.mix)}, seed {result.seed}) after {result.warm_up:,} warm-up "
        "names, each timed on its own; nearest-rank percentiles.",
        "",
        "| path (warm) | p50 (ms) | p99 (ms) | max (ms) | found p50 / p99 (ms) | "
        '"did you mean" p50 / p99 (ms) | errors | unexpected | p99 < 50 ms |',
        "|---|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for path in result.paths:
        errors = sum(path.errors.values())
        lines.append(
            f"| {path.description} | {milliseconds(path.latency.p50_ms)} | "
            f"{milliseconds(path.latency.p99_ms)} | {milliseconds(path.latency.max_ms)} | "
            f"{milliseconds(path.latency_found.p50_ms)} / "
            f"{milliseconds(path.latency_found.p99_ms)} | "
            f"{milliseconds(path.latency_fuzzy.p50_ms)} / "
            f"{milliseconds(path.latency_fuzzy.p99_ms)} | {errors:,} | {path.unexpected:,} | "
            f"{'yes' if path.meets_goal else '**no**'} |"
        )
    lines += [
        "",
        "| cold start | runs | min (ms) | median (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|",
    ]

    def row(label: str, seconds: list[float]) -> None:
        if seconds:
            values = [value * 1000 for value in seconds]
            lines.append(
                f"| {label} | {len(values)} | {milliseconds(min(values))} | "
                f"{milliseconds(statistics.median(values))} | {milliseconds(max(values))} |"
            )

    if result.index_build_seconds is not None:
        row(
            "(a) `ServingIndex.from_warehouse` (the index, once a command)",
            [result.index_build_seconds],
        )
    if result.server_startup_seconds is not None:
        row(
            "(b) `spotify-related serve`: start until /healthz answers",
            [result.server_startup_seconds],
        )
    row("(c) handler: first invocation after `reset()`, in-process", result.cold_in_process_seconds)
    starts = result.fresh_starts
    row("(c) fresh process `python -c`: wall (launcher)", [start.wall_seconds for start in starts])
    row("  of which `import lookup.skill_lambda`", [start.import_seconds for start in starts])
    row("  of which the first invocation", [start.invocation_seconds for start in starts])
    if starts:
        peaks = [start.peak_rss_mb for start in starts]
        lines.append(
            f"| (c) fresh process: peak RSS (MB) | {len(peaks)} | {min(peaks):.0f} | "
            f"{statistics.median(peaks):.0f} | {max(peaks):.0f} |"
        )
    return "\n".join(lines)


def progress(message: str) -> None:
    print(f"[{PROGRAM}] {message}", file=sys.stderr, flush=True)


def count(value: str, minimum: int) -> int:
    number = int(value)
    if number < minimum:
        raise argparse.ArgumentTypeError(f"expected {minimum} or more, got {value!r}")
    return number


def path_list(value: str) -> tuple[str, ...]:
    paths = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [path for path in paths if path not in PATHS]
    if unknown or not paths:
        raise argparse.ArgumentTypeError(f"paths are some of {', '.join(PATHS)}: {value!r}")
    return paths


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="the DuckDB warehouse (fct_artist_recommendations)")
    parser.add_argument(
        "--serving-file", help="its serving file (default: exported from --db into a temp folder)"
    )
    parser.add_argument("--label", help="the warehouse's name in the report (default: the file's)")
    parser.add_argument("--names", type=lambda value: count(value, 1), default=1000)
    parser.add_argument("--warm-up", type=lambda value: count(value, 1), default=100)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--mix",
        type=parse_mix,
        default=DEFAULT_MIX,
        help="shares of each kind of name, e.g. exact=0.5,folded=0.2,alias=0.1,misspelt=0.15,"
        "unknown=0.05 (the default)",
    )
    parser.add_argument(
        "--paths", type=path_list, default=PATHS, help="some of library,http,lambda (default all)"
    )
    parser.add_argument("--cold-repeats", type=lambda value: count(value, 0), default=5)
    parser.add_argument("--fresh-repeats", type=lambda value: count(value, 0), default=3)
    parser.add_argument("--json", type=pathlib.Path, help="also write the figures here")
    arguments = parser.parse_args(argv)
    if not arguments.db and not arguments.serving_file:
        parser.error("give --db (a DuckDB warehouse), --serving-file, or both")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    for path in (arguments.db, arguments.serving_file):
        if path and not os.path.isfile(path):
            print(f"{PROGRAM}: no file at {path}", file=sys.stderr)
            return 2
    label = arguments.label or pathlib.Path(arguments.db or arguments.serving_file).stem
    with tempfile.TemporaryDirectory(prefix="answer-latency-") as folder:
        serving_file = arguments.serving_file
        if not serving_file:
            serving_file = str(pathlib.Path(folder) / "artist_recommendations.parquet")
            progress(f"{label}: exporting the serving file of {arguments.db}")
            export_serving_file(arguments.db, serving_file, PROGRAM)
        result = measure(
            label, arguments.db, serving_file, arguments, pathlib.Path(folder) / "server.log"
        )
        if not arguments.serving_file:
            result.serving_file = f"exported from {arguments.db}"
    print(report(result))
    if arguments.json:
        arguments.json.write_text(json.dumps(result.as_dict(), indent=2) + "\n")
    failed = any(path.errors for path in result.paths) or any(
        start.status != 200 for start in result.fresh_starts
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
