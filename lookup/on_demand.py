"""Artists the warehouse does not have: fetched from Spotify now, answered exactly, landed.

    result = answer_on_demand(connection, "Lumen Drift", 3, OnDemandOptions.for_command_line())
    result.answer      # an Answer (found_by "on_demand"), or None
    result.reason      # None when answered, else why not (the constants below)
    result.fetch       # the fetch, which may still be landing: result.fetch.wait()

When a name matches nobody, the caller may ask here. With Spotify credentials and
on-demand fetching enabled (``lookup/on_demand_options.py``), the artist is resolved,
its tracks and audio features are fetched with the extractor's own clients and fallbacks
(``lookup/on_demand_fetch.py``), its profile is built and placed with the warehouse's
stored normalisation, and its exact nearest warehouse artists are the answer
(``lookup/on_demand_profile.py``). Then what was fetched lands in the lake as an API run
would land it, but only for an exact name match, so the next build includes the artist.

The fetch runs in a worker thread, and the wait for it ends at the deadline: past it there
is no answer (the caller gives its suggestions), and the fetch goes on and lands for next
time. The warehouse connection is only used by the calling thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from extract.lake_replace import LakeChanges
from extract.lake_writer import LakeError
from lookup.answer import Answer, RelatedArtist, Track
from lookup.names import QueryRejected, checked_query
from lookup.on_demand_fetch import (
    NO_CREDENTIALS,
    NOT_FOUND,
    REFUSED,
    UNAVAILABLE,
    FetchedArtist,
    FetchFailed,
    fetch_artist,
    has_credentials,
    land_fetched,
)
from lookup.on_demand_options import ENABLED_VARIABLE, OnDemandOptions
from lookup.on_demand_profile import (
    ArtistProfile,
    SimilarityParameters,
    WarehouseParametersError,
    nearest_artists,
    normalised_vector,
    profile_from_rows,
    read_similarity_parameters,
)

FOUND_BY = "on_demand"

# Why there is no answer (OnDemandResult.reason), besides the fetch's own reasons:
# NO_CREDENTIALS, REFUSED, UNAVAILABLE and NOT_FOUND (lookup/on_demand_fetch.py).
DISABLED = "disabled"
REJECTED = "rejected"  # what was typed cannot be a name
WAREHOUSE = "warehouse"  # the warehouse has no normalisation parameters
RATE_LIMITED = "rate_limited"
DEADLINE = "deadline"
NO_FEATURES = "no_features"  # none of the artist's tracks has valid audio features
NO_DIRECTION = "no_direction"  # under cosine, a standardised profile of all zeros
REASONS = (
    DISABLED,
    REJECTED,
    NO_CREDENTIALS,
    WAREHOUSE,
    RATE_LIMITED,
    REFUSED,
    UNAVAILABLE,
    NOT_FOUND,
    DEADLINE,
    NO_FEATURES,
    NO_DIRECTION,
)


class PendingFetch:
    """One artist fetched in a worker thread, then landed when the options allow it.

    ``fetched`` is set once the fetch is over (``artist`` or ``failure``), ``finished``
    once the landing is over too (``landed`` holds the files, or ``not_landed`` says why).
    The thread is not a daemon: a command line that answered already still lands before
    it exits.
    """

    def __init__(self, query: str, options: OnDemandOptions) -> None:
        self.query = query
        self.options = options
        self.fetched = threading.Event()
        self.finished = threading.Event()
        self.artist: FetchedArtist | None = None
        self.failure: FetchFailed | None = None
        self.landed: LakeChanges | None = None
        self.not_landed: str | None = None
        self._thread = threading.Thread(target=self._run, name="on-demand-fetch", daemon=False)

    def start(self) -> PendingFetch:
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the fetch and its landing are over; False if ``timeout`` ran out."""
        return self.finished.wait(timeout)

    def _run(self) -> None:
        try:
            try:
                self.artist = fetch_artist(
                    self.query,
                    self.options.environment,
                    self.options.tracks_per_artist,
                    self.options.market,
                )
            except FetchFailed as error:
                self.failure = error
            except Exception as error:  # a worker must not die with a traceback
                self.failure = FetchFailed(UNAVAILABLE, f"the fetch failed: {type(error).__name__}")
            finally:
                self.fetched.set()
            if self.artist is not None:
                self._land(self.artist)
        finally:
            self.finished.set()

    def _land(self, artist: FetchedArtist) -> None:
        if not self.options.land:
            self.not_landed = "landing is off"
        elif not self.options.lake_uri:
            self.not_landed = "no lake (LAKE_URI) to land in"
        elif not artist.exact:
            self.not_landed = f"Spotify's {artist.artist_name!r} is not an exact name match"
        else:
            try:
                self.landed = land_fetched(artist, self.options.lake_uri)
            except (LakeError, OSError) as error:
                self.not_landed = f"the lake could not be written: {error}"


@dataclass(frozen=True)
class OnDemandResult:
    """The on-demand answer, or why there is none (``reason``, one of REASONS)."""

    answer: Answer | None
    reason: str | None
    message: str  # one line for the user
    profile: ArtistProfile | None = None
    fetch: PendingFetch | None = None

    @property
    def exact(self) -> bool:
        """Spotify's artist is the one named (its name folds like the query)."""
        return bool(self.fetch and self.fetch.artist and self.fetch.artist.exact)


def answer_on_demand(
    connection: duckdb.DuckDBPyConnection,
    query: str,
    tracks_per_artist: int,
    options: OnDemandOptions,
    *,
    k: int | None = None,
) -> OnDemandResult:
    """The answer for an artist the warehouse does not have, fetched from Spotify now.

    ``k`` related artists (default: the warehouse's top_k), each with ``tracks_per_artist``
    tracks (0 or more) from fct_artist_tracks. No answer, and nothing fetched or written,
    when fetching is off, without credentials, past the rate limit or when the warehouse
    has no parameters; no answer when Spotify refuses, finds nobody, or is too slow.
    """
    started = time.monotonic()
    if tracks_per_artist < 0:
        raise ValueError(f"tracks_per_artist must be 0 or more, got {tracks_per_artist}")
    if k is not None and k < 1:
        raise ValueError(f"k must be 1 or more, got {k}")
    if not options.enabled:
        return OnDemandResult(
            None, DISABLED, f"on-demand fetching is off ({ENABLED_VARIABLE}=1 turns it on)"
        )
    try:
        query = checked_query(query)
    except QueryRejected as error:
        return OnDemandResult(None, REJECTED, str(error))
    if not has_credentials(options.environment):
        return OnDemandResult(
            None,
            NO_CREDENTIALS,
            "no Spotify credentials (SPOTIPY_CLIENT_ID and SPOTIPY_CLIENT_SECRET) to fetch it",
        )
    try:
        parameters = read_similarity_parameters(connection)
    except WarehouseParametersError as error:
        return OnDemandResult(None, WAREHOUSE, str(error))
    if options.rate_limit is not None and not options.rate_limit.try_take():
        return OnDemandResult(None, RATE_LIMITED, "too many artists fetched lately; try later")
    pending = PendingFetch(query, options).start()
    remaining = None
    if options.deadline_seconds is not None:
        remaining = max(0.0, options.deadline_seconds - (time.monotonic() - started))
    if not pending.fetched.wait(remaining):
        return OnDemandResult(
            None,
            DEADLINE,
            f"Spotify did not answer within {options.deadline_seconds:g} s; the artist is "
            "still being fetched, for next time",
            fetch=pending,
        )
    if pending.failure is not None or pending.artist is None:
        failure = pending.failure or FetchFailed(UNAVAILABLE, "nothing was fetched")
        return OnDemandResult(None, failure.reason, str(failure), fetch=pending)
    artist = pending.artist
    return answer_from_rows(
        connection,
        artist.artist_id,
        artist.artist_name,
        artist.tables["top_tracks"],
        artist.tables["audio_features"],
        parameters,
        tracks_per_artist,
        k,
        fetch=pending,
    )


def answer_from_rows(
    connection: duckdb.DuckDBPyConnection,
    artist_id: str,
    artist_name: str,
    top_tracks: pa.Table,
    audio_features: pa.Table,
    parameters: SimilarityParameters,
    tracks_per_artist: int,
    k: int | None = None,
    fetch: PendingFetch | None = None,
) -> OnDemandResult:
    """The on-demand answer from an artist's lake rows (its ``top_tracks`` and their
    ``audio_features``), however they were obtained: fetched now, or (the drift benchmark)
    taken out of a lake."""
    k = parameters.top_k if k is None else k
    if k < 1:
        raise ValueError(f"k must be 1 or more, got {k}")
    profile = profile_from_rows(top_tracks, audio_features)
    if profile is None:
        return OnDemandResult(
            None,
            NO_FEATURES,
            f"{artist_name} has no tracks with audio features, so no related artists",
            fetch=fetch,
        )
    vector = normalised_vector(profile, parameters)
    if vector is None:
        return OnDemandResult(
            None,
            NO_DIRECTION,
            f"{artist_name}'s standardised sound profile is all zeros, which has no direction "
            "under the cosine distance, so no related artists",
            profile,
            fetch,
        )
    related = [
        RelatedArtist(
            similarity_rank=rank,
            artist_id=neighbour.artist_id,
            artist_name=neighbour.artist_name,
            distance=neighbour.distance,
            similarity_score=neighbour.similarity_score,
            tracks=artist_tracks(connection, neighbour.artist_id, tracks_per_artist),
        )
        for rank, neighbour in enumerate(
            nearest_artists(connection, vector, parameters, k, exclude_artist_id=artist_id),
            start=1,
        )
    ]
    answer = Answer(artist_id, artist_name, profile.track_count, related, found_by=FOUND_BY)
    return OnDemandResult(
        answer,
        None,
        f"{artist_name} is not in the warehouse yet: its related artists were computed on "
        f"demand, from {profile.track_count} of its tracks",
        profile,
        fetch,
    )


def artist_tracks(connection: duckdb.DuckDBPyConnection, artist_id: str, limit: int) -> list[Track]:
    """The warehouse artist's first ``limit`` tracks (fct_artist_tracks), in its order."""
    if limit == 0:
        return []
    rows = connection.execute(
        """
        select track_name, album_name, release_date, spotify_url
        from fct_artist_tracks
        where artist_id = $artist_id
        order by track_rank, track_id
        limit $limit
        """,
        {"artist_id": artist_id, "limit": min(limit, 2**63 - 1)},
    ).fetchall()
    return [Track(*row) for row in rows]
