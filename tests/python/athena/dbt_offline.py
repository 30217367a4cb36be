"""The offline dbt steps for the Athena target, and reading the manifest they write.

No AWS call can succeed from these: dummy credentials (never a real account's), no
instance-metadata lookups, placeholder S3 locations (:data:`OFFLINE_AWS_ENVIRONMENT`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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
