"""How many rows each step of the similarity chain's compiled Athena SQL produces, measured
on DuckDB at the sizes given and extrapolated to a larger one; and which steps Trino would
run on a single node.

    .venv/bin/python -m benchmarks.athena_row_counts --method original \\
        --warehouse 100000=/tmp/bench/artists-100000/warehouse.duckdb \\
        --warehouse 1000000=/tmp/bench/artists-1000000/warehouse.duckdb --extrapolate 10000000

Run from the repository root. Compiles the project for the Athena target offline (dummy
credentials, as the tests do; ``--method`` picks the similarity vars as
``benchmarks/run_benchmark.py`` does), takes every model of the similarity chain (the
models ``fct_related_artists`` needs that ``dim_artists`` does not) and, for each common
table expression of each model's compiled Athena SQL and for the model itself, runs
``select count(*)`` over it, transpiled to DuckDB by sqlglot, on each warehouse given: a
DuckDB file built by ``run_benchmark`` for that many artists with the same method, whose
tables stand in for the Athena tables under the names Athena would use. The counts at the
two largest sizes give each step's growth exponent (rows proportional to artists^b),
which extrapolates them to ``--extrapolate`` artists.

Single-node steps are read from the SQL: a window function without ``partition by`` runs
on one node in Trino. A global aggregate (no ``group by``) is marked too. Trino computes it
as partial aggregates on every node and a final one on a single node, which is cheap.

Prints a markdown table; ``--json PATH`` writes the figures too. Read-only on the
warehouses.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field

import duckdb
import sqlglot
from sqlglot import exp

from benchmarks.run_benchmark import method_variables
from tests.python.athena.dbt_offline import compile_athena, model_nodes_in_build_order
from tests.python.dbt_runner import DbtWorkspace

PROGRAM = "athena_row_counts"
LAST_MODEL = "fct_related_artists"
WITH = "with_"  # sqlglot's key of a query's WITH clause
FIRST_OUTSIDE = "dim_artists"


def growth(by_size: dict[int, int]) -> float | None:
    """b in value ~ artists^b, from the two largest sizes; None without two non-zero values."""
    sizes = sorted(by_size)
    if len(sizes) < 2 or not by_size[sizes[-2]] or not by_size[sizes[-1]]:
        return None
    small, large = sizes[-2], sizes[-1]
    return math.log(by_size[large] / by_size[small]) / math.log(large / small)


def extrapolated(by_size: dict[int, int], artists: int) -> float | None:
    """The value at ``artists``, from the largest size measured and the growth."""
    exponent = growth(by_size)
    if exponent is None:
        return None
    largest = max(by_size)
    return by_size[largest] * (artists / largest) ** exponent


@dataclass
class Step:
    model: str
    step: str  # a CTE's name, or "(model)" for the model's own rows
    single_node: list[str]
    rows: dict[int, int] = field(default_factory=dict)
    seconds: dict[int, float] = field(default_factory=dict)

    def growth(self) -> float | None:
        return growth(self.rows)

    def extrapolated(self, artists: int) -> float | None:
        return extrapolated(self.rows, artists)


def chain_models(manifest: dict) -> list[dict]:
    """The models fct_related_artists needs that dim_artists does not, in build order."""
    nodes = model_nodes_in_build_order(manifest)
    by_id = {node["unique_id"]: node for node in nodes}

    def ancestors(unique_id: str) -> set[str]:
        seen: set[str] = set()
        stack = [unique_id]
        while stack:
            for parent in by_id[stack.pop()]["depends_on"]["nodes"]:
                if parent in by_id and parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    [last] = [node["unique_id"] for node in nodes if node["name"] == LAST_MODEL]
    [outside] = [node["unique_id"] for node in nodes if node["name"] == FIRST_OUTSIDE]
    wanted = (ancestors(last) | {last}) - ancestors(outside) - {outside}
    return [node for node in nodes if node["unique_id"] in wanted]


def single_node_steps(expression: exp.Expression) -> list[str]:
    """What in ``expression`` Trino runs on a single node (windows without partition by)
    or finishes on one (global aggregates)."""
    marks = []
    for window in expression.find_all(exp.Window):
        if not window.args.get("partition_by"):
            marks.append(f"window without partition by: {window.this.sql(dialect='athena')[:40]}")
    for select in expression.find_all(exp.Select):
        has_aggregate = any(
            isinstance(projection.unalias(), exp.AggFunc)
            for projection in select.expressions
            if not projection.find(exp.Window)
        )
        if has_aggregate and not select.args.get("group"):
            marks.append("global aggregate (partial per node, final on one)")
    return sorted(set(marks))


def steps_of(node: dict) -> tuple[exp.Expression, list[Step]]:
    tree = sqlglot.parse_one(node["compiled_code"], read="athena")
    steps = [Step(node["name"], cte.alias, single_node_steps(cte.this)) for cte in tree.ctes]
    own = tree.copy()
    own.set(WITH, None)
    steps.append(Step(node["name"], "(model)", single_node_steps(own)))
    return tree, steps


def count_query(tree: exp.Expression, step: Step, relation: str) -> str:
    if step.step == "(model)":
        return f"select count(*) from {relation}"
    query = exp.select(exp.Count(this=exp.Star())).from_(step.step)
    query.set(WITH, tree.args[WITH].copy())
    return query.sql(dialect="duckdb")


def open_as_athena(warehouse: pathlib.Path, schema: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB where ``awsdatacatalog.<schema>.<table>`` is the warehouse's
    table of that name. ``DUCKDB_MEMORY_LIMIT`` and ``DUCKDB_THREADS`` set DuckDB's limits
    as they do for dbt (profiles.yml); the rows' order is not kept (only counted), which
    lets more operators spill."""
    config = {"preserve_insertion_order": False}
    limits = {"memory_limit": "DUCKDB_MEMORY_LIMIT", "threads": "DUCKDB_THREADS"}
    for setting, variable in limits.items():
        if os.environ.get(variable):
            config[setting] = os.environ[variable]
    connection = duckdb.connect(config=config)
    connection.execute(f"attach '{warehouse}' as warehouse (read_only)")
    connection.execute("attach ':memory:' as awsdatacatalog")
    connection.execute(f'create schema awsdatacatalog."{schema}"')
    tables = connection.execute(
        "select table_name from information_schema.tables where table_catalog = 'warehouse'"
    ).fetchall()
    for (table,) in tables:
        connection.execute(
            f'create view awsdatacatalog."{schema}"."{table}" as '
            f'select * from warehouse.main."{table}"'
        )
    return connection


def measure(manifest: dict, warehouses: dict[int, pathlib.Path]) -> list[Step]:
    models = chain_models(manifest)
    parsed = [(node, *steps_of(node)) for node in models]
    for artists, warehouse in sorted(warehouses.items()):
        schema = exp.to_table(models[0]["relation_name"], dialect="athena").db
        with open_as_athena(warehouse, schema) as connection:
            for node, tree, steps in parsed:
                for step in steps:
                    started = time.perf_counter()
                    query = count_query(tree, step, node["relation_name"])
                    [(rows,)] = connection.execute(query).fetchall()
                    step.rows[artists] = rows
                    step.seconds[artists] = time.perf_counter() - started
                    print(
                        f"[{PROGRAM}] {artists:,}: {node['name']}.{step.step}: {rows:,}",
                        file=sys.stderr,
                        flush=True,
                    )
    return [step for _, _, steps in parsed for step in steps]


@dataclass
class Table:
    """A model's table as parquet (snappy, as Athena's CTAS writes it), and what it scans:
    its parents, a view's own parents in its place (Athena reads a view's tables each time)."""

    model: str
    is_view: bool
    scans: list[str]
    bytes: dict[int, int] = field(default_factory=dict)

    def growth(self) -> float | None:
        return growth(self.bytes)

    def extrapolated(self, artists: int) -> float | None:
        return extrapolated(self.bytes, artists)


def table_sizes(manifest: dict, warehouses: dict[int, pathlib.Path]) -> dict[str, Table]:
    """The chain's models and the tables they scan, each table's size as parquet."""
    models = {node["unique_id"]: node for node in model_nodes_in_build_order(manifest)}
    by_name = {node["name"]: node for node in models.values()}

    def is_view(name: str) -> bool:
        return by_name[name]["config"]["materialized"] == "view"

    def scanned(name: str) -> list[str]:
        parents = [models[p]["name"] for p in by_name[name]["depends_on"]["nodes"] if p in models]
        tables: list[str] = []
        for parent in sorted(parents):
            tables += scanned(parent) if is_view(parent) else [parent]
        return tables

    tables: dict[str, Table] = {}
    for node in chain_models(manifest):
        name = node["name"]
        tables[name] = Table(name, is_view(name), scanned(name))
        for parent in tables[name].scans:
            tables.setdefault(parent, Table(parent, False, []))
    with tempfile.TemporaryDirectory() as folder:
        for artists, warehouse in sorted(warehouses.items()):
            with duckdb.connect(str(warehouse), read_only=True) as connection:
                for name, table in tables.items():
                    if table.is_view:
                        continue
                    path = pathlib.Path(folder) / f"{name}.parquet"
                    connection.execute(
                        f"copy (select * from {name}) to '{path}' "
                        "(format parquet, compression snappy)"
                    )
                    table.bytes[artists] = path.stat().st_size
                    path.unlink()
    return tables


def bytes_report(tables: dict[str, Table], sizes: list[int], extrapolate: int) -> str:
    """What each query of the chain (a table model) scans: the tables it reads, through its
    views, whole (an upper bound: Athena prunes columns); and what it writes."""
    header = " | ".join(f"scanned at {size:,} (MB)" for size in sizes)
    lines = [
        "",
        "Bytes each model reads (its parents' tables whole, as snappy parquet: an upper bound "
        "of Athena's scanned bytes, which prunes columns) and writes; extrapolated with each "
        "table's growth.",
        "",
        f"| model | scans | {header} | scanned at {extrapolate:,} (GB, est.) "
        f"| written at {extrapolate:,} (GB, est.) |",
        "|---|---|" + "---:|" * len(sizes) + "---:|---:|",
    ]
    total = 0.0
    for table in tables.values():
        if table.is_view or not table.scans:
            continue
        scanned = [sum(tables[p].bytes[size] for p in table.scans) for size in sizes]
        estimate = sum(tables[p].extrapolated(extrapolate) or 0 for p in table.scans)
        total += estimate
        written = table.extrapolated(extrapolate) or 0
        columns = " | ".join(f"{value / 1e6:,.1f}" for value in scanned)
        lines.append(
            f"| {table.model} | {', '.join(table.scans)} | {columns} "
            f"| {estimate / 1e9:,.2f} | {written / 1e9:,.2f} |"
        )
    lines += [
        "",
        f"Scanned by the chain at {extrapolate:,} artists (est.): {total / 1e9:,.1f} GB, "
        f"${total / 1e12 * 5:,.2f} at $5 per TB.",
    ]
    return "\n".join(lines)


def report(steps: list[Step], sizes: list[int], extrapolate: int, method: str) -> str:
    header = " | ".join(f"rows at {size:,}" for size in sizes)
    lines = [
        f"Method `{method}`; rows of each step of the compiled Athena SQL, counted on DuckDB; "
        f"growth b from the two largest sizes (rows ~ artists^b); extrapolated to "
        f"{extrapolate:,} artists (an estimate).",
        "",
        f"| model | step | {header} | b | rows at {extrapolate:,} (est.) | on a single node |",
        "|---|---|" + "---:|" * len(sizes) + "---:|---:|---|",
    ]
    for step in steps:
        counts = " | ".join(f"{step.rows.get(size, 0):,}" for size in sizes)
        growth = step.growth()
        estimate = step.extrapolated(extrapolate)
        lines.append(
            f"| {step.model} | {step.step} | {counts} "
            f"| {'-' if growth is None else f'{growth:.2f}'} "
            f"| {'-' if estimate is None else f'{estimate:,.0f}'} "
            f"| {'; '.join(step.single_node) or '-'} |"
        )
    return "\n".join(lines)


def warehouse_argument(value: str) -> tuple[int, pathlib.Path]:
    size, _, path = value.partition("=")
    if not size.isdigit() or not path:
        raise argparse.ArgumentTypeError(f"expected ARTISTS=PATH, got {value!r}")
    if not pathlib.Path(path).is_file():
        raise argparse.ArgumentTypeError(f"no warehouse at {path}")
    return int(size), pathlib.Path(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=warehouse_argument, action="append", required=True)
    parser.add_argument("--method", choices=("default", "original"), default="default")
    parser.add_argument("--extrapolate", type=int, default=10_000_000)
    parser.add_argument("--json", type=pathlib.Path, default=None)
    arguments = parser.parse_args(argv)
    warehouses = dict(arguments.warehouse)
    with tempfile.TemporaryDirectory() as folder:
        workspace = DbtWorkspace.create(pathlib.Path(folder))
        manifest = compile_athena(workspace, method_variables(arguments.method))
    try:
        steps = measure(manifest, warehouses)
    except duckdb.OutOfMemoryException as error:
        print(
            f"{PROGRAM}: DuckDB ran out of memory ({str(error).splitlines()[0]}); "
            "give it more room (DUCKDB_MEMORY_LIMIT) or fewer threads (DUCKDB_THREADS), "
            "or leave out the largest warehouse",
            file=sys.stderr,
        )
        return 1
    tables = table_sizes(manifest, warehouses)
    sizes = sorted(warehouses)
    print(report(steps, sizes, arguments.extrapolate, arguments.method))
    print(bytes_report(tables, sizes, arguments.extrapolate))
    if arguments.json:
        figures = {
            "steps": [asdict(step) for step in steps],
            "tables": [asdict(table) for table in tables.values()],
        }
        arguments.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
