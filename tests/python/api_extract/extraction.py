"""What the tests ask the extractor for and how they read back the lake it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from extract.schemas import LAKE_TABLES

DT = "2026-11-24"
DAFT_PUNK = "4tZwfgrHOc3mvqYlEYSvVi"
QUEEN = "1dfeR4HaWDbWqFHLkxsg1d"
ABBA = "0LcJLqbBmaGUft1e9Mm8HV"
BLACKPINK = "41MozSoPIsD1dJM0CLPjZF"
METALLICA = "2ye2Wgw4gimLv2eAKyk1NB"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3


def extract_arguments(lake: Path, *arguments: str, dt: str = DT) -> list[str]:
    return ["api", *arguments, "--lake", str(lake), "--dt", dt]


def read_rows(lake: Path, table: str, dt: str | None = None) -> list[dict]:
    pattern = f"{table}/dt={dt or '*'}/*.parquet"
    files = sorted(lake.glob(pattern))
    if not files:
        return []
    for path in files:
        assert pq.read_schema(path).equals(LAKE_TABLES[table]), f"{path} breaks the contract"
    return pa.concat_tables(pq.read_table(path) for path in files).to_pylist()


def without_timestamps(rows: list[dict]) -> list[dict]:
    return sorted(
        ({key: value for key, value in row.items() if key != "extracted_at"} for row in rows),
        key=lambda row: json.dumps(row, sort_keys=True, default=str),
    )


def read_manifests(lake: Path, dt: str = DT) -> list[dict]:
    paths = sorted((lake / "_runs" / f"dt={dt}").glob("*.json"))
    return [json.loads(path.read_text()) for path in paths]


def tracks_by_artist(rows: list[dict]) -> dict[str, list[str]]:
    grouped: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        grouped.setdefault(row["artist_id"], []).append((row["track_rank"], row["track_name"]))
    return {artist: [name for _, name in sorted(pairs)] for artist, pairs in grouped.items()}
