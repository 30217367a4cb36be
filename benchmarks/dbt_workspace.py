"""Run this project's dbt from a benchmark: one folder holding a lake, a DuckDB file and
dbt's state (profiles, target, logs), so benchmarks never touch a developer's ``target/``.

The profile is the committed ``profiles.example.yml``, optionally with DuckDB's own thread
count set (``settings: {threads: N}``; the profile's ``threads`` is dbt's, not DuckDB's).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from dataclasses import dataclass

import yaml

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
DBT = pathlib.Path(sys.executable).with_name("dbt")


def write_profiles(
    project_dir: pathlib.Path, folder: pathlib.Path, duckdb_threads: int | None = None
) -> pathlib.Path:
    """``folder``/profiles.yml: the project's profiles.example.yml, with DuckDB's own thread
    count set to ``duckdb_threads`` when given."""
    profiles = yaml.safe_load((project_dir / "profiles.example.yml").read_text())
    if duckdb_threads is not None:
        for profile in profiles.values():
            output = profile["outputs"]["duckdb"]
            output["settings"] = {**(output.get("settings") or {}), "threads": duckdb_threads}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profiles.yml"
    path.write_text(yaml.safe_dump(profiles, sort_keys=False))
    return path


@dataclass(frozen=True)
class DbtWorkspace:
    """Where one benchmark's dbt invocations read their lake and keep their state."""

    root: pathlib.Path
    lake: pathlib.Path
    project_dir: pathlib.Path = PROJECT_ROOT

    @property
    def database(self) -> pathlib.Path:
        return self.root / "warehouse.duckdb"

    @property
    def target(self) -> pathlib.Path:
        return self.root / "target"

    def write_profiles(self, duckdb_threads: int | None = None) -> pathlib.Path:
        """profiles.yml from the project's example, DuckDB set to ``duckdb_threads``."""
        return write_profiles(self.project_dir, self.root / "profiles", duckdb_threads)

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "LAKE_URI": str(self.lake),
            "DUCKDB_PATH": str(self.database),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_LOG_PATH": str(self.root / "logs"),
        }

    def dbt_command(self, *arguments: str) -> list[str]:
        """``dbt <arguments>`` on DuckDB, with this workspace's profiles and target."""
        return [
            str(DBT),
            *arguments,
            "--target",
            "duckdb",
            "--project-dir",
            str(self.project_dir),
            "--profiles-dir",
            str(self.root / "profiles"),
            "--target-path",
            str(self.target),
        ]

    def dbt(self, *arguments: str, program: str) -> str:
        """Run dbt to completion and return its output; a failure ends ``program`` with
        the tail of dbt's output."""
        result = subprocess.run(
            self.dbt_command(*arguments),
            cwd=self.root,
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(
                f"{program}: dbt {' '.join(arguments[:3])} failed:\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
            )
        return result.stdout
