"""dbt-bouncer checks for the catalog rules dbt-bouncer 3.8 has no working check for.

Its `check_columns_are_all_documented` (models) and `check_seed_columns_are_all_documented`
say that every column a built relation has is in the yml; none says the reverse, that every
column the yml documents is really built (not renamed or dropped in the SQL but left in the
yml): check_documented_columns_are_built. Its source check cannot run once catalog.json lists
a source, so check_source_columns_match_catalog says both directions for source tables.

These read catalog.json, so they run only after a build and `dbt docs generate`
(dbt-bouncer-catalog.yml). Loaded through `custom_checks_dir`; `make metalint`
(dbt-bouncer.yml) loads this file too but configures none of its checks. Each function's name
is the check's name in dbt-bouncer-catalog.yml. Column names compare case-insensitively:
DuckDB and Athena (Glue) both report lower case, as the yml writes them, but an engine that
upper-cases unquoted names would otherwise fail every column.
"""

from __future__ import annotations

from typing import Any

from dbt_bouncer.check_framework.decorator import check, fail


def built_column_names(catalog_entry: Any) -> set[str]:
    return {column.name.lower() for column in (catalog_entry.columns or {}).values()}


def unbuilt_columns(resource: Any, catalog_entry: Any) -> list[str]:
    """The columns `resource`'s yml documents that `catalog_entry` (its relation) lacks."""
    built = built_column_names(catalog_entry)
    return [name for name in (resource.columns or {}) if name.lower() not in built]


def manifest_node(catalog_node: Any, ctx: Any) -> Any | None:
    """The model or seed of the manifest that `catalog_node` is the relation of."""
    unique_id = catalog_node.unique_id or ""
    if unique_id.startswith("model."):
        models = ctx.models_by_unique_id or {model.unique_id: model for model in ctx.models}
        return models.get(unique_id)
    if unique_id.startswith("seed."):
        return next((seed for seed in ctx.seeds if seed.unique_id == unique_id), None)
    return None


@check
def check_documented_columns_are_built(catalog_node, ctx):
    """Every column a model's or seed's yml documents exists in its built relation."""
    node = manifest_node(catalog_node, ctx)
    if node is None:
        return
    if missing := unbuilt_columns(node, catalog_node):
        fail(f"`{node.name}` documents columns its built relation does not have: {missing}.")


@check
def check_source_columns_match_catalog(source, ctx):
    """A source table's yml documents exactly the columns of the table the catalog found:
    none missing, none it does not have. Only source tables in catalog.json are checked (on
    DuckDB the sources are `read_parquet(...)` expressions, not relations, and
    `dbt docs generate` lists none).

    dbt-bouncer 3.8 has `check_source_columns_are_all_documented` for one direction, but any
    check over `catalog_source` crashes its runner once catalog.json lists a source
    (godatadriven/dbt-bouncer#1064): this one iterates the manifest's sources instead.
    """
    entry = next(
        (
            getattr(catalog_source, "catalog_source", catalog_source)
            for catalog_source in ctx.catalog_sources
            if catalog_source.unique_id == source.unique_id
        ),
        None,
    )
    if entry is None:
        return
    name = f"`{source.source_name}.{source.name}`"
    documented = {column.lower() for column in source.columns or {}}
    undocumented = [
        column.name
        for column in (entry.columns or {}).values()
        if column.name.lower() not in documented
    ]
    problems = []
    if undocumented:
        problems.append(f"has columns its yml does not document: {undocumented}")
    if missing := unbuilt_columns(source, entry):
        problems.append(f"documents columns its table does not have: {missing}")
    if problems:
        fail(f"{name} {'; and '.join(problems)}.")
