"""Land one API run in the lake without ever duplicating an artist within a day's partition.

Each run writes ``<table>/dt=<dt>/api-<run_id>.parquet``. Then every older ``api-*.parquet``
of the same partition that holds rows of the artists this run landed (``artists`` and
``top_tracks`` by ``artist_id``) or of the tracks it found features for (``audio_features``
by ``track_id``) is rewritten without those rows, atomically, or deleted when nothing is left.
So re-running a day for the same artists replaces their rows; other artists' rows, other days
and other writers' files (``dataset-*.parquet``) are left alone.

The new file is written before the old ones are trimmed: a crash in between leaves an
artist's rows twice for a while (staging keeps the latest ``extracted_at``), never zero times.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.lake_writer import Lake

API_FILE_PREFIX = "api-"
SPOTIFY_SOURCE = "spotify"

# The column that says whose rows a file holds, per table.
REPLACEMENT_KEYS: dict[str, str] = {
    "artists": "artist_id",
    "top_tracks": "artist_id",
    "audio_features": "track_id",
}


@dataclass
class LakeChanges:
    """The files one run wrote, rewrote and removed."""

    written: list[str] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"written": self.written, "rewritten": self.rewritten, "removed": self.removed}


def read_lake_file(lake: Lake, path: str, columns: list[str] | None = None) -> pa.Table:
    """One parquet file of the lake, whole or some columns."""
    with lake.filesystem.open(path, "rb") as handle:
        return pq.read_table(handle, columns=columns)


def land_run(
    lake: Lake,
    dt: str,
    run_id: str,
    tables: Mapping[str, pa.Table | None],
    replaced: Mapping[str, Iterable[str]],
) -> LakeChanges:
    """Write this run's tables, then trim the replaced keys out of older API files of ``dt``.

    ``tables`` maps a lake table to its rows (None or empty: nothing new to write);
    ``replaced`` maps a lake table to the key values (see REPLACEMENT_KEYS) this run replaces.
    """
    changes = LakeChanges()
    file_name = f"{API_FILE_PREFIX}{run_id}.parquet"
    for table, data in tables.items():
        if data is not None and data.num_rows:
            changes.written.append(lake.write_table(table, dt, data, file_name))
    for table, keys in replaced.items():
        key_set = sorted(set(keys))
        if key_set:
            trim_older_files(lake, table, dt, file_name, REPLACEMENT_KEYS[table], key_set, changes)
    return changes


def trim_older_files(
    lake: Lake,
    table: str,
    dt: str,
    keep_file_name: str,
    key_column: str,
    keys: list[str],
    changes: LakeChanges,
) -> None:
    """Remove rows whose ``key_column`` is in ``keys`` from the other API files of a partition."""
    folder = lake.partition_path(table, dt)
    lake.filesystem.invalidate_cache(folder)
    key_values = pa.array(keys, type=pa.string())
    for path in sorted(lake.filesystem.glob(f"{folder}/{API_FILE_PREFIX}*.parquet")):
        name = posixpath.basename(path)
        if name == keep_file_name:
            continue
        data = read_lake_file(lake, path)
        replaced = pc.fill_null(pc.is_in(data[key_column], value_set=key_values), False)
        if not pc.any(replaced).as_py():
            continue
        kept = data.filter(pc.invert(replaced))
        if kept.num_rows == 0:
            lake.remove_file(path)
            changes.removed.append(path)
        else:
            changes.rewritten.append(lake.write_table(table, dt, kept, name))


def artists_landed_from_api(lake: Lake) -> list[tuple[str, str]]:
    """``(artist_id, artist_name)`` of every artist the API extractor ever landed, by name.

    Rows from other sources (dataset imports, whose ids may be derived from names) are not
    included: they cannot be refreshed by Spotify id. The latest name wins.
    """
    lake.filesystem.invalidate_cache(f"{lake.root}/artists")
    latest: dict[str, tuple[str, str]] = {}
    for path in lake.list_files("artists"):
        data = read_lake_file(lake, path, ["artist_id", "artist_name", "source", "extracted_at"])
        for row in data.to_pylist():
            source = row["source"] or ""
            if source != SPOTIFY_SOURCE and not source.startswith(SPOTIFY_SOURCE + ":"):
                continue
            stamp = row["extracted_at"].isoformat() if row["extracted_at"] else ""
            known = latest.get(row["artist_id"])
            if known is None or stamp >= known[0]:
                latest[row["artist_id"]] = (stamp, row["artist_name"])
    return sorted(
        ((artist_id, name) for artist_id, (_, name) in latest.items()),
        key=lambda pair: (pair[1].casefold(), pair[0]),
    )
