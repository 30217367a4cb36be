"""Live test against AWS Athena: the sample lake on S3, built with dbt, equals the DuckDB build.

Skipped unless these are set (nothing here runs without an AWS account):

    ATHENA_S3_STAGING_DIR  s3://bucket/prefix/ for Athena query results
    ATHENA_S3_DATA_DIR     s3://bucket/prefix/ for the model tables
    ATHENA_LAKE_URI        s3://bucket/prefix under which the test writes its own lake
    ATHENA_REGION          e.g. eu-west-1

plus AWS credentials from the usual chain (AWS_PROFILE, env vars, SSO, instance role) and,
optionally, ATHENA_WORK_GROUP (default primary) and ATHENA_CATALOG (awsdatacatalog).
Run it with:

    .venv/bin/pytest -m athena tests/python/test_athena_live.py -v -s

Everything it creates is unique to the run (`<ATHENA_LAKE_URI>/test-<run>/`, schemas
`spotify_test_<run>` and `spotify_raw_test_<run>`) and is deleted at the end, unless
ATHENA_TEST_KEEP=1. It imports the sample with today's date (UTC) as partition: partition
projection only sees dates up to NOW.
"""

from __future__ import annotations

import contextlib
import datetime as dt_module
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import duckdb
import pyarrow.parquet as pq
import pytest
import s3fs

from extract.cli import main as extract_main
from tests.python.athena.compare import compare_tables, read_table
from tests.python.dbt_runner import SAMPLE_PARQUET, DbtWorkspace

REQUIRED = ("ATHENA_S3_STAGING_DIR", "ATHENA_S3_DATA_DIR", "ATHENA_LAKE_URI", "ATHENA_REGION")
MISSING = [name for name in REQUIRED if not os.environ.get(name)]

pytestmark = [
    pytest.mark.athena,
    pytest.mark.skipif(
        bool(MISSING),
        reason=(
            "live Athena test: set " + ", ".join(MISSING) + " (and AWS credentials) to run it;"
            " see docs/athena.md"
        ),
    ),
]

TABLE_MODELS = (
    "int_artists_audio_profiled",
    "dim_artists",
    "fct_related_artists",
    "fct_artist_tracks",
)
VIEW_MODELS = ("stg_spotify__artists", "stg_spotify__top_tracks", "stg_spotify__audio_features")
TOLERANCE = 1e-9


@dataclass(frozen=True)
class AthenaRun:
    workspace: DbtWorkspace
    schema: str
    raw_schema: str
    lake_uri: str
    partition_date: str
    environment: dict[str, str]
    build_results: dict


def athena_query(sql: str) -> list[tuple]:
    """Run one query on Athena and return its rows (values as Athena's strings)."""
    client = boto3.client("athena", region_name=os.environ["ATHENA_REGION"])
    query_id = client.start_query_execution(
        QueryString=sql,
        QueryExecutionContext={"Catalog": os.environ.get("ATHENA_CATALOG", "awsdatacatalog")},
        ResultConfiguration={"OutputLocation": os.environ["ATHENA_S3_STAGING_DIR"]},
        WorkGroup=os.environ.get("ATHENA_WORK_GROUP", "primary"),
    )["QueryExecutionId"]
    while True:
        execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        state = execution["Status"]["State"]
        if state in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(1)
    assert state == "SUCCEEDED", execution["Status"].get("StateChangeReason")
    rows = []
    for page in client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        for row in page["ResultSet"]["Rows"]:
            rows.append(tuple(cell.get("VarCharValue") for cell in row["Data"]))
    return rows[1:]  # the first row holds the column names


def delete_prefix(uri: str) -> None:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3", region_name=os.environ["ATHENA_REGION"])
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})


@pytest.fixture(scope="module")
def athena_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AthenaRun]:
    run_id = f"{dt_module.datetime.now(dt_module.UTC):%Y%m%d%H%M%S}_{uuid.uuid4().hex[:6]}"
    schema, raw_schema = f"spotify_test_{run_id}", f"spotify_raw_test_{run_id}"
    lake_uri = f"{os.environ['ATHENA_LAKE_URI'].rstrip('/')}/test-{run_id}"
    partition_date = dt_module.datetime.now(dt_module.UTC).date().isoformat()
    workspace = DbtWorkspace.create(tmp_path_factory.mktemp("athena-live"))
    environment = {
        "ATHENA_SCHEMA": schema,
        "ATHENA_RAW_SCHEMA": raw_schema,
        "LAKE_URI": lake_uri,
        "ATHENA_NUM_RETRIES": os.environ.get("ATHENA_NUM_RETRIES", "1"),
    }
    try:
        # The same sample, today's partition, in a local lake (for DuckDB) and on S3.
        for lake in (workspace.lake_uri, lake_uri):
            arguments = ["dataset", str(SAMPLE_PARQUET), "--lake", lake, "--dt", partition_date]
            assert extract_main([*arguments, "--name", "tidytuesday"]) == 0
        workspace.dbt(["seed"])
        workspace.dbt(["run"])

        workspace.dbt(
            ["run-operation", "create_lake_tables"], target="athena", extra_environment=environment
        )
        result = workspace.dbt(
            ["build"], target="athena", extra_environment=environment, check=False
        )
        run_results = json.loads(
            (workspace.root / "target-athena" / "run_results.json").read_text()
        )
        assert result.returncode == 0, result.stdout[-6000:]
        yield AthenaRun(
            workspace, schema, raw_schema, lake_uri, partition_date, environment, run_results
        )
    finally:
        if os.environ.get("ATHENA_TEST_KEEP") != "1":
            glue = boto3.client("glue", region_name=os.environ["ATHENA_REGION"])
            for database in (schema, raw_schema):
                with contextlib.suppress(glue.exceptions.EntityNotFoundException):
                    glue.delete_database(Name=database)
            delete_prefix(lake_uri + "/")
            delete_prefix(f"{os.environ['ATHENA_S3_DATA_DIR'].rstrip('/')}/{schema}/")


def test_build_runs_every_model_and_test(athena_run: AthenaRun) -> None:
    statuses: dict[str, set[str]] = {}
    scanned = 0
    for result in athena_run.build_results["results"]:
        kind = result["unique_id"].split(".")[0]
        statuses.setdefault(kind, set()).add(result["status"])
        scanned += int((result.get("adapter_response") or {}).get("data_scanned_in_bytes") or 0)
    assert statuses["model"] == {"success"}
    assert statuses["test"] == {"pass"}
    assert statuses.get("unit_test", {"pass"}) == {"pass"}
    print(f"\ndbt build on Athena scanned {scanned / 1e6:.1f} MB (before the 10 MB minimum)")


def test_partition_projection_finds_todays_partition(athena_run: AthenaRun) -> None:
    # No MSCK REPAIR, no crawler: the partition is there because the projection says so.
    rows = athena_query(f'select dt, count(*) from "{athena_run.raw_schema}"."artists" group by dt')
    assert [row[0] for row in rows] == [athena_run.partition_date]


def test_tables_live_under_the_schema_prefix(athena_run: AthenaRun) -> None:
    glue = boto3.client("glue", region_name=os.environ["ATHENA_REGION"])
    data_dir = os.environ["ATHENA_S3_DATA_DIR"].rstrip("/")
    for model in TABLE_MODELS:
        table = glue.get_table(DatabaseName=athena_run.schema, Name=model)["Table"]
        location = table["StorageDescriptor"]["Location"]
        assert location.startswith(f"{data_dir}/{athena_run.schema}/{model}/"), location
        assert "parquet" in table["StorageDescriptor"]["InputFormat"].lower()


@pytest.mark.parametrize("model", TABLE_MODELS)
def test_table_equals_the_duckdb_build(athena_run: AthenaRun, model: str) -> None:

    glue = boto3.client("glue", region_name=os.environ["ATHENA_REGION"])
    location = glue.get_table(DatabaseName=athena_run.schema, Name=model)["Table"][
        "StorageDescriptor"
    ]["Location"]
    athena_table = pq.read_table(location.removeprefix("s3://"), filesystem=s3fs.S3FileSystem())
    with duckdb.connect(str(athena_run.workspace.duckdb_path), read_only=True) as connection:
        expected = read_table(connection, f'main."{model}"')
        connection.register("athena_result", athena_table)
        actual = read_table(connection, "athena_result")
    # Types are the engines' own (Athena's parquet vs DuckDB's): compare names and values.
    assert compare_tables(expected, actual, TOLERANCE, compare_types=False) == []


@pytest.mark.parametrize("model", VIEW_MODELS)
def test_view_row_count_equals_the_duckdb_build(athena_run: AthenaRun, model: str) -> None:
    [(count,)] = athena_query(f'select count(*) from "{athena_run.schema}"."{model}"')
    with duckdb.connect(str(athena_run.workspace.duckdb_path), read_only=True) as connection:
        [(expected,)] = connection.execute(f'select count(*) from main."{model}"').fetchall()
    assert int(count) == expected
