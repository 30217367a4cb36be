"""DuckDB-only syntax in SQL meant for Athena (Trino).

sqlglot's ``athena`` parser accepts some of it silently (``x::int``, ``group by all``,
``* exclude``, ``[1, 2]``, ``{'a': 1}`` all parse); some of it means something else on Trino
(``/`` of two integers truncates there; of two decimals, ``1.0 / 3``, it keeps one digit:
0.3). :func:`duckdb_only_syntax` finds both kinds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.tokens import TokenType

from tests.python.athena.static_types import annotate, decimal_literal_as_trino_types_it

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
            expression.copy().transform(decimal_literal_as_trino_types_it), dialect="athena"
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
