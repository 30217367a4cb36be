"""The metadata rules (dbt-bouncer.yml, `make metalint`) can fail.

The project is parsed once; each test breaks one fact in a copy of its manifest (a stripped
description, a mart made protected, a source read by a mart, ...) and runs the one rule that
guards it with the project's own configuration: the untouched manifest passes that rule and
the broken one fails it, naming the resource.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.python.bouncer import assert_rule_catches, failed_checks
from tests.python.dbt_runner import DbtWorkspace

PROJECT = "spotify_warehouse"
SEED = "dbt_project_evaluator_exceptions"
Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    workspace = DbtWorkspace.create(tmp_path_factory.mktemp("metadata-rules"))
    workspace.dbt(["parse"])
    return json.loads((workspace.root / "target-duckdb" / "manifest.json").read_text())


def failing_resources(tmp_path: Path, manifest: Manifest, check: str) -> set[str]:
    """Run the `check` rules of dbt-bouncer.yml on `manifest`; what fails, by unique_id's
    last part (`<source>_<table>` for a source table)."""
    failed = failed_checks(tmp_path, "dbt-bouncer.yml", {"manifest": manifest}, check)
    return {resource for _, resource in failed}


def model(manifest: Manifest, name: str) -> dict[str, Any]:
    return manifest["nodes"][f"model.{PROJECT}.{name}"]


def strip_description(manifest: Manifest) -> None:
    model(manifest, "dim_artists")["description"] = ""


def strip_column_description(manifest: Manifest) -> None:
    model(manifest, "fct_artist_tracks")["columns"]["track_name"]["description"] = " "


def drop_grain_test(manifest: Manifest) -> None:
    manifest["nodes"] = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if not unique_id.startswith(f"test.{PROJECT}.unique_combination_of_columns_stg_spotify__")
    }


def drop_not_null_of_key(manifest: Manifest) -> None:
    # `unique` alone is no grain test: a key may not be null either.
    manifest["nodes"] = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if not unique_id.startswith(f"test.{PROJECT}.not_null_dim_artists_artist_id.")
    }


def misname_mart(manifest: Manifest) -> None:
    model(manifest, "dim_artists")["name"] = "artists"


def make_mart_protected(manifest: Manifest) -> None:
    model(manifest, "dim_artists")["access"] = "protected"


def make_answers_mart_protected(manifest: Manifest) -> None:
    model(manifest, "fct_artist_recommendations")["access"] = "protected"


def read_source_in_mart(manifest: Manifest) -> None:
    mart = model(manifest, "dim_artists")
    mart["depends_on"]["nodes"].append(f"source.{PROJECT}.spotify.artists")


def join_in_staging(manifest: Manifest) -> None:
    staging = model(manifest, "stg_spotify__top_tracks")
    staging["depends_on"]["nodes"].append(f"model.{PROJECT}.stg_spotify__artists")


def strip_source_column(manifest: Manifest) -> None:
    source = manifest["sources"][f"source.{PROJECT}.spotify.top_tracks"]
    source["columns"]["track_rank"]["description"] = ""


def drop_loaded_at_field(manifest: Manifest) -> None:
    manifest["sources"][f"source.{PROJECT}.spotify.artists"]["loaded_at_field"] = None


def undeclare_seed_column(manifest: Manifest) -> None:
    seed = manifest["nodes"][f"seed.{PROJECT}.{SEED}"]
    del seed["columns"]["comment"]


@pytest.mark.parametrize(
    ("check", "breakage", "failing"),
    [
        ("check_model_description_populated", strip_description, "dim_artists"),
        ("check_model_columns_have_descriptions", strip_column_description, "fct_artist_tracks"),
        ("check_model_grain_tested", drop_grain_test, "stg_spotify__top_tracks"),
        ("check_model_grain_tested", drop_not_null_of_key, "dim_artists"),
        ("check_model_names", misname_mart, "dim_artists"),
        ("check_model_access", make_mart_protected, "dim_artists"),
        (
            "check_exposure_based_on_non_public_models",
            make_answers_mart_protected,
            {"lookup", "serving_file", "skill_server", "skill_lambda"},
        ),
        ("check_lineage_source_cannot_be_used", read_source_in_mart, "dim_artists"),
        ("check_lineage_permitted_upstream_models", join_in_staging, "stg_spotify__top_tracks"),
        ("check_source_columns_have_descriptions", strip_source_column, "spotify_top_tracks"),
        ("check_source_loaded_at_field_populated", drop_loaded_at_field, "spotify_artists"),
        ("check_seed_columns_documented", undeclare_seed_column, SEED),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_a_broken_fact_fails_its_rule(
    tmp_path: Path,
    manifest: Manifest,
    check: str,
    breakage: Callable[[Manifest], None],
    failing: str | set[str],
) -> None:
    assert_rule_catches(
        tmp_path,
        "dbt-bouncer.yml",
        {"manifest": manifest},
        check,
        lambda artifacts: breakage(artifacts["manifest"]),
        failing if isinstance(failing, set) else {failing},
    )


def only_macros(manifest: Manifest, macros: dict[str, dict[str, Any]]) -> Manifest:
    """A copy of `manifest` whose project macros are `macros` (name: overrides) alone."""
    copy = json.loads(json.dumps(manifest))
    project_macros = {
        unique_id: macro
        for unique_id, macro in copy["macros"].items()
        if macro["package_name"] == PROJECT
    }
    for unique_id in project_macros:
        del copy["macros"][unique_id]
    for name, overrides in macros.items():
        copy["macros"][f"macro.{PROJECT}.{name}"] = {
            **project_macros[f"macro.{PROJECT}.{name}"],
            **overrides,
        }
    return copy


def documented_arguments(*names: str) -> list[dict[str, Any]]:
    return [{"name": name, "description": f"What {name} is.", "type": None} for name in names]


def test_a_macro_needs_a_description_and_each_argument_one(
    tmp_path: Path, manifest: Manifest
) -> None:
    # A generic test: `model` and `column_name` come from dbt, its own arguments need docs.
    described = {"description": "Fails for every row outside a range."}
    runs = itertools.count()

    def failing(overrides: dict[str, Any], name: str = "test_accepted_range") -> set[str]:
        macros = only_macros(manifest, {name: overrides})
        return failing_resources(tmp_path / f"run-{next(runs)}", macros, "check_macro_documented")

    arguments = ("min_value", "max_value", "inclusive")
    assert failing({"description": "", "arguments": []}) == {"test_accepted_range"}
    assert failing({**described, "arguments": []}) == {"test_accepted_range"}
    partly = {**described, "arguments": documented_arguments(*arguments[:2])}
    assert failing(partly) == {"test_accepted_range"}
    fully = {**described, "arguments": documented_arguments(*arguments)}
    assert failing(fully) == set()
    # A dispatched macro is documented on its dispatcher, not per engine.
    engine_version = next(
        macro["name"]
        for macro in manifest["macros"].values()
        if macro["package_name"] == PROJECT and macro["name"].startswith("duckdb__")
    )
    assert failing({"description": ""}, engine_version) == set()
