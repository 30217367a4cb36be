"""Check the Athena SQL of this project without an AWS account.

- ``duckdb_only_syntax``: flags DuckDB-only syntax in SQL meant for Athena (Trino), which
  sqlglot's ``athena`` parser accepts silently (``x::int``, ``group by all``, ``* exclude``,
  ``[1, 2]``, ``{'a': 1}`` all parse) or which means something else on Trino (``/`` of two
  integers truncates there; of two decimals, ``1.0 / 3``, it keeps one digit: 0.3).
- ``static_schema``: the column types of the raw tables (from the Athena DDL) and of every
  model (inferred by sqlglot, in dependency order, with Trino's decimal literals), so the
  division checks know which operands are integers or decimals.
- ``AthenaOnDuckDB``: runs the compiled Athena SQL, transpiled by sqlglot (athena ->
  duckdb), on DuckDB over a local lake, with the relation names Athena would use.
- ``compare_tables``: the same rows (in any order), floats within a tolerance.
- ``compile_athena`` / ``render_lake_ddl``: the offline dbt steps (no AWS call can succeed:
  dummy credentials, no instance metadata).
"""

from __future__ import annotations

import json
import math
import pathlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema
from sqlglot.tokens import TokenType

from tests.python.dbt_runner import DbtWorkspace

# Environment for dbt's Athena target on a machine without AWS: dummy credentials (never
# a real account's), no instance-metadata lookups, placeholder S3 locations.
OFFLINE_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "offline",
    "AWS_SECRET_ACCESS_KEY": "offline",
    "AWS_SESSION_TOKEN": "offline",
    "AWS_EC2_METADATA_DISABLED": "true",
    "ATHENA_S3_STAGING_DIR": "s3://offline-athena-results/results/",
    "ATHENA_S3_DATA_DIR": "s3://offline-athena-data/warehouse/",
}
OFFLINE_LAKE_URI = "s3://offline-lake/lake"

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


# ---------------------------------------------------------------------------------------
# dbt, offline


def compile_athena(workspace: DbtWorkspace, variables: Mapping[str, Any] | None = None) -> dict:
    """``dbt compile --target athena --no-populate-cache``; returns the manifest."""
    target = workspace.root / "target-athena"
    arguments = ["compile", "--no-populate-cache"]
    if variables:
        arguments += ["--vars", json.dumps(dict(variables))]
    workspace.dbt(
        arguments,
        target="athena",
        target_path=target,
        extra_environment=OFFLINE_AWS_ENVIRONMENT,
    )
    return json.loads((target / "manifest.json").read_text())


def render_lake_ddl(
    workspace: DbtWorkspace,
    lake_uri: str = OFFLINE_LAKE_URI,
    extra_environment: Mapping[str, str] | None = None,
) -> list[str]:
    """The statements ``create_lake_tables`` would run, printed by its dry run."""
    result = workspace.dbt(
        [
            "--quiet",
            "run-operation",
            "create_lake_tables",
            "--no-populate-cache",
            "--args",
            json.dumps({"dry_run": True, "lake_uri": lake_uri}),
        ],
        target="athena",
        target_path=workspace.root / "target-athena-ddl",
        extra_environment={**OFFLINE_AWS_ENVIRONMENT, **(extra_environment or {})},
    )
    return split_statements(result.stdout)


def split_statements(text: str) -> list[str]:
    """Split ``;``-terminated SQL statements (none of ours has a ``;`` inside a string)."""
    return [statement.strip() for statement in text.split(";") if statement.strip()]


def model_nodes_in_build_order(manifest: Mapping[str, Any]) -> list[dict]:
    """The manifest's model nodes, each after every model it depends on."""
    models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }
    ordered: list[dict] = []
    done: set[str] = set()

    def visit(unique_id: str, path: tuple[str, ...]) -> None:
        if unique_id in done:
            return
        if unique_id in path:
            raise ValueError(f"dependency cycle: {' -> '.join((*path, unique_id))}")
        for parent in models[unique_id]["depends_on"]["nodes"]:
            if parent in models:
                visit(parent, (*path, unique_id))
        done.add(unique_id)
        ordered.append(models[unique_id])

    for unique_id in sorted(models):
        visit(unique_id, ())
    return ordered


def data_test_nodes(manifest: Mapping[str, Any]) -> list[dict]:
    """The manifest's data test nodes (generic and singular), with compiled SQL."""
    return [
        node
        for _, node in sorted(manifest["nodes"].items())
        if node["resource_type"] == "test" and node.get("compiled_code")
    ]


# ---------------------------------------------------------------------------------------
# The raw-table DDL


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


# ---------------------------------------------------------------------------------------
# Types


def static_schema(
    manifest: Mapping[str, Any],
    lake_tables: Mapping[str, LakeTableDdl],
) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    """{catalog: {schema: {table: {column: type}}}} for the sources and every model.

    Source types come from the DDL; each model's output types are inferred by sqlglot from
    its compiled Athena SQL, in dependency order (unknown where sqlglot cannot tell).
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
    expression = expression.transform(_decimal_literal_as_trino_types_it)
    expression = qualify(
        expression,
        schema=mapping,
        dialect="athena",
        validate_qualify_columns=False,
        identify=False,
    )
    return annotate_types(expression, schema=mapping, dialect="athena")


def _decimal_literal_as_trino_types_it(node: exp.Expression) -> exp.Expression:
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


# ---------------------------------------------------------------------------------------
# DuckDB-only syntax in Athena SQL

# Functions DuckDB has and Athena (Trino) does not (as DuckDB means them).
DUCKDB_ONLY_FUNCTIONS = frozenset(
    {
        "struct_pack",
        "list_value",
        "list_pack",
        "list_extract",
        "list_aggregate",
        "generate_subscripts",
        "read_parquet",
        "read_csv",
        "read_csv_auto",
        "read_json",
        "epoch_ms",
        "strftime",
        "strptime",
    }
)


@dataclass(frozen=True)
class Finding:
    """One piece of DuckDB-only syntax, with where it was found."""

    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.excerpt}"


def duckdb_only_syntax(sql: str, schema: Mapping[str, Any] | None = None) -> list[Finding]:
    """Everything in ``sql`` (meant for Athena) that only DuckDB reads the same way.

    Flags ``::`` casts, ``qualify``, ``group by all``, ``* exclude/replace/rename``, list
    literals ``[...]`` (Athena needs ``array[...]``), struct/map literals ``{...}``,
    ``ilike``, ``unnest`` in a select list (Athena needs ``cross join unnest``), DuckDB-only
    functions, ``/`` between two integers (Trino truncates, DuckDB does not) and ``/``
    between decimals, or a decimal and an integer (``1.0 / 3`` is 0.3 on Trino, whose
    decimal division keeps the operands' scale; DuckDB divides as doubles). Operand types
    come from literals, casts and functions, and from columns when ``schema`` ({catalog:
    {schema: {table: {column: type}}}}) gives their types.
    """
    findings = _token_findings(sql)
    expression = _parse_leniently(sql)
    if expression is None:
        return [*findings, Finding("unparsable", sql.strip()[:80])]
    findings += _tree_findings(expression)
    findings += _divisions(expression, schema)
    return findings


def _token_findings(sql: str) -> list[Finding]:
    findings = []
    tokens = sqlglot.tokenize(sql, read="athena")
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else None
        if token.token_type == TokenType.DCOLON:
            findings.append(Finding("'::' cast (use cast(x as type))", _around(tokens, index)))
        elif token.token_type == TokenType.L_BRACE:
            findings.append(Finding("struct/map literal '{...}'", _around(tokens, index)))
        elif token.token_type == TokenType.L_BRACKET and not _is_subscript_or_array(previous):
            findings.append(
                Finding("list literal '[...]' (use array[...])", _around(tokens, index))
            )
    return findings


_SUBSCRIPTABLE = {
    TokenType.VAR,
    TokenType.IDENTIFIER,
    TokenType.R_PAREN,
    TokenType.R_BRACKET,
    TokenType.ARRAY,
    TokenType.MAP,
}


def _is_subscript_or_array(previous: Any) -> bool:
    return previous is not None and previous.token_type in _SUBSCRIPTABLE


def _around(tokens: Sequence[Any], index: int) -> str:
    return " ".join(token.text for token in tokens[max(0, index - 4) : index + 5])


def _parse_leniently(sql: str) -> exp.Expression | None:
    # The athena parser rejects some DuckDB syntax outright (qualify); DuckDB's reads it.
    for dialect in ("athena", "duckdb"):
        try:
            return sqlglot.parse_one(sql, read=dialect)
        except ParseError:
            continue
    return None


def _tree_findings(expression: exp.Expression) -> list[Finding]:
    findings = []
    for node in expression.walk():
        if isinstance(node, exp.Qualify):
            findings.append(Finding("qualify", node.sql("duckdb")[:80]))
        elif isinstance(node, exp.Group) and node.args.get("all"):
            findings.append(Finding("group by all", node.sql("duckdb")[:80]))
        elif isinstance(node, exp.Star) and any(
            node.args.get(key) for key in ("except_", "replace", "rename", "ilike")
        ):
            findings.append(Finding("* exclude/replace", node.sql("duckdb")[:80]))
        elif isinstance(node, exp.ILike):
            findings.append(Finding("ilike (use lower(x) like ...)", node.sql("duckdb")[:80]))
        elif isinstance(node, exp.Select):
            for projection in node.selects:
                if isinstance(projection.unalias(), exp.Unnest):
                    findings.append(
                        Finding(
                            "unnest in a select list (use cross join unnest)",
                            projection.sql("duckdb")[:80],
                        )
                    )
        elif _is_duckdb_only_function(node):
            findings.append(Finding("DuckDB-only function", node.sql("duckdb")[:80]))
    return findings


def _is_duckdb_only_function(node: exp.Expression) -> bool:
    if isinstance(node, exp.ReadParquet | exp.ReadCSV):
        return True
    return isinstance(node, exp.Anonymous) and node.name.lower() in DUCKDB_ONLY_FUNCTIONS


def _divisions(expression: exp.Expression, schema: Mapping[str, Any] | None) -> list[Finding]:
    try:
        annotated = annotate(expression, schema)
    except Exception:  # sqlglot could not resolve the query: fall back to local typing.
        annotated = annotate_types(
            expression.copy().transform(_decimal_literal_as_trino_types_it), dialect="athena"
        )
    findings = []
    for division in annotated.find_all(exp.Div):
        left, right = division.this, division.expression
        excerpt = re.sub(r"CAST\('([0-9.]+)' AS DECIMAL\)", r"\1", division.sql("athena"))[:120]
        if _is_integer(left) and _is_integer(right):
            findings.append(
                Finding("integer / integer (Trino truncates; cast one side to double)", excerpt)
            )
        elif (_is_decimal(left) or _is_decimal(right)) and (
            (_is_decimal(left) or _is_integer(left)) and (_is_decimal(right) or _is_integer(right))
        ):
            findings.append(
                Finding(
                    "decimal / decimal or integer (Trino keeps the operands' scale: "
                    "1.0 / 3 = 0.3; cast one side to double)",
                    excerpt,
                )
            )
    return findings


def _is_integer(expression: exp.Expression) -> bool:
    data_type = expression.type
    return data_type is not None and data_type.is_type(*exp.DataType.INTEGER_TYPES)


def _is_decimal(expression: exp.Expression) -> bool:
    data_type = expression.type
    return data_type is not None and data_type.is_type(exp.DType.DECIMAL)


# ---------------------------------------------------------------------------------------
# Running Athena SQL on DuckDB


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


# ---------------------------------------------------------------------------------------
# Comparing results


@dataclass(frozen=True)
class TableContents:
    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: list[tuple]


def read_table(connection: duckdb.DuckDBPyConnection, relation: str) -> TableContents:
    cursor = connection.execute(f"select * from {relation}")
    description = cursor.description or []
    rows = cursor.fetchall()
    return TableContents(
        columns=tuple(column[0] for column in description),
        types=tuple(str(column[1]) for column in description),
        rows=rows,
    )


def compare_tables(
    expected: TableContents,
    actual: TableContents,
    tolerance: float,
    *,
    compare_types: bool = True,
) -> list[str]:
    """Differences between two tables: columns, then rows in any order (floats close)."""
    if expected.columns != actual.columns:
        return [f"columns differ: {expected.columns} != {actual.columns}"]
    problems = []
    if compare_types and expected.types != actual.types:
        problems.append(f"types differ: {expected.types} != {actual.types}")
    if len(expected.rows) != len(actual.rows):
        problems.append(f"row counts differ: {len(expected.rows)} != {len(actual.rows)}")
        return problems
    for expected_row, actual_row in zip(
        sorted(expected.rows, key=_sort_key), sorted(actual.rows, key=_sort_key), strict=True
    ):
        if not _rows_match(expected_row, actual_row, tolerance):
            problems.append(f"row differs: {expected_row} != {actual_row}")
            if len(problems) >= 10:
                break
    return problems


def _sort_key(row: tuple) -> tuple:
    # Floats are rounded so that noise in the last bits cannot change the order.
    return tuple(
        (0, "")
        if value is None
        else (1, f"{value:.6e}")
        if isinstance(value, float)
        else (1, repr(value))
        for value in row
    )


def _rows_match(expected: tuple, actual: tuple, tolerance: float) -> bool:
    return len(expected) == len(actual) and all(
        _values_match(left, right, tolerance) for left, right in zip(expected, actual, strict=True)
    )


def _values_match(left: Any, right: Any, tolerance: float) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(
            _values_match(a, b, tolerance) for a, b in zip(left, right, strict=True)
        )
    return left == right
