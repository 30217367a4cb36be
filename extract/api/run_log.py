"""What a run notes as it goes: the fallbacks it takes and the errors it meets.

A fallback is also said at once on stderr (the summary repeats it at the end); an error is
only recorded, for the summary and the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console


@dataclass(frozen=True)
class RunError:
    """One thing that failed, for the summary and the manifest's ``errors``."""

    artist: str  # an artist's label, or which tracks ("(all tracks)", "40 tracks")
    stage: str  # resolve, tracks, spotify or features
    message: str


@dataclass
class RunLog:
    """The fallbacks and errors of one run, in the order they happened."""

    console: Console
    program: str
    fallbacks: list[str] = field(default_factory=list)
    errors: list[RunError] = field(default_factory=list)

    def note(self, message: str) -> None:
        """One line on stderr (the console's), prefixed with the program name."""
        self.console.print(
            f"{self.program}: {message}", markup=False, highlight=False, soft_wrap=True
        )

    def fallback(self, record: str, note: str) -> None:
        """Record a fallback (``record``, as the manifest keeps it) and say it (``note``)."""
        self.fallbacks.append(record)
        self.note(note)

    def error(self, artist: str, stage: str, message: str) -> None:
        self.errors.append(RunError(artist, stage, message))
