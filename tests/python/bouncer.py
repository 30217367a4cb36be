"""Run one of the project's dbt-bouncer configurations from the tests, on given artifacts.

dbt-bouncer.yml (the manifest rules, `make metalint`) and dbt-bouncer-catalog.yml (the
catalog rules) are run as the command line runs them, on copies of the artifacts that a
test may have broken, with the configuration's folders pointed at the copies.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.python.dbt_runner import PROJECT_ROOT

DBT_BOUNCER = Path(sys.executable).with_name("dbt-bouncer")


def failed_checks(
    tmp_path: Path, config: str, artifacts: Mapping[str, Any], check: str | None = None
) -> set[tuple[str, str]]:
    """Run the rules of `config` (a file in the project root; only the `check` ones, if
    given) on `artifacts` (`{"manifest": ..., "catalog": ...}`, each written as
    `<name>.json`); what fails, as (check, resource) with the resource as dbt-bouncer names
    it (a unique_id's last part; `<source>_<table>` for a source table)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, artifact in artifacts.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(artifact))
    settings = yaml.safe_load((PROJECT_ROOT / config).read_text())
    settings["dbt_artifacts_dir"] = str(tmp_path)
    settings["custom_checks_dir"] = str(PROJECT_ROOT / settings["custom_checks_dir"])
    config_file = tmp_path / config
    config_file.write_text(yaml.safe_dump(settings))
    results = tmp_path / "results.json"
    run = subprocess.run(
        [
            str(DBT_BOUNCER),
            "run",
            "--config-file",
            str(config_file),
            *(["--check", check] if check else []),
            "--output-file",
            str(results),
            "--output-format",
            "json",
            "--output-only-failures",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode in (0, 1), run.stdout[-3000:] + run.stderr[-3000:]
    failures = json.loads(results.read_text())
    assert (run.returncode == 1) == bool(failures), run.stdout[-3000:]
    checks = set()
    for failure in failures:
        name, _index, resource = failure["check_run_id"].split(":", 2)
        checks.add((name, resource))
    assert check is None or {name for name, _ in checks} <= {check}
    return checks


def assert_rule_catches(
    tmp_path: Path,
    config: str,
    artifacts: dict[str, Any],
    check: str,
    breakage: Callable[[dict[str, Any]], None],
    failing: set[str],
) -> None:
    """The `check` rules of `config` pass `artifacts` as they are, and fail a copy broken by
    `breakage` on exactly the `failing` resources."""
    as_they_are = failed_checks(tmp_path / "as-they-are", config, artifacts, check)
    assert as_they_are == set()
    broken = json.loads(json.dumps(artifacts))
    breakage(broken)
    failed = failed_checks(tmp_path / "broken", config, broken, check)
    assert {resource for _, resource in failed} == failing
