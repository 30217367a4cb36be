"""Column types without a database: the raw tables' from their DDL, every model's inferred.

:func:`static_schema` types the sources from the Athena DDL, the seeds from the
``column_types`` they declare, and each model from its compiled Athena SQL (sqlglot, in
dependency order, with Trino's decimal literals), so that the portability checks know which
operands of a division are integers or decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from tests.python.athena.dbt_offline import model_nodes_in_build_order
from tests.python.athena.lake_ddl import LakeTableDdl


def static_schema(
    manifest: Mapping[str, Any],
    lake_tables: Mapping[str, LakeTableDdl],
) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    """{catalog: {schema: {table: {column: type}}}} for the sources, seeds and every model.

    Source types come from the DDL; a seed's from its ``column_types`` config (a seed that
    declares none is left out, its columns unknown); each model's output types are inferred by
    sqlglot from its compiled Athena SQL, in dependency order (unknown where sqlglot cannot
    tell).
    """
    schema: dict[str, dict[str, dict[str, dict[str, str]]]] = {}

    def add(relation_name: str, columns: Mapping[str, str]) -> None:
        table = exp.to_table(relation_name, dialect="athena")
        schema.setdefault(table.catalog, {}).setdefault(table.db, {})[table.name] = dict(columns)

    for source in manifest["sources"].values():
        ddl = lake_tables.get(source["identifier"])
        if ddl is None:
            continue
        columns = {
            name: exp.DataType.build(column_type, dialect="hive").sql("athena")
            for name, column_type in (*ddl.columns, *ddl.partition_columns)
        }
        add(source["relation_name"], columns)

    for node in manifest["nodes"].values():
        declared = node["config"].get("column_types") if node["resource_type"] == "seed" else {}
        if declared:
            add(
                node["relation_name"],
                {
                    name: exp.DataType.build(column_type, dialect="athena").sql("athena")
                    for name, column_type in declared.items()
                },
            )

    for node in model_nodes_in_build_order(manifest):
        annotated = annotate(node["compiled_code"], schema)
        add(
            node["relation_name"],
            {select.alias_or_name: select.type.sql("athena") for select in annotated.selects},
        )
    return schema


def annotate(sql: str | exp.Expression, schema: Mapping[str, Any] | None) -> exp.Expression:
    """Parse Athena SQL, resolve its columns against ``schema`` and infer every type.

    Numeric literals with a decimal point (``1.0``) are typed DECIMAL, as Trino types them
    (sqlglot would say DOUBLE); ``1e-9`` stays DOUBLE.
    """
    mapping = MappingSchema(dict(schema or {}), dialect="athena")
    if isinstance(sql, exp.Expression):
        expression = sql.copy()
    else:
        expression = sqlglot.parse_one(sql, read="athena")
    expression = expression.transform(decimal_literal_as_trino_types_it)
    expression = qualify(
        expression,
        schema=mapping,
        dialect="athena",
        validate_qualify_columns=False,
        identify=False,
    )
    return annotate_types(expression, schema=mapping, dialect="athena")


def decimal_literal_as_trino_types_it(node: exp.Expression) -> exp.Expression:
    if (
        isinstance(node, exp.Literal)
        and not node.is_string
        and "." in node.this
        and "e" not in node.this.lower()
    ):
        # Unparameterised DECIMAL, so that sqlglot coerces it like Trino does: to DOUBLE
        # against a double, kept DECIMAL against an integer or a decimal.
        return exp.cast(exp.Literal.string(node.this), exp.DataType.build("decimal"))
    return node
