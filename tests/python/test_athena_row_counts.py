"""``benchmarks/athena_row_counts.py`` counts what the Athena SQL of the similarity chain
produces: on a small manifest of four models and two tiny warehouses, it counts every
common table expression of the chain's models through sqlglot's transpilation, leaves out
the models ``dim_artists`` already needs, marks the steps Trino runs on a single node and
extrapolates each count with its growth."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
import sqlglot

from benchmarks.athena_row_counts import (
    extrapolated,
    growth,
    measure,
    open_as_athena,
    single_node_steps,
    table_sizes,
)

SCHEMA = "spotify"


def model(name: str, parents: list[str], compiled_code: str):
    return {
        "unique_id": f"model.p.{name}",
        "resource_type": "model",
        "name": name,
        "relation_name": f'"awsdatacatalog"."{SCHEMA}"."{name}"',
        "depends_on": {"nodes": [f"model.p.{parent}" for parent in parents]},
        "config": {"materialized": "table"},
        "compiled_code": compiled_code,
    }


# Athena SQL as dbt-athena compiles it: three-part names, Trino's functions (element_at:
# DuckDB runs it only as sqlglot transpiles it).
PAIRS_SQL = f"""
with numbered as (
    select artist_id, rank() over (order by artist_id) as artist_number,
        element_at(array[artist_id], 1) as first_id
    from "awsdatacatalog"."{SCHEMA}"."dim_artists"
),
paired as (
    select a.artist_id, b.artist_id as related_artist_id
    from numbered as a
    cross join numbered as b
    where a.artist_id <> b.artist_id and a.first_id = a.artist_id
)
select artist_id, related_artist_id from paired
"""
RELATED_SQL = f"""
with ranked as (
    select artist_id, related_artist_id,
        row_number() over (partition by artist_id order by related_artist_id) as position
    from "awsdatacatalog"."{SCHEMA}"."int_pairs"
)
select artist_id, related_artist_id from ranked where position <= 1
"""
MANIFEST = {
    "nodes": {
        node["unique_id"]: node
        for node in (
            model("stg_artists", [], "select 1"),
            model("dim_artists", ["stg_artists"], "select 1"),
            model("int_pairs", ["dim_artists"], PAIRS_SQL),
            model("fct_related_artists", ["int_pairs"], RELATED_SQL),
        )
    }
}


def warehouse(folder: Path, artists: int) -> Path:
    """A DuckDB file with the chain's tables built, as run_benchmark leaves one."""
    path = folder / f"warehouse-{artists}.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            f"create table dim_artists as select 'a' || lpad(i::varchar, 4, '0') as artist_id "
            f"from range({artists}) as t(i)"
        )
        connection.execute(
            "create table int_pairs as select a.artist_id, b.artist_id as related_artist_id "
            "from dim_artists a, dim_artists b where a.artist_id <> b.artist_id"
        )
        connection.execute(
            "create table fct_related_artists as select artist_id, min(related_artist_id) "
            "as related_artist_id from int_pairs group by artist_id"
        )
    return path


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("athena-row-counts")
    return {artists: warehouse(folder, artists) for artists in (10, 20)}


@pytest.fixture(scope="module")
def steps(warehouses):
    return measure(MANIFEST, warehouses)


def test_every_step_of_the_chain_is_counted_and_nothing_before_dim_artists(steps):
    assert [(step.model, step.step) for step in steps] == [
        ("int_pairs", "numbered"),
        ("int_pairs", "paired"),
        ("int_pairs", "(model)"),
        ("fct_related_artists", "ranked"),
        ("fct_related_artists", "(model)"),
    ]
    rows = {(step.model, step.step): step.rows for step in steps}
    assert rows["int_pairs", "numbered"] == {10: 10, 20: 20}
    assert rows["int_pairs", "paired"] == {10: 90, 20: 380}
    assert rows["fct_related_artists", "ranked"] == {10: 90, 20: 380}
    assert rows["fct_related_artists", "(model)"] == {10: 10, 20: 20}


def test_a_window_without_partition_by_is_marked_single_node_and_a_partitioned_one_not(steps):
    marks = {(step.model, step.step): step.single_node for step in steps}

    assert marks["int_pairs", "numbered"] == ["window without partition by: RANK()"]
    assert marks["fct_related_artists", "ranked"] == []
    assert marks["int_pairs", "paired"] == []


def test_a_global_aggregate_is_marked_and_a_grouped_one_is_not():
    def marks(sql: str) -> list[str]:
        return single_node_steps(sqlglot.parse_one(sql, read="athena"))

    assert marks("select count(*) from t") == ["global aggregate (partial per node, final on one)"]
    assert marks("select k, count(*) from t group by k") == []


def test_growth_is_the_exponent_between_the_two_largest_sizes():
    quadratic = {10: 90, 100: 9_000, 1_000: 900_000}

    assert growth(quadratic) == pytest.approx(2.0)
    assert extrapolated(quadratic, 10_000) == pytest.approx(90_000_000)
    assert growth({10: 5}) is None
    assert growth({10: 0, 100: 7}) is None
    assert extrapolated({10: 5}, 100) is None


def test_the_warehouse_tables_stand_in_under_athenas_names(warehouses):
    with open_as_athena(warehouses[10], SCHEMA) as connection:
        [(rows,)] = connection.execute(
            f'select count(*) from awsdatacatalog."{SCHEMA}"."int_pairs"'
        ).fetchall()

    assert rows == 90


def test_each_table_is_sized_and_a_model_scans_its_parents(warehouses):
    tables = table_sizes(MANIFEST, warehouses)

    assert set(tables) == {"dim_artists", "int_pairs", "fct_related_artists"}
    assert tables["int_pairs"].scans == ["dim_artists"]
    assert tables["fct_related_artists"].scans == ["int_pairs"]
    pairs = tables["int_pairs"].bytes
    assert pairs[20] > pairs[10] > 0
    assert math.isfinite(tables["int_pairs"].growth())
