"""Time a command as a whole process: its wall time and its own peak RSS.

The command is started by a small launcher process (``LAUNCHER``) that waits for it with
``os.wait4`` and writes the wall time, the peak RSS and the exit code to a file. Linux
carries a process's peak RSS across fork and exec, so a child started directly by a large
benchmark process would report at least that process's own peak; a child of the launcher
starts from ~12 MB.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
from dataclasses import dataclass


@dataclass
class Measurement:
    """One timed whole process."""

    wall_seconds: float
    peak_rss_mb: float
    load_average: float


# Runs the command given after the result file and writes its wall time, peak RSS and exit
# code there (why a launcher: see the module docstring).
LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
elapsed = time.perf_counter() - started
with open(sys.argv[1], "w") as result:
    json.dump({"wall": elapsed, "maxrss_kb": usage.ru_maxrss,
               "exit": os.waitstatus_to_exitcode(status)}, result)
"""


def timed(
    command: list[str], environment: dict[str, str], cwd: pathlib.Path, program: str
) -> Measurement:
    """Run ``command`` to completion; its wall time and peak RSS (its own rusage, through
    the small LAUNCHER process so that this process's memory does not count). A failure
    ends ``program`` with the tail of the command's output."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        result_file = pathlib.Path(folder) / "timing.json"
        process = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(result_file), *command],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        timing = json.loads(result_file.read_text()) if result_file.exists() else {"exit": -1}
    if process.returncode != 0 or timing["exit"] != 0:
        tail = process.stdout.decode(errors="replace")[-4000:]
        raise SystemExit(f"{program}: {' '.join(command[:3])} failed:\n{tail}")
    return Measurement(timing["wall"], timing["maxrss_kb"] / 1024, load)
