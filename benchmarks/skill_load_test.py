"""A bounded local load test of the chat skill server: errors, latency, throughput, memory.

Starts ``spotify-related serve`` as a subprocess on a free port of 127.0.0.1, answering from
a serving file (``--serving-file``, or ``--db`` to export one from a DuckDB warehouse first
into a temporary folder), then sends Kakao skill requests (``POST /skill``) from one aiohttp
client session at ``--concurrency`` connections at once: ``--warm-up`` requests first (not
counted), then ``--requests`` timed ones. The names are drawn from the serving file in the
mix of ``benchmarks/skill_names.py`` (exact, folded, alias, misspelt, unknown; seeded).

Prints a markdown table (``--json PATH`` writes the figures too):

- errors: replies other than HTTP 200 with a skill response in JSON (status, invalid JSON,
  not a skill response, or the connection's error), goal 0; and whether each name got what
  its kind expects (an answer for exact, folded and alias; "did you mean" otherwise);
- latency, client side (from sending to the whole body read, so with any queueing on the
  server's one event loop): p50, p99 and max (nearest-rank), for all the names and split
  into names found and "did you mean" names; the server's own handling time from its log;
- throughput: timed requests / wall time of the timed phase;
- the server process's memory (VmRSS of ``/proc/<pid>/status``): once serving and before
  any request, after the warm-up, the largest seen during the timed phase (sampled every
  0.2 s) and at the end; VmHWM, the process's peak since it started; its CPU time.

Client and server share the machine (2 cores here): the client's own CPU time is printed.

    .venv/bin/python -m benchmarks.skill_load_test --db target/spotify.duckdb
    .venv/bin/python -m benchmarks.skill_load_test \
        --serving-file target/serving/artist_recommendations.parquet --requests 500 --concurrency 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt_module
import json
import os
import pathlib
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

import aiohttp

from benchmarks.latency_stats import LatencySummary, milliseconds
from benchmarks.skill_names import (
    ANSWERED_KINDS,
    DEFAULT_MIX,
    DEFAULT_SEED,
    AskedName,
    artists_from_serving_file,
    count_kinds,
    describe_mix,
    draw_names,
    parse_mix,
)
from benchmarks.skill_requests import BadReply, read_reply, skill_body
from benchmarks.skill_server_process import (
    SkillServerProcess,
    export_serving_file,
    proc_status_mb,
)

PROGRAM = "skill_load_test"
REQUEST_TIMEOUT_SECONDS = 60
MEMORY_SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class Outcome:
    """One request: its latency, and the error or whether it answered."""

    kind: str
    seconds: float
    error: str | None = None
    answered: bool | None = None


@dataclass
class LoadTestResult:
    serving_file: str
    artists: int
    requests: int
    concurrency: int
    warm_up: int
    seed: int
    mix: dict[str, float]
    kinds: dict[str, int]
    started_at: str
    cores: int
    load_before: float
    load_after: float
    server_startup_seconds: float
    errors: dict[str, int]
    unexpected: dict[str, int]
    latency: LatencySummary
    latency_found: LatencySummary
    latency_fuzzy: LatencySummary
    server_side: LatencySummary
    wall_seconds: float
    throughput: float
    server_cpu_seconds: float
    client_cpu_seconds: float
    rss_start_mb: float
    rss_after_warm_up_mb: float
    rss_max_during_mb: float
    rss_end_mb: float
    peak_rss_mb: float
    memory_samples: list[tuple[float, float]] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict:
        document = asdict(self)
        document["error_count"] = self.error_count
        return document


async def send_all(
    port: int, names: list[AskedName], concurrency: int, watch_pid: int | None = None
) -> tuple[list[Outcome], list[tuple[float, float]]]:
    """POST a skill request for every name, ``concurrency`` at a time over one aiohttp
    session; the outcomes in the names' order and, when ``watch_pid`` is given, that
    process's (seconds, VmRSS MB) every MEMORY_SAMPLE_SECONDS meanwhile."""
    url = f"http://127.0.0.1:{port}/skill"
    bodies = [skill_body(name.text) for name in names]
    outcomes: list[Outcome | None] = [None] * len(names)
    pending = iter(range(len(names)))
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)

    async def worker(session: aiohttp.ClientSession) -> None:
        for position in pending:
            kind = names[position].kind
            started = time.perf_counter()
            try:
                async with session.post(url, data=bodies[position], headers=headers) as reply:
                    status, payload = reply.status, await reply.read()
                seconds = time.perf_counter() - started
                outcomes[position] = Outcome(kind, seconds, answered=read_reply(status, payload))
            except BadReply as bad:
                outcomes[position] = Outcome(kind, time.perf_counter() - started, str(bad))
            except (aiohttp.ClientError, TimeoutError) as error:
                outcomes[position] = Outcome(
                    kind, time.perf_counter() - started, type(error).__name__
                )

    samples: list[tuple[float, float]] = []
    done = asyncio.Event()

    async def sample_memory() -> None:
        started = time.perf_counter()
        while not done.is_set():
            samples.append((time.perf_counter() - started, proc_status_mb(watch_pid, "VmRSS")))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), MEMORY_SAMPLE_SECONDS)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        sampler = asyncio.create_task(sample_memory()) if watch_pid else None
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        done.set()
        if sampler:
            await sampler
    return [outcome for outcome in outcomes if outcome is not None], samples


def run_load_test(
    serving_file: str,
    requests: int,
    concurrency: int,
    warm_up: int,
    seed: int,
    mix: dict[str, float],
    log_path: pathlib.Path,
) -> LoadTestResult:
    """Serve ``serving_file``, warm up, send the timed requests and measure (see the module
    docstring)."""
    artists = artists_from_serving_file(serving_file)
    names = draw_names(artists, warm_up + requests, seed, mix)
    warm_up_names, timed_names = names[:warm_up], names[warm_up:]
    load_before = os.getloadavg()[0]
    started_at = dt_module.datetime.now(dt_module.UTC).isoformat(timespec="seconds")
    progress(f"starting the skill server on {serving_file} ({len(artists):,} artists)")
    with SkillServerProcess(serving_file, log_path, PROGRAM) as server:
        rss_start = server.rss_mb()
        progress(f"serving on port {server.port} after {server.startup_seconds:.1f} s")
        if warm_up_names:
            progress(f"warm-up: {len(warm_up_names):,} requests")
            asyncio.run(send_all(server.port, warm_up_names, concurrency))
        rss_after_warm_up = server.rss_mb()
        log_mark = len(server.log_lines())
        cpu_before, client_cpu_before = server.cpu_seconds(), time.process_time()
        progress(f"timed: {len(timed_names):,} requests at {concurrency} connections")
        started = time.perf_counter()
        outcomes, samples = asyncio.run(
            send_all(server.port, timed_names, concurrency, watch_pid=server.pid)
        )
        wall = time.perf_counter() - started
        server_cpu = server.cpu_seconds() - cpu_before
        client_cpu = time.process_time() - client_cpu_before
        rss_end, peak_rss = server.rss_mb(), server.peak_rss_mb()
        server_times = server.server_times_ms(log_mark)
    return LoadTestResult(
        serving_file=serving_file,
        artists=len(artists),
        requests=len(timed_names),
        concurrency=concurrency,
        warm_up=len(warm_up_names),
        seed=seed,
        mix=mix,
        kinds=count_kinds(timed_names),
        started_at=started_at,
        cores=os.cpu_count() or 0,
        load_before=load_before,
        load_after=os.getloadavg()[0],
        server_startup_seconds=server.startup_seconds,
        errors=dict(Counter(outcome.error for outcome in outcomes if outcome.error)),
        unexpected=dict(
            Counter(
                outcome.kind
                for outcome in outcomes
                if outcome.error is None and outcome.answered != (outcome.kind in ANSWERED_KINDS)
            )
        ),
        latency=LatencySummary.of_seconds([outcome.seconds for outcome in outcomes]),
        latency_found=LatencySummary.of_seconds(
            [outcome.seconds for outcome in outcomes if outcome.kind in ANSWERED_KINDS]
        ),
        latency_fuzzy=LatencySummary.of_seconds(
            [outcome.seconds for outcome in outcomes if outcome.kind not in ANSWERED_KINDS]
        ),
        server_side=LatencySummary.of_milliseconds(server_times),
        wall_seconds=wall,
        throughput=len(outcomes) / wall if wall else 0.0,
        server_cpu_seconds=server_cpu,
        client_cpu_seconds=client_cpu,
        rss_start_mb=rss_start,
        rss_after_warm_up_mb=rss_after_warm_up,
        rss_max_during_mb=max((rss for _, rss in samples), default=rss_after_warm_up),
        rss_end_mb=rss_end,
        peak_rss_mb=peak_rss,
        memory_samples=samples,
    )


def report(result: LoadTestResult) -> str:
    """The result as markdown: a heading, the set-up and a table of figures."""

    def latency_row(label: str, summary: LatencySummary) -> str:
        return (
            f"| {label} | {milliseconds(summary.p50_ms)} / {milliseconds(summary.p99_ms)} / "
            f"{milliseconds(summary.max_ms)} ({summary.count:,} requests) |"
        )

    errors = ", ".join(f"{kind}: {count:,}" for kind, count in sorted(result.errors.items()))
    unexpected = ", ".join(
        f"{kind}: {count:,}" for kind, count in sorted(result.unexpected.items())
    )
    answered_ok = result.requests - result.error_count - sum(result.unexpected.values())
    per_request_cpu = result.server_cpu_seconds / result.requests * 1000 if result.requests else 0
    lines = [
        f"### Skill server under load: {result.artists:,} artists",
        "",
        f"{result.started_at}, {result.cores} cores, load average {result.load_before:.2f} "
        f"before and {result.load_after:.2f} after; serving file {result.serving_file}; "
        f"{result.requests:,} requests after {result.warm_up:,} warm-up ones, "
        f"{result.concurrency} connections at once (aiohttp); names: "
        f"{describe_mix(result.mix)} (seed {result.seed}).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| errors (non-200, invalid JSON, not a skill response, connection) | "
        f"{result.error_count:,}{f' ({errors})' if errors else ''} |",
        f"| replies as the name's kind expects (answer / did you mean) | "
        f"{answered_ok:,} of {result.requests:,}{f' (not: {unexpected})' if unexpected else ''} |",
        latency_row("latency p50 / p99 / max, all (ms)", result.latency),
        latency_row("latency p50 / p99 / max, names found (ms)", result.latency_found),
        latency_row('latency p50 / p99 / max, "did you mean" (ms)', result.latency_fuzzy),
        latency_row("server's handling time p50 / p99 / max (ms, its log)", result.server_side),
        f"| throughput (req/s) | {result.throughput:,.0f} ({result.wall_seconds:.1f} s) |",
        f"| server CPU (s) | {result.server_cpu_seconds:.1f} ({per_request_cpu:.1f} ms a "
        f"request); client CPU {result.client_cpu_seconds:.1f} |",
        f"| server RSS at start / after warm-up / max during / end (MB) | "
        f"{result.rss_start_mb:.0f} / {result.rss_after_warm_up_mb:.0f} / "
        f"{result.rss_max_during_mb:.0f} / {result.rss_end_mb:.0f} |",
        f"| server peak RSS since start, VmHWM (MB) | {result.peak_rss_mb:.0f} |",
        f"| server start-up until /healthz answers (s) | {result.server_startup_seconds:.1f} |",
    ]
    return "\n".join(lines)


def progress(message: str) -> None:
    print(f"[{PROGRAM}] {message}", file=sys.stderr, flush=True)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value!r}")
    return number


def not_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value!r}")
    return number


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--serving-file", help="the serving file to serve")
    source.add_argument("--db", help="a DuckDB warehouse: export its serving file first")
    parser.add_argument("--requests", type=positive, default=2000, help="timed requests")
    parser.add_argument("--concurrency", type=positive, default=50, help="connections at once")
    parser.add_argument("--warm-up", type=not_negative, default=200, help="untimed requests")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--mix",
        type=parse_mix,
        default=DEFAULT_MIX,
        help="shares of each kind of name, e.g. exact=0.5,folded=0.2,alias=0.1,misspelt=0.15,"
        "unknown=0.05 (the default)",
    )
    parser.add_argument("--json", type=pathlib.Path, help="also write the figures here")
    parser.add_argument(
        "--server-log", type=pathlib.Path, help="keep the server's log here (default: discarded)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    with tempfile.TemporaryDirectory(prefix="skill-load-test-") as folder:
        serving_file = arguments.serving_file
        if arguments.db:
            serving_file = str(pathlib.Path(folder) / "artist_recommendations.parquet")
            progress(f"exporting the serving file of {arguments.db}")
            export_serving_file(arguments.db, serving_file, PROGRAM)
        if not os.path.isfile(serving_file):
            print(f"{PROGRAM}: no serving file at {serving_file}", file=sys.stderr)
            return 2
        result = run_load_test(
            serving_file,
            arguments.requests,
            arguments.concurrency,
            arguments.warm_up,
            arguments.seed,
            arguments.mix,
            arguments.server_log or pathlib.Path(folder) / "server.log",
        )
        if arguments.db:
            result.serving_file = f"exported from {arguments.db}"
    print(report(result))
    if arguments.json:
        arguments.json.write_text(json.dumps(result.as_dict(), indent=2) + "\n")
    return 0 if result.error_count == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
