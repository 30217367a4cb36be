"""The Athena target compiles offline and its SQL is Athena SQL, not DuckDB SQL.

`dbt compile --target athena --no-populate-cache` needs no AWS account (dummy credentials,
no instance metadata). Every compiled model and test must parse with sqlglot's athena
dialect and be free of DuckDB-only syntax, which that parser accepts silently.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import ParseError

from extract.schemas import AUDIO_FEATURE_COLUMNS
from tests.python.athena.dbt_offline import (
    OFFLINE_AWS_ENVIRONMENT,
    compile_athena,
    data_test_nodes,
    model_nodes_in_build_order,
    render_lake_ddl,
)
from tests.python.athena.lake_ddl import parse_lake_ddl
from tests.python.athena.portability import duckdb_only_syntax
from tests.python.athena.static_types import static_schema
from tests.python.dbt_runner import PROJECT_ROOT, DbtWorkspace

MODELS = {
    "stg_spotify__artists",
    "stg_spotify__top_tracks",
    "stg_spotify__audio_features",
    "int_artists_audio_profiled",
    "dim_similarity_features",
    "dim_artists",
    "int_artist_vectors_gridded",
    "int_grid_levels_enumerated",
    "int_artist_grid_cells_assigned",
    "int_grid_cells_counted",
    "int_shifted_grid_cell_mates_numbered",
    "int_artist_search_radii_bounded",
    "int_artist_search_cells_walked",
    "int_artist_search_cells_boxed",
    "int_artist_search_cells_split_1",
    "int_artist_search_cells_split_2",
    "int_artist_search_cells_split_3",
    "int_artist_search_cells_split_4",
    "int_artist_search_cells_descended",
    "int_candidate_pairs_measured",
    "fct_related_artists",
    "fct_artist_tracks",
    "fct_artist_recommendations",
}

# The seeds that declare their column types (static_schema types them), in the models' schema.
TYPED_SEEDS = {"artist_aliases"}

# Cheap steps of the nearest-artists search, read once or recomputed for less than a write.
VIEW_MODELS = {
    "int_grid_levels_enumerated",
    "int_artist_grid_cells_assigned",
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> DbtWorkspace:
    return DbtWorkspace.create(tmp_path_factory.mktemp("athena"))


@pytest.fixture(scope="module")
def manifest(workspace: DbtWorkspace) -> dict[str, Any]:
    return compile_athena(workspace)


@pytest.fixture(scope="module")
def athena_compiled(workspace: DbtWorkspace, manifest: dict[str, Any]) -> pathlib.Path:
    return workspace.root / "target-athena" / "compiled" / "spotify_warehouse"


@pytest.fixture(scope="module")
def schema(workspace: DbtWorkspace, manifest: dict[str, Any]) -> dict[str, Any]:
    """Column types of the raw tables (from the DDL) and of every model (inferred)."""
    return static_schema(manifest, parse_lake_ddl(render_lake_ddl(workspace)))


def compiled_files(root: pathlib.Path, folder: str) -> list[pathlib.Path]:
    return sorted((root / folder).rglob("*.sql"))


def test_every_model_compiles_for_athena(athena_compiled: pathlib.Path) -> None:
    names = {path.stem for path in compiled_files(athena_compiled, "models")}
    assert names >= MODELS


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


def test_every_column_type_is_known(schema: dict[str, Any]) -> None:
    # The integer-division check is only as good as the types it sees.
    tables = schema["awsdatacatalog"]["spotify"]
    assert set(tables) == MODELS | TYPED_SEEDS
    models = {name: tables[name] for name in MODELS}
    unknown = [
        f"{model}.{column}"
        for model, columns in models.items()
        for column, column_type in columns.items()
        if column_type.upper() == "UNKNOWN"
    ]
    assert unknown == []
    assert models["int_artists_audio_profiled"]["track_count"] == "BIGINT"
    assert models["fct_related_artists"]["similarity_rank"] == "INTEGER"
    # The serving mart's nested columns, as Athena's row casts declare them.
    recommendations = models["fct_artist_recommendations"]
    assert recommendations["aliases"] == "ARRAY(VARCHAR)"
    assert recommendations["related_artists"] == (
        "ARRAY(ROW(similarity_rank INTEGER, artist_id VARCHAR, artist_name VARCHAR,"
        " distance DOUBLE, similarity_score DOUBLE, tracks ARRAY(ROW(track_name VARCHAR,"
        " album_name VARCHAR, release_date VARCHAR, spotify_url VARCHAR))))"
    )


def test_no_duckdb_only_syntax_in_athena_sql(
    manifest: dict[str, Any], schema: dict[str, Any]
) -> None:
    nodes = model_nodes_in_build_order(manifest) + data_test_nodes(manifest)
    assert len(nodes) > len(MODELS)
    findings = {
        node["name"]: [
            str(finding) for finding in duckdb_only_syntax(node["compiled_code"], schema)
        ]
        for node in nodes
    }
    assert {name: found for name, found in findings.items() if found} == {}


# The detector finds each DuckDB-only construct, and leaves its Athena spelling alone.
DUCKDB_ONLY = {
    "double-colon cast": "select price::double as price from items",
    "qualify": "select a from t qualify row_number() over (partition by a order by b) = 1",
    "group by all": "select a, count(*) as n from t group by all",
    "star exclude": "select * exclude (a) from t",
    "list literal": "select [1, 2, 3] as numbers from t",
    "struct literal": "select {'a': 1} as pair from t",
    "ilike": "select a from t where a ilike '%x%'",
    "unnest in select": "select unnest(tags) as tag from t",
    "struct_pack": "select struct_pack(a, b) as pair from t",
    "integer division of literals": "select 1 / 2 as half from t",
    "integer division of counts": "select count(*) / count(distinct a) as ratio from t",
    "integer division of typed columns": (
        'select track_count / artist_count as ratio from "awsdatacatalog"."spotify"."counts"'
    ),
    "decimal division of literals": "select 1.0 / 3 as third from t",
    "decimal division through values": (
        "with levels as (select level, scale from (values (0, 1.0), (1, 2.0)) as v (level, scale))"
        " select 1.0 / levels.scale as side from levels"
    ),
}
ATHENA_SPELLING = {
    "cast": "select cast(price as double) as price from items",
    "rank filter": (
        "select a from (select a, row_number() over (partition by a order by b) as r from t)"
        " as ranked where r = 1"
    ),
    "explicit group by": "select a, count(*) as n from t group by a",
    "array constructor and subscripts": "select array[1, 2] as numbers, tags[1] as tag from t",
    "cross join unnest": "select tag from t cross join unnest(t.tags) as tag_list (tag)",
    "double division": "select cast(count(*) as double) / count(distinct a) as ratio from t",
    "typed double division": (
        'select share / artist_count as ratio from "awsdatacatalog"."spotify"."counts"'
    ),
    "decimal literal against doubles": (
        "select 1.0 - share / 2.0 as rest, 1e-9 / 2 as tiny"
        ' from "awsdatacatalog"."spotify"."counts"'
    ),
}
COUNTS_SCHEMA = {
    "awsdatacatalog": {
        "spotify": {"counts": {"track_count": "bigint", "artist_count": "int", "share": "double"}}
    }
}


@pytest.mark.parametrize("name", sorted(DUCKDB_ONLY))
def test_detector_flags_duckdb_only_syntax(name: str) -> None:
    assert duckdb_only_syntax(DUCKDB_ONLY[name], COUNTS_SCHEMA) != []


@pytest.mark.parametrize("name", sorted(ATHENA_SPELLING))
def test_detector_accepts_the_athena_spelling(name: str) -> None:
    assert duckdb_only_syntax(ATHENA_SPELLING[name], COUNTS_SCHEMA) == []


def test_detector_flags_the_duckdb_builds_own_sql(workspace: DbtWorkspace) -> None:
    # The DuckDB target's SQL (read_parquet, the min_by/struct_pack/unnest top-k, the struct
    # and empty list literals of the serving mart) must not pass as Athena SQL: the detector
    # would catch a DuckDB branch leaking into Athena.
    checked = {"stg_spotify__artists", "fct_related_artists", "fct_artist_recommendations"}
    target = workspace.root / "target-duckdb-compile"
    workspace.dbt(["compile", "--select", *sorted(checked)], target_path=target)
    duckdb_manifest = json.loads((target / "manifest.json").read_text())
    findings = {
        node["name"]: {finding.kind for finding in duckdb_only_syntax(node["compiled_code"])}
        for node in model_nodes_in_build_order(duckdb_manifest)
        if node["name"] in checked
    }
    assert "DuckDB-only function" in findings["stg_spotify__artists"]
    assert "struct/map literal '{...}'" in findings["stg_spotify__artists"]
    assert "DuckDB-only function" in findings["fct_related_artists"]
    assert "unnest in a select list (use cross join unnest)" in findings["fct_related_artists"]
    assert "struct/map literal '{...}'" in findings["fct_artist_recommendations"]
    assert "list literal '[...]' (use array[...])" in findings["fct_artist_recommendations"]


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


def test_rank_filters_have_the_shape_trino_plans_as_top_n_ranking(
    manifest: dict[str, Any],
) -> None:
    """Each row_number() is filtered by a constant bound in the query that reads it.

    Trino rewrites exactly this shape (a ranking window, in a subquery or a CTE, under a
    filter `rank <= n`, `< n` or `= n` on its output) into a TopNRanking operator, which
    keeps n rows per partition while streaming instead of sorting every pair. The final
    cut is `<= top_k`.
    """
    [node] = [node for node in manifest["nodes"].values() if node["name"] == "fct_related_artists"]
    top_k = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())["vars"]["top_k"]
    tree = sqlglot.parse_one(node["compiled_code"], read="athena")
    bounds = []
    windows = [
        window for window in tree.find_all(exp.Window) if isinstance(window.this, exp.RowNumber)
    ]
    assert windows
    for window in windows:
        assert window.args.get("partition_by"), "one ranking per artist"
        alias = window.parent
        assert isinstance(alias, exp.Alias), window.sql("athena")
        readers = ranking_readers(tree, alias.parent_select)
        assert readers, f"{alias.alias}: rank not read from a subquery or a CTE"
        for reader in readers:
            assert not reader.args.get("group") and not reader.args.get("order"), alias.alias
            where = reader.args.get("where")
            filters = [
                (type(condition).__name__, int(condition.expression.name))
                for condition in (where.find_all(exp.LTE, exp.LT, exp.EQ) if where else [])
                if isinstance(condition.this, exp.Column)
                and condition.this.name == alias.alias
                and isinstance(condition.expression, exp.Literal)
            ]
            assert filters, f"{alias.alias}: ranking without a constant bound around it"
            bounds += filters
    assert ("LTE", top_k) in bounds


def ranking_readers(tree: exp.Expression, ranking: exp.Select) -> list[exp.Select]:
    """The selects that read the output of `ranking` (a subquery's or a CTE's select)."""
    parent = ranking.parent
    if isinstance(parent, exp.Subquery):
        return [parent.parent_select]
    if isinstance(parent, exp.CTE):
        return [
            select
            for select in tree.find_all(exp.Select)
            if any(table.name == parent.alias for table in select.find_all(exp.Table))
            and select is not ranking
        ]
    return []


def test_table_models_are_parquet_hive_tables(manifest: dict[str, Any]) -> None:
    configs = {
        node["name"]: node["config"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    assert set(configs) == MODELS
    for name, config in configs.items():
        # Staging too: a view would re-read the lake's whole history in every query over it.
        # The similarity steps that are views were chosen by measurement (dbt_project.yml).
        expected = "view" if name in VIEW_MODELS else "table"
        assert config["materialized"] == expected, name
        if expected == "view":
            continue
        assert config["table_type"] == "hive", name
        assert config["format"] == "parquet", name
        assert config["write_compression"] == "ZSTD", name


def table_locations(workspace: DbtWorkspace, schema: str) -> dict[str, str]:
    result = workspace.dbt(
        ["--quiet", "run-operation", "athena_table_locations", "--no-populate-cache"],
        target="athena",
        target_path=workspace.root / f"target-locations-{schema}",
        extra_environment={**OFFLINE_AWS_ENVIRONMENT, "ATHENA_SCHEMA": schema},
    )
    return dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())


def test_environments_never_share_a_table_location(workspace: DbtWorkspace) -> None:
    data_dir = OFFLINE_AWS_ENVIRONMENT["ATHENA_S3_DATA_DIR"].rstrip("/")
    development = table_locations(workspace, "spotify_dev_alice")
    production = table_locations(workspace, "spotify")
    # Views are only catalog entries: no S3 data of their own.
    assert set(development) == set(production) == MODELS - VIEW_MODELS
    for model, location in development.items():
        assert location.startswith(f"{data_dir}/spotify_dev_alice/{model}/"), location
        assert production[model].startswith(f"{data_dir}/spotify/{model}/")
    assert not set(development.values()) & set(production.values())


def test_athena_profile_has_no_credentials_and_reads_the_environment() -> None:
    profiles = yaml.safe_load((PROJECT_ROOT / "profiles.example.yml").read_text())
    athena = profiles["spotify_warehouse"]["outputs"]["athena"]
    assert not {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"} & set(athena)
    fixed = {"type", "s3_data_naming"}
    for key, value in athena.items():
        if key not in fixed:
            assert "env_var('ATHENA_" in str(value), key
    assert athena["s3_data_naming"] == "schema_table_unique"
    assert "ATHENA_NUM_RETRIES', '1'" in athena["num_retries"]
    for required in ("s3_staging_dir", "s3_data_dir"):
        # No default: an unset variable stops dbt instead of writing to a made-up bucket.
        assert athena[required].count("'") == 2, athena[required]


def test_athena_target_without_its_variables_fails_with_a_message(
    workspace: DbtWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ATHENA_S3_STAGING_DIR", raising=False)
    result = workspace.dbt(
        ["compile", "--no-populate-cache", "--select", "stg_spotify__artists"],
        target="athena",
        target_path=workspace.root / "target-unset",
        extra_environment={
            key: value
            for key, value in OFFLINE_AWS_ENVIRONMENT.items()
            if key != "ATHENA_S3_STAGING_DIR"
        },
        check=False,
    )
    assert result.returncode != 0
    assert "Env var required but not provided: 'ATHENA_S3_STAGING_DIR'" in result.stdout


# Athena rejects a query string longer than 262,144 bytes; the generated SQL grows with the
# number of similarity features, so check the largest configuration.
ATHENA_MAX_QUERY_BYTES = 262_144
ALL_FEATURES = list(AUDIO_FEATURE_COLUMNS)


def test_every_query_fits_athenas_length_limit_with_every_feature(
    tmp_path: pathlib.Path,
) -> None:
    workspace = DbtWorkspace.create(tmp_path)
    manifest = compile_athena(workspace, {"similarity_features": ALL_FEATURES, "top_k": 10})
    sizes = {
        node["name"]: len(node["compiled_code"].encode())
        for node in model_nodes_in_build_order(manifest) + data_test_nodes(manifest)
    }
    # dbt-athena wraps a table model in `create table ... with (...) as`: allow 4 KB for it.
    assert max(sizes.values()) < ATHENA_MAX_QUERY_BYTES - 4096, sorted(sizes.items())[-3:]
    for node in model_nodes_in_build_order(manifest):
        sqlglot.parse(node["compiled_code"], read="athena")
