"""The skill server as the benchmarks run it: ``spotify-related serve`` in its own process
on a free port of 127.0.0.1, its memory and CPU read from ``/proc/<pid>``, its log kept in
a file; and ``spotify-related export`` to write a serving file from a DuckDB warehouse.

The server logs one line per request with its own handling time ("skill request answered
(name) in 1.2 ms"), the time inside the app, without the HTTP parsing or any queueing: the
benchmarks read it back as the server-side time.
"""

from __future__ import annotations

import http.client
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time

SPOTIFY_RELATED = pathlib.Path(sys.executable).with_name("spotify-related")
STARTUP_TIMEOUT_SECONDS = 300
REQUEST_LOG_LINE = re.compile(r"skill request (.+?) in ([0-9.]+) ms")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def export_serving_file(database: str, destination: str, program: str) -> None:
    """``spotify-related export --db DATABASE --to DESTINATION``; a failure ends
    ``program`` with the command's message."""
    result = subprocess.run(
        [str(SPOTIFY_RELATED), "export", "--db", database, "--to", destination],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{program}: export failed: {result.stderr.strip()}")


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment_without_token() -> dict[str, str]:
    """This environment without ``SKILL_AUTH_TOKEN`` (the benchmarks send no token)."""
    return {name: value for name, value in os.environ.items() if name != "SKILL_AUTH_TOKEN"}


def proc_status_mb(pid: int, field: str) -> float:
    """A memory line of ``/proc/<pid>/status`` (VmRSS, VmHWM) in MB."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no {field} in /proc/{pid}/status")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far (``/proc/<pid>/stat``)."""
    stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the command's name: state is field 3 of stat(5), utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class SkillServerProcess:
    """``spotify-related serve --serving-file FILE`` on a free port, until ``stop``."""

    def __init__(self, serving_file: str, log_path: pathlib.Path, program: str) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.program = program
        self.log = log_path.open("w")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                str(SPOTIFY_RELATED),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--serving-file",
                serving_file,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=environment_without_token(),
        )
        self.wait_until_healthy()
        self.startup_seconds = time.perf_counter() - started

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise SystemExit(
                    f"{self.program}: the skill server exited ({self.process.returncode}):\n"
                    + self.log_path.read_text()[-2000:]
                )
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise SystemExit(f"{self.program}: the skill server did not start in time")

    def rss_mb(self) -> float:
        return proc_status_mb(self.pid, "VmRSS")

    def peak_rss_mb(self) -> float:
        return proc_status_mb(self.pid, "VmHWM")

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def log_lines(self) -> list[str]:
        self.log.flush()
        return self.log_path.read_text(errors="replace").splitlines()

    def server_times_ms(self, after_line: int = 0) -> list[float]:
        """The handling time of each request the server logged, after line ``after_line``."""
        times = []
        for line in self.log_lines()[after_line:]:
            found = REQUEST_LOG_LINE.search(line)
            if found:
                times.append(float(found.group(2)))
        return times

    def stop(self) -> None:
        """Stop the server (SIGTERM, uvicorn's graceful shutdown; SIGKILL after 10 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self) -> SkillServerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
