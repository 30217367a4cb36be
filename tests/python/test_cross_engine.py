"""Cross-engine equivalence: the Athena SQL, run on DuckDB, gives what the DuckDB build gives.

For each lake below: load the seeds and build the models with `--target duckdb`; compile them
with `--target athena` (offline) with the same vars; transpile each compiled Athena model with
sqlglot (athena -> duckdb) and create it, in dependency order, in a DuckDB catalog named
like Athena's (`awsdatacatalog`), over raw tables defined by the `create_lake_tables` DDL and
the seeds' CSV files; then compare every model: same columns, same types, same rows (floats
within 1e-9, inside nested arrays and structs too). This is what catches a dispatched macro
(`top_k_by_distance`: row_number rank filter on Athena, min_by top-k on DuckDB;
`named_struct`: a row cast on Athena, a struct literal on DuckDB; `ordered_array_agg`:
an ordered array_agg on Athena, a list_sort of an unordered one on DuckDB) whose two
branches disagree. The Athena-compiled data tests run on the result too.

Not covered here (see athena.portability.duckdb_only_syntax): integer division, which sqlglot
transpiles to DuckDB's float division; the detector rejects it in the Athena SQL instead.
Nor is Trino's own reading of the nested types (`cast(row(...) as row(...))`, `array[]`):
sqlglot rewrites them into DuckDB's, so only the live test (`pytest -m athena`) runs them.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlglot import exp

from benchmarks.similarity_methods import ORIGINAL_METHOD
from extract.cli import main as extract_main
from tests.python.athena.compare import compare_tables, read_table
from tests.python.athena.dbt_offline import (
    OFFLINE_LAKE_URI,
    compile_athena,
    data_test_nodes,
    render_lake_ddl,
)
from tests.python.athena.lake_ddl import LakeTableDdl, parse_lake_ddl
from tests.python.athena.on_duckdb import AthenaOnDuckDB
from tests.python.dbt_runner import PROJECT_ROOT, SAMPLE_PARQUET, SUBSET_CSV, DbtWorkspace
from tests.python.synthetic_lake import write_synthetic_lake

TOLERANCE = 1e-9


def import_dataset(source: pathlib.Path, lake_uri: str, dt: str) -> None:
    arguments = ["dataset", str(source), "--lake", lake_uri, "--dt", dt, "--name", "tidytuesday"]
    assert extract_main(arguments) == 0


def subset_on_two_days(workspace: DbtWorkspace) -> None:
    # Two daily partitions: staging must keep the latest snapshot on both engines.
    import_dataset(SUBSET_CSV, workspace.lake_uri, "2026-11-23")
    import_dataset(SUBSET_CSV, workspace.lake_uri, "2026-11-24")


def ties_and_a_constant_feature(workspace: DbtWorkspace) -> None:
    # Identical vectors (distance 0), equidistant neighbours (ties broken by id), a feature
    # equal for everyone (max = min, normalised to 0), and an artist whose only track has
    # invalid features (no profile: no related artists, an empty array in the serving mart).
    corner = {"danceability": 0.0, "energy": 0.0, "key": 5, "mode": 1}
    write_synthetic_lake(
        workspace.lake_uri,
        {
            "a": corner,
            "b": corner,
            "c": {**corner, "danceability": 1.0},
            "d": {**corner, "energy": 1.0},
            "e": {**corner, "danceability": 1.0, "energy": 1.0},
            "f": {**corner, "danceability": 0.5, "energy": 0.5},
            "g": {**corner, "danceability": 0.5, "energy": 0.5},
            "h": {**corner, "danceability": 2.0},
        },
    )


def a_fifth_of_the_sample(workspace: DbtWorkspace) -> None:
    # Every artist whose name hashes into one fifth: ~2,000 artists, ~4 M candidate pairs.
    table = pq.read_table(SAMPLE_PARQUET)
    artists = table.column("track_artist").to_pylist()
    keep = [
        artist is not None and hashlib.sha256(artist.encode()).digest()[0] % 5 == 0
        for artist in artists
    ]
    subset = workspace.root / "sample-fifth.parquet"
    pq.write_table(table.filter(pa.array(keep)), subset)
    import_dataset(subset, workspace.lake_uri, "2026-11-24")


@dataclass(frozen=True)
class Lake:
    name: str
    write: Callable[[DbtWorkspace], None]
    variables: dict[str, Any] = field(default_factory=dict)
    min_related_rows: int = 1


# Every artist whose search level leaves room descends, so that the descent's split models
# hold rows on lakes this small (512 candidates, the default, are more than they have).
EVERYONE_DESCENDS = {"grid_descent_min_candidates": 0}

LAKES = [
    Lake("subset-csv-two-days", subset_on_two_days, EVERYONE_DESCENDS, min_related_rows=20),
    # The original method (min-max, Euclidean, everybody recommendable) on exact ties.
    Lake(
        "synthetic-ties",
        ties_and_a_constant_feature,
        {
            **ORIGINAL_METHOD,
            **EVERYONE_DESCENDS,
            "top_k": 2,
            "similarity_features": ["danceability", "energy", "key", "mode"],
        },
        min_related_rows=14,
    ),
    # The project's defaults (z-score, cosine, only artists with 8+ tracks recommended).
    Lake(
        "sample-fifth",
        a_fifth_of_the_sample,
        {"top_k": 5, **EVERYONE_DESCENDS},
        min_related_rows=5000,
    ),
    Lake(
        "sample-fifth-z-score-euclidean",
        a_fifth_of_the_sample,
        {"similarity_distance": "euclidean", "min_related_track_count": 3, **EVERYONE_DESCENDS},
        min_related_rows=5000,
    ),
]


@pytest.fixture(scope="module")
def lake_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LakeTableDdl]:
    workspace = DbtWorkspace.create(tmp_path_factory.mktemp("cross-engine-ddl"))
    return parse_lake_ddl(render_lake_ddl(workspace, OFFLINE_LAKE_URI))


@pytest.mark.parametrize("lake", LAKES, ids=[lake.name for lake in LAKES])
def test_athena_sql_on_duckdb_matches_the_duckdb_build(
    tmp_path: pathlib.Path, lake_tables: dict[str, LakeTableDdl], lake: Lake
) -> None:
    workspace = DbtWorkspace.create(tmp_path)
    lake.write(workspace)
    variables = ["--vars", json.dumps(lake.variables)] if lake.variables else []

    started = time.perf_counter()
    workspace.dbt(["seed"])
    workspace.dbt(["run", *variables])
    manifest = compile_athena(workspace, lake.variables)

    with duckdb.connect() as connection:
        athena = AthenaOnDuckDB(connection)
        athena.create_raw_tables(lake_tables, OFFLINE_LAKE_URI, pathlib.Path(workspace.lake_uri))
        athena.create_seeds(manifest, PROJECT_ROOT)
        relations = athena.create_models(manifest)
        connection.execute(f"attach '{workspace.duckdb_path}' as duckdb_build (read_only)")

        differences = {}
        for relation in relations:
            name = exp.to_table(relation, dialect="athena").name
            expected = read_table(connection, f'duckdb_build.main."{name}"')
            actual = read_table(connection, relation)
            assert expected.rows, f"{name} is empty: the comparison would prove nothing"
            problems = compare_tables(expected, actual, TOLERANCE)
            if problems:
                differences[name] = problems
        assert differences == {}

        [(related_rows,)] = connection.execute(
            'select count(*) from "awsdatacatalog"."spotify"."fct_related_artists"'
        ).fetchall()
        assert related_rows >= lake.min_related_rows

        # Every test runs from its Athena SQL; a warning (the aliases of artists a small lake
        # lacks) may find rows, an error may not.
        failing_tests = {
            node["name"]: failures
            for node in data_test_nodes(manifest)
            if (failures := athena.run_test(node)) and node["config"]["severity"] != "warn"
        }
        assert failing_tests == {}
    print(f"\n{lake.name}: {time.perf_counter() - started:.1f} s")


def test_the_comparison_sees_inside_nested_values() -> None:
    # Arrays of structs (the serving mart's related artists) are compared element by element
    # and field by field: a float within the tolerance matches, a swapped element, another
    # field name or a changed nested value does not.
    with duckdb.connect() as connection:
        connection.execute(
            "create table expected as select 'a' as k, "
            "[{'rank': 1, 'distance': 0.5::double, 'tracks': ['x', 'y']}, "
            "{'rank': 2, 'distance': 0.7::double, 'tracks': ['z']}] as related"
        )
        variants = {
            "nudged": "[{'rank': 1, 'distance': 0.5 + 1e-12::double, 'tracks': ['x', 'y']}, "
            "{'rank': 2, 'distance': 0.7::double, 'tracks': ['z']}]",
            "swapped": "[{'rank': 2, 'distance': 0.7::double, 'tracks': ['z']}, "
            "{'rank': 1, 'distance': 0.5::double, 'tracks': ['x', 'y']}]",
            "renamed": "[{'rank': 1, 'gap': 0.5::double, 'tracks': ['x', 'y']}, "
            "{'rank': 2, 'gap': 0.7::double, 'tracks': ['z']}]",
            "track": "[{'rank': 1, 'distance': 0.5::double, 'tracks': ['x']}, "
            "{'rank': 2, 'distance': 0.7::double, 'tracks': ['z']}]",
        }
        for name, related in variants.items():
            connection.execute(f"create table {name} as select 'a' as k, {related} as related")
        expected = read_table(connection, "expected")
        assert compare_tables(expected, read_table(connection, "nudged"), TOLERANCE) == []
        for name in ("swapped", "renamed", "track"):
            assert compare_tables(
                expected, read_table(connection, name), TOLERANCE, compare_types=False
            ), name


def test_the_comparison_sees_a_wrong_rank() -> None:
    # The comparison is not vacuous: swapping two ranks or nudging a distance fails it.
    with duckdb.connect() as connection:
        connection.execute(
            "create table expected as select * from (values "
            "('a', 'b', 0.5::double, 1), ('a', 'c', 0.7::double, 2)) as t(x, y, d, r)"
        )
        connection.execute(
            "create table swapped as select * from (values "
            "('a', 'b', 0.5::double, 2), ('a', 'c', 0.7::double, 1)) as t(x, y, d, r)"
        )
        connection.execute(
            "create table nudged as select * from (values "
            "('a', 'c', 0.7::double, 2), ('a', 'b', 0.5 + 1e-12::double, 1)) as t(x, y, d, r)"
        )
        connection.execute(
            "create table off as select * from (values "
            "('a', 'b', 0.5000001::double, 1), ('a', 'c', 0.7::double, 2)) as t(x, y, d, r)"
        )
        expected = read_table(connection, "expected")
        assert compare_tables(expected, read_table(connection, "swapped"), TOLERANCE)
        assert compare_tables(expected, read_table(connection, "off"), TOLERANCE)
        assert compare_tables(expected, read_table(connection, "nudged"), TOLERANCE) == []
