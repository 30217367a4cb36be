"""What an answer is: the artist a name meant, its related artists and their tracks.

Every way of asking builds these: the command line (``lookup/cli.py``), the skill server and
the serverless handler (the serving file), and the on-demand path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lookup.matching import Candidate


class ArtistLookupError(Exception):
    """A lookup that cannot be answered for a reason the user can fix; ``suggestions`` are
    the closest names, when the name matched nobody."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = list(suggestions or [])


@dataclass(frozen=True)
class Track:
    track_name: str
    album_name: str | None
    release_date: str | None
    spotify_url: str | None


@dataclass(frozen=True)
class RelatedArtist:
    similarity_rank: int
    artist_id: str
    artist_name: str
    distance: float
    similarity_score: float
    tracks: list[Track] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    artist_id: str
    artist_name: str
    track_count: int
    related: list[RelatedArtist]
    found_by: str = "name"  # "id", "name", "alias" or "on_demand" (fetched from Spotify now)
    alias: str | None = None  # the alias typed, when found by one
    others: list[Candidate] = field(default_factory=list)  # other artists the name could mean
