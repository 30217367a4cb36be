"""The raw-table DDL of `create_lake_tables` matches the lake contract and the lake layout.

Rendered offline by the macro's dry run, checked against ``extract/schemas.py`` and parsed
with sqlglot's athena dialect; then run for real through dbt-athena against a local AWS API
(moto in server mode), where the extractor has written a lake to S3.
"""

from __future__ import annotations

import collections
import pathlib
import re
from collections.abc import Iterator

import boto3
import pyarrow as pa
import pytest
import sqlglot
from moto.server import ThreadedMotoServer
from sqlglot import exp

from extract.cli import main as extract_main
from extract.lake_writer import Lake
from extract.schemas import LAKE_TABLES
from tests.python.athena.dbt_offline import (
    OFFLINE_AWS_ENVIRONMENT,
    OFFLINE_LAKE_URI,
    render_lake_ddl,
    split_statements,
)
from tests.python.athena.lake_ddl import LakeTableDdl, athena_ddl_type, parse_lake_ddl
from tests.python.dbt_runner import SUBSET_CSV, DbtWorkspace

REGION = "eu-west-1"
PARTITION_DATE = "2026-11-24"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> DbtWorkspace:
    return DbtWorkspace.create(tmp_path_factory.mktemp("athena-ddl"))


@pytest.fixture(scope="module")
def statements(workspace: DbtWorkspace) -> list[str]:
    return render_lake_ddl(workspace)


@pytest.fixture(scope="module")
def lake_tables(statements: list[str]) -> dict[str, LakeTableDdl]:
    return parse_lake_ddl(statements)


def expected_columns(schema: pa.Schema) -> tuple[tuple[str, str], ...]:
    return tuple((field.name, athena_ddl_type(field.type)) for field in schema)


def test_athena_types_of_the_pyarrow_types() -> None:
    assert athena_ddl_type(pa.string()) == "string"
    assert athena_ddl_type(pa.int32()) == "int"
    assert athena_ddl_type(pa.int64()) == "bigint"
    assert athena_ddl_type(pa.float64()) == "double"
    assert athena_ddl_type(pa.bool_()) == "boolean"
    assert athena_ddl_type(pa.timestamp("us", tz="UTC")) == "timestamp"
    assert athena_ddl_type(pa.list_(pa.string())) == "array<string>"
    with pytest.raises(ValueError, match="no Athena type"):
        athena_ddl_type(pa.float16())


def test_one_table_per_lake_table(lake_tables: dict[str, LakeTableDdl]) -> None:
    assert sorted(lake_tables) == sorted(LAKE_TABLES)


@pytest.mark.parametrize("table", sorted(LAKE_TABLES))
def test_columns_match_the_pyarrow_schema_exactly(
    lake_tables: dict[str, LakeTableDdl], table: str
) -> None:
    assert lake_tables[table].columns == expected_columns(LAKE_TABLES[table])


def test_a_type_mismatch_would_be_caught(lake_tables: dict[str, LakeTableDdl]) -> None:
    # The comparison above is not vacuous: a schema that drifts from the DDL fails it.
    drifted = LAKE_TABLES["artists"].set(3, pa.field("popularity", pa.int64()))
    assert lake_tables["artists"].columns != expected_columns(drifted)


@pytest.mark.parametrize("table", sorted(LAKE_TABLES))
def test_partitioned_by_dt_with_date_projection_up_to_today(
    lake_tables: dict[str, LakeTableDdl], table: str
) -> None:
    ddl = lake_tables[table]
    location = f"{OFFLINE_LAKE_URI}/{table}/"
    assert ddl.schema == "spotify_raw"
    assert ddl.partition_columns == (("dt", "string"),)
    assert ddl.location == location
    assert ddl.properties == {
        "projection.enabled": "true",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.range": "2020-01-01,NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
        "storage.location.template": f"{location}dt=${{dt}}/",
    }


def test_every_statement_parses_as_athena_and_is_safe_to_repeat(statements: list[str]) -> None:
    kinds = []
    for statement in statements:
        expression = sqlglot.parse_one(statement, read="athena")
        assert isinstance(expression, exp.Create | exp.Drop), statement
        # `if not exists` / `if exists` everywhere: a second run meets what the first left.
        assert expression.args.get("exists") is True, statement
        kinds.append(f"{type(expression).__name__.lower()} {expression.args['kind'].lower()}")
        if isinstance(expression, exp.Create) and expression.args["kind"] == "TABLE":
            assert expression.find(exp.ExternalProperty), "raw tables must be external"
            file_format = expression.find(exp.FileFormatProperty)
            assert file_format is not None and file_format.name.lower() == "parquet"
    # The schema first; each table dropped (never its S3 data: it is external) then created.
    assert kinds == ["create database"] + ["drop table", "create table"] * len(LAKE_TABLES)


def test_schema_and_first_date_are_configurable(workspace: DbtWorkspace) -> None:
    result = workspace.dbt(
        [
            "--quiet",
            "run-operation",
            "create_lake_tables",
            "--no-populate-cache",
            "--args",
            "{dry_run: true, lake_uri: 's3://other-bucket/lake/', first_dt: '2024-06-01'}",
        ],
        target="athena",
        target_path=workspace.root / "target-configured",
        extra_environment={**OFFLINE_AWS_ENVIRONMENT, "ATHENA_RAW_SCHEMA": "spotify_raw_ci"},
    )
    tables = parse_lake_ddl(split_statements(result.stdout))
    assert {table.schema for table in tables.values()} == {"spotify_raw_ci"}
    assert tables["artists"].location == "s3://other-bucket/lake/artists/"
    assert tables["artists"].properties["projection.dt.range"] == "2024-06-01,NOW"
    assert "create database if not exists `spotify_raw_ci`" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("{dry_run: true, lake_uri: './lake'}", "the lake must be an s3:// URI"),
        (
            "{dry_run: true, lake_uri: 's3://b/lake', first_dt: '2024/06/01'}",
            "first_dt must be a yyyy-MM-dd date",
        ),
    ],
)
def test_bad_arguments_fail_with_a_message(
    workspace: DbtWorkspace, arguments: str, message: str
) -> None:
    result = workspace.dbt(
        ["run-operation", "create_lake_tables", "--no-populate-cache", "--args", arguments],
        target="athena",
        target_path=workspace.root / "target-bad-arguments",
        extra_environment=OFFLINE_AWS_ENVIRONMENT,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stdout


def test_nothing_to_create_on_duckdb(workspace: DbtWorkspace) -> None:
    result = workspace.dbt(
        ["run-operation", "create_lake_tables"], target_path=workspace.root / "target-duckdb-op"
    )
    assert "nothing to do on the duckdb target" in result.stdout


# ---------------------------------------------------------------------------------------
# For real, through dbt-athena, against a local AWS API (moto server).


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A moto server with the buckets; yields the environment that points AWS clients at it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    environment = {
        **OFFLINE_AWS_ENVIRONMENT,
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_DEFAULT_REGION": REGION,
        "ATHENA_REGION": REGION,
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        s3 = boto3.client("s3", region_name=REGION)
        for uri in (
            OFFLINE_LAKE_URI,
            environment["ATHENA_S3_STAGING_DIR"],
            environment["ATHENA_S3_DATA_DIR"],
        ):
            s3.create_bucket(
                Bucket=uri.split("/")[2],
                CreateBucketConfiguration={"LocationConstraint": REGION},
            )
        yield environment
    server.stop()


def recorded_queries(environment: dict[str, str]) -> list[dict]:
    athena = boto3.client(
        "athena", region_name=REGION, endpoint_url=environment["AWS_ENDPOINT_URL"]
    )
    executions = []
    for page in athena.get_paginator("list_query_executions").paginate():
        for query_id in page["QueryExecutionIds"]:
            executions.append(athena.get_query_execution(QueryExecutionId=query_id))
    return [execution["QueryExecution"] for execution in executions]


def without_query_comment(query: str) -> str:
    """A statement as the macro wrote it, without the comment dbt prepends."""
    return re.sub(r"^\s*-- /\*.*?\*/\s*", "", query, flags=re.DOTALL).strip()


def test_create_lake_tables_runs_through_dbt_athena_twice(
    workspace: DbtWorkspace, statements: list[str], local_aws: dict[str, str]
) -> None:
    for run in ("first", "second"):
        result = workspace.dbt(
            ["run-operation", "create_lake_tables", "--args", f"{{lake_uri: {OFFLINE_LAKE_URI}}}"],
            target="athena",
            target_path=workspace.root / f"target-moto-{run}",
            extra_environment=local_aws,
        )
        assert "create_lake_tables: create external table" in result.stdout

    queries = recorded_queries(local_aws)
    sent = collections.Counter(without_query_comment(query["Query"]) for query in queries)
    # Exactly the dry run's statements, once per run: what we test offline is what runs.
    assert sent == collections.Counter(statements * 2)
    for query in queries:
        assert query["QueryExecutionContext"]["Catalog"] == "awsdatacatalog"
        assert query["ResultConfiguration"]["OutputLocation"].startswith(
            local_aws["ATHENA_S3_STAGING_DIR"]
        )
        assert query["WorkGroup"] == "primary"


def test_projection_finds_the_partitions_the_extractor_writes(
    lake_tables: dict[str, LakeTableDdl], local_aws: dict[str, str], tmp_path: pathlib.Path
) -> None:
    # The importer writes the lake to (local) S3; each table's projection template, filled
    # with the partition date, must be the folder holding that day's files.
    exit_code = extract_main(
        [
            "dataset",
            str(SUBSET_CSV),
            "--lake",
            OFFLINE_LAKE_URI,
            "--dt",
            PARTITION_DATE,
            "--name",
            "tidytuesday",
        ]
    )
    assert exit_code == 0
    lake = Lake.open(OFFLINE_LAKE_URI)
    s3 = boto3.client("s3", region_name=REGION)
    for table, ddl in lake_tables.items():
        partition = ddl.properties["storage.location.template"].replace("${dt}", PARTITION_DATE)
        assert partition == f"s3://{lake.partition_path(table, PARTITION_DATE)}/"
        bucket, _, prefix = partition.removeprefix("s3://").partition("/")
        keys = [
            item["Key"]
            for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        ]
        assert keys and all(key.endswith(".parquet") for key in keys), (table, keys)
