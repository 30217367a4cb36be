"""The serving file, kept loaded: read once, read again when the file changes.

The skill server and the serverless handler ask ``source()`` for the current
``ServingIndex`` on every request. At most every ``check_seconds`` it looks at the file's
version (the S3 object's ETag, or a local file's modification time and size) and, when it
changed, loads the new file; a warm Lambda thus answers from memory and picks up the next
build's file on its own. A failed reload keeps the index it has.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from lookup.serving_file import (
    ServingFileError,
    default_serving_file,
    file_version,
    read_serving_file,
)
from lookup.serving_index import ServingIndex

CHECK_SECONDS_ENV = "SERVING_FILE_CHECK_SECONDS"
DEFAULT_CHECK_SECONDS = 30.0
log = logging.getLogger(__name__)


class ServingFileSource:
    """The ServingIndex of the file at ``uri``, reloaded when the file's version changes."""

    def __init__(self, uri: str, check_seconds: float = DEFAULT_CHECK_SECONDS) -> None:
        self.uri = uri
        self.check_seconds = check_seconds
        self.lock = threading.Lock()
        table, self.version = read_serving_file(uri)
        self.index = ServingIndex.from_table(table)
        self.checked_at = time.monotonic()
        self.loads = 1

    @classmethod
    def from_environment(cls) -> ServingFileSource:
        """The file of ``SERVING_FILE_URI``, checked every ``SERVING_FILE_CHECK_SECONDS``."""
        return cls(default_serving_file(), check_seconds_from_environment())

    def __call__(self) -> ServingIndex:
        if time.monotonic() - self.checked_at < self.check_seconds:
            return self.index
        with self.lock:
            if time.monotonic() - self.checked_at >= self.check_seconds:
                self.reload_if_changed()
        return self.index

    def reload_if_changed(self) -> None:
        self.checked_at = time.monotonic()
        try:
            if file_version(self.uri) == self.version:
                return
            table, version = read_serving_file(self.uri)
            self.index, self.version = ServingIndex.from_table(table), version
            self.loads += 1
        except (ServingFileError, OSError) as error:
            log.warning("serving file not reloaded, answering from the loaded one: %s", error)


def check_seconds_from_environment() -> float:
    value = os.environ.get(CHECK_SECONDS_ENV, "")
    if not value:
        return DEFAULT_CHECK_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ServingFileError(
            f"{CHECK_SECONDS_ENV} must be a number of seconds, 0 or more: {value!r}"
        )
    return seconds
