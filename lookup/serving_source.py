"""The serving file, kept loaded: read once, read again when the file changes.

The skill server and the serverless handler ask ``source()`` for the current
``ServingIndex`` on every request; ``lookup/reloading.py`` says when the file is looked at
again (every ``SERVING_FILE_CHECK_SECONDS``, default 30) and what a failed reload does.
"""

from __future__ import annotations

from lookup.reloading import DEFAULT_CHECK_SECONDS, Reloading, check_seconds_from_environment
from lookup.serving_file import default_serving_file, file_version
from lookup.serving_index import ServingIndex


class ServingFileSource(Reloading[ServingIndex]):
    """The ServingIndex of the file at ``uri``, reloaded when the file's version changes."""

    def __init__(self, uri: str, check_seconds: float = DEFAULT_CHECK_SECONDS) -> None:
        self.uri = uri
        super().__init__(
            "serving file",
            lambda: ServingIndex.from_file(uri),
            lambda: file_version(uri),
            check_seconds,
        )

    @classmethod
    def from_environment(cls) -> ServingFileSource:
        """The file of ``SERVING_FILE_URI``, checked every ``SERVING_FILE_CHECK_SECONDS``."""
        return cls(default_serving_file(), check_seconds_from_environment())
