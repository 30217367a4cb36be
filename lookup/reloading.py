"""Something loaded from files and kept: loaded again when the files change.

The skill server and the serverless handler ask ``source()`` for the current value on
every request. At most every ``check_seconds`` the source looks at the files' version (an
S3 object's ETag, or a local file's modification time and size) and, when it changed,
loads them again; a warm Lambda thus answers from memory and picks up the next build's
files on its own. A failed reload keeps the value it has.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from lookup.serving_file import ServingFileError

CHECK_SECONDS_ENV = "SERVING_FILE_CHECK_SECONDS"
DEFAULT_CHECK_SECONDS = 30.0
Value = TypeVar("Value")
log = logging.getLogger(__name__)


class Reloading(Generic[Value]):
    """``load()``'s value, loaded again when ``version()`` changes; ``what`` names it in
    the log."""

    def __init__(
        self,
        what: str,
        load: Callable[[], Value],
        version: Callable[[], str],
        check_seconds: float = DEFAULT_CHECK_SECONDS,
    ) -> None:
        self.what = what
        self.load = load
        self.version = version
        self.check_seconds = check_seconds
        self.lock = threading.Lock()
        self.loaded_version = version()
        self.value = load()
        self.checked_at = time.monotonic()
        self.loads = 1

    def __call__(self) -> Value:
        if time.monotonic() - self.checked_at < self.check_seconds:
            return self.value
        with self.lock:
            if time.monotonic() - self.checked_at >= self.check_seconds:
                self.reload_if_changed()
        return self.value

    def reload_if_changed(self) -> None:
        self.checked_at = time.monotonic()
        try:
            version = self.version()
            if version == self.loaded_version:
                return
            self.value, self.loaded_version = self.load(), version
            self.loads += 1
        except (ServingFileError, OSError) as error:
            log.warning("%s not reloaded, answering from the loaded one: %s", self.what, error)


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
