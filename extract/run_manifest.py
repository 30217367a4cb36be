"""The record of one extraction run, written next to the data it landed.

``<lake>/_runs/dt=YYYY-MM-DD/<run_id>.json``: the arguments (never a secret), the counts, the
requests and retries, which fallbacks fired and every error. dbt never reads ``_runs`` (its
sources glob ``<table>/dt=*/*.parquet``); it is for the people and jobs watching the nightly
batch. Written like the data: atomically (a temporary name and a rename locally, one upload on
S3).
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from extract.lake_writer import Lake, parse_partition_date

RUNS_FOLDER = "_runs"


def manifest_path(lake: Lake, dt: str, run_id: str) -> str:
    return f"{lake.root}/{RUNS_FOLDER}/dt={parse_partition_date(dt)}/{run_id}.json"


def write_manifest(lake: Lake, dt: str, run_id: str, manifest: dict[str, Any]) -> str:
    """Write ``manifest`` as JSON at its place in the lake and return the path."""
    path = manifest_path(lake, dt, run_id)
    payload = (json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n").encode()
    if lake.is_local:
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        temporary_path = f"{folder}/.{run_id}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temporary_path, "wb") as handle:
                handle.write(payload)
            os.replace(temporary_path, path)
        finally:
            if os.path.exists(temporary_path):
                os.remove(temporary_path)
    else:
        lake.filesystem.pipe_file(path, payload)
    return path


def read_manifests(lake: Lake, dt: str) -> list[dict[str, Any]]:
    """Every run manifest of one day, oldest run first."""
    folder = f"{lake.root}/{RUNS_FOLDER}/dt={parse_partition_date(dt)}"
    lake.filesystem.invalidate_cache(folder)
    manifests = []
    for path in sorted(lake.filesystem.glob(f"{folder}/*.json")):
        with lake.filesystem.open(path, "rb") as handle:
            manifests.append(json.load(handle))
    return manifests
