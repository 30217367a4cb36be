"""dbt-bouncer checks for the house rules it has no manifest-only check for.

dbt-bouncer 3.8 checks column descriptions only against catalog.json (a built warehouse), its
macro-argument check passes a macro whose yml lists no arguments at all, its freshness check
does not look at `loaded_at_field`, and its uniqueness check takes any `unique` test for a
grain test (without `not_null`). These read only manifest.json, so `make metalint`
needs no build. Loaded through `custom_checks_dir` in dbt-bouncer.yml; each function's name
is the check's name there.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import jinja2
from dbt_bouncer.check_framework.decorator import check, fail

# As short as dbt-bouncer's own *_description_populated checks allow.
MIN_DESCRIPTION_LENGTH = 4
# A dispatched macro's engine versions are documented once, on the macro callers dispatch from.
ADAPTER_IMPLEMENTATION = re.compile(r"^(default|duckdb|athena|trino)__")
# Every generic test receives these from dbt; its yml documents only its own arguments.
IMPLICIT_TEST_ARGUMENTS = frozenset({"model", "column_name"})
# The project's generic test for a composite key (tests/generic/).
GRAIN_TEST_COMBINATION = "unique_combination_of_columns"
SIGNATURE = re.compile(r"{%-?\s*(?:macro|test)\s+\w+\s*\((?P<arguments>.*?)\)\s*-?%}", re.DOTALL)


def is_described(resource: Any) -> bool:
    return len((getattr(resource, "description", None) or "").strip()) >= MIN_DESCRIPTION_LENGTH


def undescribed_columns(node: Any) -> list[str]:
    columns = getattr(node, "columns", None) or {}
    return [name for name, column in columns.items() if not is_described(column)]


def signature_arguments(macro_sql: str) -> list[str]:
    """The argument names of a macro's (or generic test's) signature, in order."""
    match = SIGNATURE.search(macro_sql)
    if match is None:
        return []
    template = "{% macro signature(" + match["arguments"] + ") %}{% endmacro %}"
    (macro_node,) = jinja2.Environment().parse(template).body
    return [argument.name for argument in macro_node.args]


@check
def check_model_grain_tested(model, ctx):
    """Every model tests its grain: `unique` and `not_null` on one column, or the project's
    `unique_combination_of_columns` (tests/generic/) on a composite key. The same rule as
    dbt-project-evaluator's primary-key check with this project's `primary_key_test_macros`.
    """
    unique_columns: set[str] = set()
    not_null_columns: set[str] = set()
    for test in ctx.tests_by_attached_node.get(model.unique_id, []):
        name = getattr(getattr(test, "test_metadata", None), "name", None)
        if name == GRAIN_TEST_COMBINATION:
            return
        column = getattr(test, "column_name", None)
        if name == "unique" and column:
            unique_columns.add(column)
        if name == "not_null" and column:
            not_null_columns.add(column)
    if not unique_columns & not_null_columns:
        fail(
            f"`{model.name}` does not test its grain: no column with both `unique` and "
            f"`not_null`, and no `{GRAIN_TEST_COMBINATION}` test."
        )


@check
def check_model_columns_have_descriptions(model):
    """Every column a model's yml declares has a description."""
    if missing := undescribed_columns(model):
        fail(f"`{model.name}` has columns without a description: {missing}.")


@check
def check_source_columns_have_descriptions(source):
    """Every column a source table's yml declares has a description."""
    if missing := undescribed_columns(source):
        fail(f"`{source.source_name}.{source.name}` has columns without a description: {missing}.")


@check
def check_seed_columns_documented(seed):
    """Every column of a seed's CSV is declared in its yml, with a description."""
    csv_path = Path(seed.root_path) / seed.original_file_path
    with csv_path.open(newline="", encoding="utf-8") as csv_file:
        header = next(csv.reader(csv_file), [])
    declared = set((getattr(seed, "columns", None) or {}).keys())
    if undeclared := [name for name in header if name not in declared]:
        fail(f"`{seed.name}` has CSV columns its yml does not declare: {undeclared}.")
    if missing := undescribed_columns(seed):
        fail(f"`{seed.name}` has columns without a description: {missing}.")


@check
def check_macro_documented(macro):
    """Every macro and generic test has a description, and so has each of its arguments.

    A dispatched macro's engine versions (`default__`, `duckdb__`, `athena__`) are skipped:
    they are documented by the macro that dispatches to them.
    """
    if ADAPTER_IMPLEMENTATION.match(macro.name):
        return
    if not is_described(macro):
        fail(f"`{macro.name}` does not have a populated description.")
    documented = {argument.name for argument in macro.arguments or [] if is_described(argument)}
    arguments = [
        name
        for name in signature_arguments(macro.macro_sql)
        if name not in documented
        and not (macro.name.startswith("test_") and name in IMPLICIT_TEST_ARGUMENTS)
    ]
    if arguments:
        fail(f"`{macro.name}` has arguments without a description in yml: {arguments}.")


@check
def check_source_loaded_at_field_populated(source):
    """Every source table names the column its freshness is measured on."""
    if not (getattr(source, "loaded_at_field", None) or "").strip():
        fail(f"`{source.source_name}.{source.name}` does not declare a loaded_at_field.")
