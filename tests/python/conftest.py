"""Shared fixtures for the Python tests: the repository root and an in-process CLI runner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from extract import cli

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
