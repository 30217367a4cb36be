"""Write lake tables as Hive-partitioned parquet, atomically, to a local folder or S3.

Layout: ``<lake>/<table>/dt=YYYY-MM-DD/<file>.parquet``. The lake root is a local path
(default ``./lake``) or an ``s3://bucket/prefix`` URI; S3 goes through fsspec/s3fs, which
honours ``AWS_ENDPOINT_URL`` and the standard AWS credential chain.

A file is never visible half-written: locally it is written under a temporary name that no
reader globs (``*.parquet.tmp``) and renamed into place (``os.replace`` is atomic on one
filesystem); on S3 an object appears only when its upload completes.
"""

from __future__ import annotations

import datetime as dt_module
import os
import uuid
from dataclasses import dataclass

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from extract.schemas import LAKE_TABLES


class LakeError(Exception):
    """A problem with the lake a user can fix (bad URI, bad date, unreadable path)."""


def parse_partition_date(value: str) -> str:
    """Check that ``value`` is a real ``YYYY-MM-DD`` date and return it unchanged."""
    try:
        parsed = dt_module.date.fromisoformat(value)
    except ValueError:
        raise LakeError(f"--dt must be a date written YYYY-MM-DD, got {value!r}") from None
    if parsed.isoformat() != value:
        raise LakeError(f"--dt must be a date written YYYY-MM-DD, got {value!r}")
    return value


def today_utc() -> str:
    """Today's date in UTC, as a partition value."""
    return dt_module.datetime.now(dt_module.UTC).date().isoformat()


@dataclass(frozen=True)
class Lake:
    """A lake root: a filesystem and the path of the root on it."""

    uri: str
    filesystem: fsspec.AbstractFileSystem
    root: str

    @classmethod
    def open(cls, uri: str) -> Lake:
        """Open a lake root given as a local path or an fsspec URI such as ``s3://b/p``."""
        if not uri:
            raise LakeError("the lake URI is empty: pass --lake or set LAKE_URI")
        try:
            filesystem, root = fsspec.core.url_to_fs(uri)
        except (ImportError, ValueError) as error:
            raise LakeError(f"cannot open lake {uri!r}: {error}") from None
        if isinstance(filesystem, LocalFileSystem):
            root = os.path.abspath(root)
            if os.path.exists(root) and not os.path.isdir(root):
                raise LakeError(f"lake path {root!r} exists and is not a folder")
        return cls(uri=uri, filesystem=filesystem, root=root.rstrip("/"))

    @property
    def is_local(self) -> bool:
        return isinstance(self.filesystem, LocalFileSystem)

    def partition_path(self, table: str, dt: str) -> str:
        """The folder of one daily partition of one table."""
        if table not in LAKE_TABLES:
            raise LakeError(f"unknown lake table {table!r}")
        return f"{self.root}/{table}/dt={parse_partition_date(dt)}"

    def write_table(self, table: str, dt: str, data: pa.Table, file_name: str) -> str:
        """Write ``data`` as ``<table>/dt=<dt>/<file_name>``, replacing a file of that name.

        ``data`` is cast to the table's contract schema first (so a wrong column fails
        before anything is written). Returns the path written.
        """
        schema = LAKE_TABLES[table]
        data = conform_to_schema(data, schema, table)
        if not file_name.endswith(".parquet") or "/" in file_name:
            raise LakeError(f"bad lake file name {file_name!r}")
        folder = self.partition_path(table, dt)
        final_path = f"{folder}/{file_name}"
        if self.is_local:
            os.makedirs(folder, exist_ok=True)
            temporary_path = f"{folder}/.{file_name}.{uuid.uuid4().hex}.tmp"
            try:
                pq.write_table(data, temporary_path, compression="zstd")
                os.replace(temporary_path, final_path)
            finally:
                if os.path.exists(temporary_path):
                    os.remove(temporary_path)
        else:
            # Serialise first, then upload in one call (one PUT, or one multipart upload that is
            # completed last): the object is visible whole or not at all. Writing through
            # ``filesystem.open(..., "wb")`` is not safe: an fsspec file uploads its buffer when
            # the ``with`` block is left by an exception (a Ctrl-C), publishing a partial file.
            buffer = pa.BufferOutputStream()
            pq.write_table(data, buffer, compression="zstd")
            self.filesystem.pipe_file(final_path, buffer.getvalue().to_pybytes())
        return final_path

    def list_files(self, table: str) -> list[str]:
        """Every parquet file of a table, over all partitions, sorted."""
        pattern = f"{self.root}/{table}/dt=*/*.parquet"
        return sorted(self.filesystem.glob(pattern))

    def remove_file(self, path: str) -> None:
        """Delete one lake file (used when a rewrite replaces it)."""
        self.filesystem.rm(path)


def conform_to_schema(data: pa.Table, schema: pa.Schema, table: str) -> pa.Table:
    """Select and cast ``data``'s columns to ``schema``; raise LakeError on a mismatch."""
    missing = [name for name in schema.names if name not in data.column_names]
    if missing:
        raise LakeError(f"{table}: missing columns {', '.join(missing)}")
    try:
        return data.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        raise LakeError(f"{table}: does not match the lake contract: {error}") from None
