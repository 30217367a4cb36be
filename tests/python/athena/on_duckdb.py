"""Running the compiled Athena SQL on DuckDB, over a local lake.

The SQL is transpiled by sqlglot (athena -> duckdb) and run with the relation names Athena
would use (:class:`AthenaOnDuckDB`).
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from tests.python.athena.dbt_offline import model_nodes_in_build_order
from tests.python.athena.lake_ddl import LakeTableDdl


def transpile_to_duckdb(sql: str) -> str:
    """Compiled Athena SQL as DuckDB SQL (sqlglot, read athena, write duckdb).

    sqlglot writes Trino's ``/`` as DuckDB's ``/`` even between integers (where Trino
    truncates): ``duckdb_only_syntax`` is what guards against integer division.
    """
    [statement] = sqlglot.transpile(sql, read="athena", write="duckdb")
    return statement


class AthenaOnDuckDB:
    """A DuckDB session that looks like the Athena catalog to compiled Athena SQL.

    ``awsdatacatalog`` is an attached in-memory database; the raw tables are views over the
    local lake with the columns and types of the ``create external table`` DDL (columns a
    file lacks are null, matched by name like Athena's parquet reader); each model is
    created from its transpiled compiled SQL, as a view or a table like its
    materialization.
    """

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        connection.execute("set TimeZone = 'UTC'")
        connection.execute("attach ':memory:' as awsdatacatalog")

    def create_raw_tables(
        self, tables: Mapping[str, LakeTableDdl], lake_uri: str, local_lake: pathlib.Path
    ) -> None:
        for table in tables.values():
            if not table.location.startswith(lake_uri.rstrip("/") + "/"):
                raise ValueError(f"{table.name}: location {table.location} is not under {lake_uri}")
            local = local_lake / table.location[len(lake_uri.rstrip("/")) + 1 :].strip("/")
            columns = ",\n".join(
                f'cast("{name}" as {_duckdb_type(column_type)}) as "{name}"'
                for name, column_type in (*table.columns, *table.partition_columns)
            )
            self.connection.execute(f'create schema if not exists awsdatacatalog."{table.schema}"')
            self.connection.execute(
                f'create or replace view awsdatacatalog."{table.schema}"."{table.name}" as '
                f"select {columns} from read_parquet('{local}/dt=*/*.parquet', "
                "hive_partitioning = true, hive_types = {'dt': 'VARCHAR'}, union_by_name = true)"
            )

    def create_seeds(self, manifest: Mapping[str, Any], project_dir: pathlib.Path) -> list[str]:
        """Create every seed from its CSV (text columns, as the seeds declare them)."""
        created = []
        for node in manifest["nodes"].values():
            if node["resource_type"] != "seed":
                continue
            relation = node["relation_name"]
            table = exp.to_table(relation, dialect="athena")
            self.connection.execute(f'create schema if not exists "{table.catalog}"."{table.db}"')
            path = project_dir / node["original_file_path"]
            self.connection.execute(
                f"create or replace table {relation} as "
                f"select * from read_csv('{path}', header = true, all_varchar = true)"
            )
            created.append(relation)
        return created

    def create_models(self, manifest: Mapping[str, Any]) -> list[str]:
        """Create every model in dependency order; returns their relation names."""
        created = []
        for node in model_nodes_in_build_order(manifest):
            relation = node["relation_name"]
            table = exp.to_table(relation, dialect="athena")
            self.connection.execute(f'create schema if not exists "{table.catalog}"."{table.db}"')
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            duckdb_sql = transpile_to_duckdb(node["compiled_code"])
            try:
                self.connection.execute(f"create or replace {kind} {relation} as {duckdb_sql}")
            except duckdb.Error as error:
                raise AssertionError(
                    f"{node['name']}: transpiled Athena SQL failed on DuckDB: {error}\n{duckdb_sql}"
                ) from error
            created.append(relation)
        return created

    def run_test(self, node: Mapping[str, Any]) -> int:
        """How many rows a data test returns (0 = passes), run from its Athena SQL."""
        duckdb_sql = transpile_to_duckdb(node["compiled_code"])
        [(failures,)] = self.connection.execute(
            f"select count(*) from ({duckdb_sql}) as test_result"
        ).fetchall()
        return failures


def _duckdb_type(athena_type: str) -> str:
    return exp.DataType.build(athena_type, dialect="hive").sql("duckdb")
