"""How much of the project is documented and tested, from a target folder's artifacts.

    .venv/bin/python -m tests.metadata_rules.docs_coverage TARGET_DIR

TARGET_DIR holds manifest.json and, after `dbt docs generate` on a built warehouse,
catalog.json (the columns each relation really has); without a catalog the "in catalog"
figures are left out. One line per resource kind of this project: how many there are, how
many are described (a description of at least 4 characters, as the metadata rules ask), and
how many are tested. Only this project's resources count, not those of dbt or its adapters.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# The same limits as the metadata rules: a description of at least MIN_DESCRIPTION_LENGTH
# characters; a dispatched macro documented once, on the macro that dispatches.
from tests.metadata_rules.manifest.house_rules import (
    ADAPTER_IMPLEMENTATION,
    GRAIN_TEST_COMBINATION,
    MIN_DESCRIPTION_LENGTH,
)

# The docs block dbt shows as the docs site's front page; no description references it.
OVERVIEW = "__overview__"

Resource = dict[str, Any]


def is_described(resource: Resource) -> bool:
    return len((resource.get("description") or "").strip()) >= MIN_DESCRIPTION_LENGTH


def described(resources: Iterable[Resource]) -> int:
    return sum(is_described(resource) for resource in resources)


class Coverage:
    """The figures of one project's manifest.json (and catalog.json, if given)."""

    def __init__(self, manifest: Resource, catalog: Resource | None) -> None:
        self.project = manifest["metadata"]["project_name"]
        self.manifest = manifest
        self.catalog = catalog
        nodes = [node for node in manifest["nodes"].values() if self.owns(node)]
        self.models = [node for node in nodes if node["resource_type"] == "model"]
        self.seeds = [node for node in nodes if node["resource_type"] == "seed"]
        self.data_tests = [node for node in nodes if node["resource_type"] == "test"]
        self.sources = [source for source in manifest["sources"].values() if self.owns(source)]
        self.unit_tests = [test for test in manifest["unit_tests"].values() if self.owns(test)]
        self.tests_by_node: dict[str, list[Resource]] = defaultdict(list)
        for test in self.data_tests:
            if test.get("attached_node"):
                self.tests_by_node[test["attached_node"]].append(test)

    def owns(self, resource: Resource) -> bool:
        return resource["package_name"] == self.project

    def built_columns(self, resource: Resource) -> set[str] | None:
        """The lower-cased columns the catalog lists for `resource`; None if it lists none."""
        if self.catalog is None:
            return None
        kind = "sources" if resource["resource_type"] == "source" else "nodes"
        entry = self.catalog[kind].get(resource["unique_id"])
        if entry is None:
            return None
        return {name.lower() for name in entry["columns"]}

    def tested_columns(self, resource: Resource) -> set[str]:
        return {
            test["column_name"].lower()
            for test in self.tests_by_node[resource["unique_id"]]
            if test.get("column_name")
        }

    def is_grain_tested(self, model: Resource) -> bool:
        """`unique` and `not_null` on one column, or a composite key's combination test."""
        unique: set[str] = set()
        not_null: set[str] = set()
        for test in self.tests_by_node[model["unique_id"]]:
            name = (test.get("test_metadata") or {}).get("name")
            if name == GRAIN_TEST_COMBINATION:
                return True
            column = test.get("column_name")
            if name == "unique" and column:
                unique.add(column)
            if name == "not_null" and column:
                not_null.add(column)
        return bool(unique & not_null)

    def columns(self, resources: list[Resource]) -> str:
        """`columns: N, described D, tested T, in catalog C; catalog columns K, in yml Y`."""
        total = documented = tested = in_catalog = catalog_total = catalog_in_yml = 0
        relations_in_catalog = 0
        for resource in resources:
            yml = {name.lower(): column for name, column in resource["columns"].items()}
            total += len(yml)
            documented += described(yml.values())
            tested += len(self.tested_columns(resource) & yml.keys())
            built = self.built_columns(resource)
            if built is None:
                continue
            relations_in_catalog += 1
            in_catalog += len(yml.keys() & built)
            catalog_total += len(built)
            catalog_in_yml += len(built & yml.keys())
        figures = f"columns: {total}, described {documented}, tested {tested}"
        if self.catalog is None:
            return figures
        if not relations_in_catalog:
            return f"{figures}; none in catalog.json"
        return (
            f"{figures}, in catalog {in_catalog}; catalog columns {catalog_total}, "
            f"in yml {catalog_in_yml}"
        )

    def in_catalog(self, resources: list[Resource]) -> str:
        if self.catalog is None:
            return ""
        return f", in catalog {sum(self.built_columns(r) is not None for r in resources)}"

    def lines(self) -> list[str]:
        unit_tested = {test["model"] for test in self.unit_tests}
        models = self.models
        sources = self.sources
        seeds = self.seeds
        return [
            f"models: {len(models)}, described {described(models)}, "
            f"grain tested {sum(self.is_grain_tested(model) for model in models)}, "
            f"unit tested {sum(model['name'] in unit_tested for model in models)}"
            f"{self.in_catalog(models)}; {self.columns(models)}",
            f"source tables: {len(sources)}, described {described(sources)}, "
            f"with freshness {sum(bool(source.get('freshness')) for source in sources)}"
            f"{self.in_catalog(sources)}; {self.columns(sources)}",
            f"seeds: {len(seeds)}, described {described(seeds)}"
            f"{self.in_catalog(seeds)}; {self.columns(seeds)}",
            self.macros(),
            self.tests(),
            self.exposures(),
            self.docs_blocks(),
        ]

    def macros(self) -> str:
        macros = [macro for macro in self.manifest["macros"].values() if self.owns(macro)]
        dispatchers = [m for m in macros if not ADAPTER_IMPLEMENTATION.match(m["name"])]
        generic_tests = [m for m in dispatchers if m["name"].startswith("test_")]
        arguments = [argument for macro in dispatchers for argument in macro["arguments"]]
        return (
            f"macros: {len(dispatchers)} ({len(generic_tests)} generic tests; "
            f"{len(macros) - len(dispatchers)} engine versions of dispatched macros not "
            f"counted), described {described(dispatchers)}; arguments in yml: "
            f"{len(arguments)}, described {described(arguments)}"
        )

    def tests(self) -> str:
        generic = [test for test in self.data_tests if test.get("test_metadata")]
        singular = [test for test in self.data_tests if not test.get("test_metadata")]
        tested_models = {test["model"] for test in self.unit_tests}
        return (
            f"data tests: {len(generic)} generic, described {described(generic)}; "
            f"{len(singular)} singular, described {described(singular)}; "
            f"unit tests: {len(self.unit_tests)}, described {described(self.unit_tests)}, "
            f"on {len(tested_models)} models"
        )

    def exposures(self) -> str:
        exposures = [e for e in self.manifest["exposures"].values() if self.owns(e)]
        with_owner = sum(bool((e.get("owner") or {}).get("name")) for e in exposures)
        return (
            f"exposures: {len(exposures)}, described {described(exposures)}, "
            f"with an owner {with_owner}"
        )

    def docs_blocks(self) -> str:
        blocks = {uid for uid, doc in self.manifest["docs"].items() if self.owns(doc)}
        referenced = set()
        for resource in [*self.models, *self.seeds, *self.sources, *self.data_tests]:
            referenced.update(resource.get("doc_blocks") or [])
            for column in resource["columns"].values():
                referenced.update(column.get("doc_blocks") or [])
        overview = {uid for uid in blocks if uid.endswith(f".{OVERVIEW}")}
        used = len((blocks - overview) & referenced)
        front_page = f" (+ {OVERVIEW}, the docs site's front page)" if overview else ""
        return f"docs blocks: {len(blocks)}, referenced by a description {used}{front_page}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target_dir", type=Path, help="a folder holding manifest.json")
    arguments = parser.parse_args(argv)
    manifest_path = arguments.target_dir / "manifest.json"
    if not manifest_path.is_file():
        parser.error(f"no manifest.json in {arguments.target_dir}")
    catalog_path = arguments.target_dir / "catalog.json"
    catalog = json.loads(catalog_path.read_text()) if catalog_path.is_file() else None
    coverage = Coverage(json.loads(manifest_path.read_text()), catalog)
    print("\n".join(coverage.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
