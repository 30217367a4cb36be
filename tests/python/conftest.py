"""Shared fixtures for the Python tests: the repository root, an in-process CLI runner,
the sample warehouse and its generated docs site, and moto's S3 server (``s3_environment``,
tests/python/moto_s3.py)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from extract import cli
from extract.cli import main as extract_main
from tests.python.dbt_runner import SAMPLE_PARQUET, DbtWorkspace
from tests.python.moto_s3 import s3_environment  # noqa: F401 (a fixture, shared from here)

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CliResult:
    """What one ``spotify-extract`` run returned and printed."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def repo_root() -> Path:
    """The repository root (the folder holding pyproject.toml)."""
    return REPO_ROOT


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[[Sequence[str]], CliResult]:
    """Run ``spotify-extract`` in-process with the given arguments and capture its output.

    An argparse error (``SystemExit``) is returned as its exit code, like a real run.
    """

    def run(arguments: Sequence[str]) -> CliResult:
        capsys.readouterr()
        try:
            exit_code = cli.main([str(argument) for argument in arguments])
        except SystemExit as error:
            exit_code = error.code if isinstance(error.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(exit_code=exit_code, stdout=captured.out, stderr=captured.err)

    return run


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtWorkspace:
    """The committed sample imported and built with `dbt build` (every dbt test), once for
    the session: the tests that read it (test_pipeline.py, test_skill_server.py) never
    write to it."""
    workspace = DbtWorkspace.create(tmp_path_factory.mktemp("sample"))
    exit_code = extract_main(
        [
            "dataset",
            str(SAMPLE_PARQUET),
            "--lake",
            workspace.lake_uri,
            "--dt",
            "2026-11-24",
            "--name",
            "tidytuesday",
        ]
    )
    assert exit_code == 0
    started = time.perf_counter()
    result = workspace.dbt(["build"])
    elapsed = time.perf_counter() - started
    print(f"\ndbt build of the sample (import excluded): {elapsed:.1f} s")
    assert "ERROR=0" in result.stdout
    return workspace


@pytest.fixture(scope="session")
def sample_docs_site(sample_warehouse: DbtWorkspace) -> Path:
    """`dbt docs generate` over the built sample, once for the session: the folder holding
    the site (index.html), manifest.json and catalog.json. Tests read it, never write it."""
    target = sample_warehouse.root / "docs-site"
    sample_warehouse.dbt(["docs", "generate"], target_path=target)
    assert (target / "catalog.json").is_file()
    return target
