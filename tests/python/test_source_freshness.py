"""`dbt source freshness` on the lake: the sources' `loaded_at_field` (extracted_at) against
their thresholds (warn after 2 days, error after 8; models/staging/spotify/_spotify__sources.yml).

A lake imported just now passes; one last extracted 3 days ago warns, and the command still
exits 0; one last extracted 30 days ago is an error and the command exits 1. Each table's
status is read from the sources.json the command writes.
"""

from __future__ import annotations

import datetime as dt_module
import json
from pathlib import Path

import pytest

from extract.cli import main as extract_main
from tests.python.dbt_runner import SUBSET_CSV, DbtWorkspace
from tests.python.synthetic_lake import write_synthetic_lake

SOURCE_TABLES = {"artists", "top_tracks", "audio_features"}


def freshness(workspace: DbtWorkspace) -> tuple[int, dict[str, str]]:
    """Exit code of `dbt source freshness` and each source table's status."""
    target = workspace.root / "freshness"
    result = workspace.dbt(["source", "freshness"], target_path=target, check=False)
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    results = json.loads((target / "sources.json").read_text())["results"]
    statuses = {entry["unique_id"].rsplit(".", 1)[1]: entry["status"] for entry in results}
    return result.returncode, statuses


def test_a_lake_imported_now_is_fresh(tmp_path: Path) -> None:
    workspace = DbtWorkspace.create(tmp_path)
    arguments = ["dataset", str(SUBSET_CSV), "--lake", workspace.lake_uri, "--name", "subset"]
    assert extract_main(arguments) == 0
    assert freshness(workspace) == (0, dict.fromkeys(SOURCE_TABLES, "pass"))


@pytest.mark.parametrize(
    ("days_old", "exit_code", "status"),
    [(3, 0, "warn"), (30, 1, "error")],
    ids=["past-warn-threshold", "past-error-threshold"],
)
def test_an_old_lake_warns_then_fails(
    tmp_path: Path, days_old: int, exit_code: int, status: str
) -> None:
    workspace = DbtWorkspace.create(tmp_path)
    extracted_at = dt_module.datetime.now(dt_module.UTC) - dt_module.timedelta(days=days_old)
    write_synthetic_lake(
        workspace.lake_uri,
        {"old-artist": {"energy": 0.4}},
        dt=extracted_at.date().isoformat(),
        extracted_at=extracted_at,
    )
    assert freshness(workspace) == (exit_code, dict.fromkeys(SOURCE_TABLES, status))
