"""Run this project's dbt from tests: isolated target folders, profiles from the example.

Every call gets its own ``--target-path`` and log path, so tests never share dbt state
with each other or with a developer's ``target/``. The profile is the committed
``profiles.example.yml`` (copied into a temporary profiles folder), so the tests exercise
what users run.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import yaml

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE_PARQUET = PROJECT_ROOT / "data" / "tidytuesday" / "spotify_songs.parquet"
SUBSET_CSV = PROJECT_ROOT / "tests" / "python" / "fixtures" / "spotify_songs_subset.csv"
DBT_EXECUTABLE = pathlib.Path(sys.executable).with_name("dbt")


def default_similarity_features() -> list[str]:
    """The ``similarity_features`` var as dbt_project.yml sets it."""
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    return list(project["vars"]["similarity_features"])


@dataclass(frozen=True)
class DbtWorkspace:
    """Where one test's dbt invocations keep their state and read their data."""

    root: pathlib.Path
    lake_uri: str
    duckdb_path: pathlib.Path

    @classmethod
    def create(cls, root: pathlib.Path, lake_uri: str | None = None) -> DbtWorkspace:
        root.mkdir(parents=True, exist_ok=True)
        profiles = root / "profiles"
        profiles.mkdir(exist_ok=True)
        shutil.copy(PROJECT_ROOT / "profiles.example.yml", profiles / "profiles.yml")
        return cls(
            root=root,
            lake_uri=lake_uri or str(root / "lake"),
            duckdb_path=root / "warehouse.duckdb",
        )

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        environment = dict(os.environ)
        environment.update(
            {
                "LAKE_URI": self.lake_uri,
                "DUCKDB_PATH": str(self.duckdb_path),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DBT_LOG_PATH": str(self.root / "logs"),
            }
        )
        environment.update(extra or {})
        return environment

    def command(
        self,
        arguments: Sequence[str],
        *,
        target: str = "duckdb",
        target_path: pathlib.Path | None = None,
    ) -> list[str]:
        """The command line of ``dbt <arguments> --target <target>`` in this workspace."""
        return [
            str(DBT_EXECUTABLE),
            *arguments,
            "--target",
            target,
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(self.root / "profiles"),
            "--target-path",
            str(target_path or self.root / f"target-{target}"),
        ]

    def dbt(
        self,
        arguments: Sequence[str],
        *,
        target: str = "duckdb",
        target_path: pathlib.Path | None = None,
        extra_environment: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``dbt <arguments> --target <target>`` in the project; raise with its output."""
        result = subprocess.run(
            self.command(arguments, target=target, target_path=target_path),
            cwd=self.root,
            env=self.environment(extra_environment),
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(arguments)} failed ({result.returncode}):\n"
                f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
            )
        return result
