"""The catalog rules (dbt-bouncer-catalog.yml) hold on the built sample and can fail.

They compare the columns each built relation has (catalog.json, from `dbt docs generate`)
with the columns its yml documents (manifest.json), so they need the sample built
(`sample_docs_site`). The project's own artifacts pass every rule; then each test breaks one
fact in a copy of them (a column dropped from a model's yml, a yml column the relation does
not have, a stripped description, ...) and runs the one rule that guards it: the untouched
artifacts pass that rule and the broken ones fail it, naming the resource.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.metadata_rules.docs_coverage import Coverage
from tests.python.bouncer import assert_rule_catches, failed_checks
from tests.python.test_metadata_rules import PROJECT, Manifest

pytestmark = pytest.mark.slow

ALIASES = f"seed.{PROJECT}.artist_aliases"
ARTISTS = f"source.{PROJECT}.spotify.artists"
Artifacts = dict[str, Any]


@pytest.fixture(scope="module")
def artifacts(sample_docs_site: Path) -> Artifacts:
    """The sample's manifest.json and catalog.json, as `{"manifest": ..., "catalog": ...}`."""
    return {
        name: json.loads((sample_docs_site / f"{name}.json").read_text())
        for name in ("manifest", "catalog")
    }


def failures(tmp_path: Path, artifacts: Artifacts, check: str | None = None) -> set[str]:
    """Run dbt-bouncer-catalog.yml's rules (only the `check` ones, if given) on `artifacts`;
    what fails, as `<check>:<resource>` (a source table's resource is `<source>_<table>`)."""
    failed = failed_checks(tmp_path, "dbt-bouncer-catalog.yml", artifacts, check)
    return {f"{name}:{resource}" for name, resource in failed}


def model(manifest: Manifest, name: str) -> dict[str, Any]:
    return manifest["nodes"][f"model.{PROJECT}.{name}"]


def as_on_athena(artifacts: Artifacts) -> None:
    """Give the catalog the `spotify.artists` source table with the yml's columns, as
    dbt-athena would list the raw schema's Glue table (on DuckDB no source is listed)."""
    source = artifacts["manifest"]["sources"][ARTISTS]
    artifacts["catalog"]["sources"][ARTISTS] = {
        "metadata": {
            "type": "EXTERNAL_TABLE",
            "schema": source["schema"],
            "name": source["identifier"],
            "database": source["database"],
            "comment": None,
            "owner": None,
        },
        "columns": {
            name: {"type": "varchar", "index": index, "name": name, "comment": None}
            for index, name in enumerate(source["columns"], start=1)
        },
        "stats": {
            "has_stats": {
                "id": "has_stats",
                "label": "Has Stats?",
                "value": False,
                "include": False,
                "description": "Indicates whether there are statistics for this table",
            }
        },
        "unique_id": ARTISTS,
    }


def undocument_model_column(artifacts: Artifacts) -> None:
    del model(artifacts["manifest"], "fct_artist_tracks")["columns"]["track_name"]


def document_unbuilt_model_column(artifacts: Artifacts) -> None:
    columns = model(artifacts["manifest"], "dim_artists")["columns"]
    columns["artist_country"] = {**columns["artist_name"], "name": "artist_country"}


def strip_column_description(artifacts: Artifacts) -> None:
    model(artifacts["manifest"], "dim_similarity_features")["columns"]["feature_name"][
        "description"
    ] = " "


def undocument_seed_column(artifacts: Artifacts) -> None:
    del artifacts["manifest"]["nodes"][ALIASES]["columns"]["note"]


def document_unbuilt_seed_column(artifacts: Artifacts) -> None:
    columns = artifacts["manifest"]["nodes"][ALIASES]["columns"]
    columns["language"] = {**columns["note"], "name": "language"}


def build_undocumented_source_column(artifacts: Artifacts) -> None:
    as_on_athena(artifacts)
    columns = artifacts["catalog"]["sources"][ARTISTS]["columns"]
    columns["country"] = {"type": "varchar", "index": 99, "name": "country", "comment": None}


def document_unbuilt_source_column(artifacts: Artifacts) -> None:
    as_on_athena(artifacts)
    del artifacts["catalog"]["sources"][ARTISTS]["columns"]["followers"]


def test_the_built_sample_passes_every_catalog_rule(tmp_path: Path, artifacts: Artifacts) -> None:
    assert failures(tmp_path, artifacts) == set()


def test_duckdb_catalog_lists_models_and_seeds_but_no_sources(artifacts: Artifacts) -> None:
    # The sources are `read_parquet(...)` expressions on DuckDB, not relations: the source
    # rules have nothing to read there (dbt-bouncer-catalog.yml says so).
    manifest, catalog = artifacts["manifest"], artifacts["catalog"]
    built = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed")
        and node["config"]["materialized"] != "ephemeral"
    }
    assert set(catalog["nodes"]) == built
    assert catalog["sources"] == {}


@pytest.mark.parametrize(
    ("check", "breakage", "failing"),
    [
        ("check_columns_are_all_documented", undocument_model_column, "fct_artist_tracks"),
        ("check_documented_columns_are_built", document_unbuilt_model_column, "dim_artists"),
        (
            "check_column_description_populated",
            strip_column_description,
            "dim_similarity_features",
        ),
        ("check_seed_columns_are_all_documented", undocument_seed_column, "artist_aliases"),
        ("check_documented_columns_are_built", document_unbuilt_seed_column, "artist_aliases"),
        (
            "check_source_columns_match_catalog",
            build_undocumented_source_column,
            "spotify_artists",
        ),
        ("check_source_columns_match_catalog", document_unbuilt_source_column, "spotify_artists"),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_a_broken_fact_fails_its_catalog_rule(
    tmp_path: Path,
    artifacts: Artifacts,
    check: str,
    breakage: Callable[[Artifacts], None],
    failing: str,
) -> None:
    assert_rule_catches(tmp_path, "dbt-bouncer-catalog.yml", artifacts, check, breakage, {failing})


def test_a_source_table_in_the_catalog_passes_when_its_columns_match(
    tmp_path: Path, artifacts: Artifacts
) -> None:
    as_athena = json.loads(json.dumps(artifacts))
    as_on_athena(as_athena)
    assert failures(tmp_path, as_athena) == set()


def test_coverage_counts_every_model_column_as_built(artifacts: Artifacts) -> None:
    coverage = Coverage(artifacts["manifest"], artifacts["catalog"])
    models = coverage.models
    assert models and all(coverage.built_columns(model) is not None for model in models)
    (line,) = [line for line in coverage.lines() if line.startswith("models:")]
    documented = sum(len(model["columns"]) for model in models)
    assert f"columns: {documented}, described {documented}," in line
    assert f"in catalog {documented}; catalog columns {documented}, in yml {documented}" in line
