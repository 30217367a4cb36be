"""One requested artist through a run: what was asked (by name or by id) and what became of
it. The data the resolution loop (artists.py), the lake rows and the run report share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What became of a requested artist (ArtistResult.status).
LANDED = "landed"
FAILED = "failed"
DUPLICATE = "duplicate"  # the same Spotify artist as an earlier request: landed once


@dataclass(frozen=True)
class ArtistRequest:
    """One artist asked for, by name or by id."""

    value: str
    kind: str  # "name" or "id"
    origin: str

    @property
    def label(self) -> str:
        return self.value if self.kind == "name" else f"id {self.value}"

    def dedupe_key(self) -> tuple[str, str]:
        return (self.kind, self.value.casefold() if self.kind == "name" else self.value)


@dataclass
class ArtistResult:
    """What happened to one requested artist."""

    request: ArtistRequest
    status: str = "pending"  # LANDED, FAILED or DUPLICATE once done
    artist: dict[str, Any] | None = None
    resolution: str | None = None
    selection: str | None = None
    tracks: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def artist_id(self) -> str | None:
        return self.artist.get("id") if self.artist else None

    @property
    def artist_name(self) -> str | None:
        return self.artist.get("name") if self.artist else None
