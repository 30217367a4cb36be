"""The Athena target compiles offline and every compiled model parses as Athena SQL."""

from __future__ import annotations

import pathlib

import pytest
import sqlglot
from sqlglot.errors import ParseError

from tests.python.dbt_runner import DbtWorkspace


@pytest.fixture(scope="module")
def athena_compiled(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    workspace = DbtWorkspace.create(tmp_path_factory.mktemp("athena"))
    target = workspace.root / "target-athena"
    workspace.dbt(
        ["compile", "--no-populate-cache"],
        target="athena",
        target_path=target,
        # No AWS account: make sure nothing could reach one.
        extra_environment={
            "AWS_ACCESS_KEY_ID": "offline",
            "AWS_SECRET_ACCESS_KEY": "offline",
            "AWS_EC2_METADATA_DISABLED": "true",
        },
    )
    return target / "compiled" / "spotify_warehouse"


def compiled_files(root: pathlib.Path, folder: str) -> list[pathlib.Path]:
    return sorted((root / folder).rglob("*.sql"))


def test_every_model_compiles_for_athena(athena_compiled: pathlib.Path) -> None:
    names = {path.stem for path in compiled_files(athena_compiled, "models")}
    assert {
        "stg_spotify__artists",
        "stg_spotify__top_tracks",
        "stg_spotify__audio_features",
        "int_artists_audio_profiled",
        "dim_artists",
        "fct_related_artists",
        "fct_artist_tracks",
    } <= names


@pytest.mark.parametrize("folder", ["models", "tests"])
def test_compiled_sql_parses_with_sqlglot_athena(
    athena_compiled: pathlib.Path, folder: str
) -> None:
    failures = []
    files = compiled_files(athena_compiled, folder)
    assert files
    for path in files:
        try:
            sqlglot.parse(path.read_text(), read="athena")
        except ParseError as error:
            failures.append(f"{path.name}: {error}")
    assert failures == []


def test_athena_mart_uses_the_rank_filter(athena_compiled: pathlib.Path) -> None:
    [mart] = [
        path
        for path in compiled_files(athena_compiled, "models")
        if path.stem == "fct_related_artists"
    ]
    sql = mart.read_text().lower()
    assert "row_number() over" in sql
    assert "min_by" not in sql
    assert "struct_pack" not in sql
