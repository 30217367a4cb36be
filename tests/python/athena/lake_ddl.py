"""The raw tables' Athena DDL: the types a parquet column needs, and the statements parsed.

``render_lake_ddl`` (in :mod:`tests.python.athena.dbt_offline`) prints the statements;
:func:`parse_lake_ddl` takes each ``create external table`` apart with sqlglot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import sqlglot
from sqlglot import exp

# pyarrow type -> Athena (Hive DDL) column type.
_ATHENA_SCALAR_TYPES = {
    pa.string(): "string",
    pa.large_string(): "string",
    pa.int32(): "int",
    pa.int64(): "bigint",
    pa.float64(): "double",
    pa.bool_(): "boolean",
}


def athena_ddl_type(arrow_type: pa.DataType) -> str:
    """The Athena DDL type that reads a parquet column written with ``arrow_type``."""
    if arrow_type in _ATHENA_SCALAR_TYPES:
        return _ATHENA_SCALAR_TYPES[arrow_type]
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return f"array<{athena_ddl_type(arrow_type.value_type)}>"
    raise ValueError(f"no Athena type for pyarrow type {arrow_type}")


@dataclass(frozen=True)
class LakeTableDdl:
    """One ``create external table`` statement, taken apart by sqlglot."""

    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, Athena DDL type), in order
    partition_columns: tuple[tuple[str, str], ...]
    location: str
    properties: dict[str, str]


def parse_lake_ddl(statements: Iterable[str]) -> dict[str, LakeTableDdl]:
    """The external tables created by ``statements``, by table name."""
    tables = {}
    for statement in statements:
        expression = sqlglot.parse_one(statement, read="athena")
        if not (
            isinstance(expression, exp.Create)
            and expression.args.get("kind") == "TABLE"
            and expression.find(exp.ExternalProperty)
        ):
            continue
        table_schema = expression.this
        table = table_schema.this
        properties = expression.args["properties"]
        partitioned = properties.find(exp.PartitionedByProperty)
        location = properties.find(exp.LocationProperty)
        table_properties = {
            prop.name: prop.text("value")
            for prop in properties.expressions
            if isinstance(prop, exp.Property) and type(prop) is exp.Property
        }
        tables[table.name] = LakeTableDdl(
            schema=table.db,
            name=table.name,
            columns=tuple(
                (column.name, column.args["kind"].sql("hive").lower())
                for column in table_schema.expressions
            ),
            partition_columns=tuple(
                (column.name, column.args["kind"].sql("hive").lower())
                for column in (partitioned.this.expressions if partitioned else [])
            ),
            location=location.this.name if location else "",
            properties=table_properties,
        )
    return tables
