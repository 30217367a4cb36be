"""Audio features for the landed tracks, from Spotify or ReccoBeats (--features-source).

spotify asks /audio-features (100 ids a call); reccobeats asks ReccoBeats (40 ids a call);
auto asks Spotify and switches to ReccoBeats on 403, once; none asks nobody. Tracks nobody
has features for are counted as missing, not as errors.
"""

from __future__ import annotations

import datetime as dt_module
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from extract.api.lake_rows import feature_row
from extract.api.run_log import RunLog
from extract.reccobeats_client import BATCH_SIZE as RECCOBEATS_BATCH
from extract.reccobeats_client import ReccoBeatsClient, ReccoBeatsError
from extract.spotify_client import (
    AUDIO_FEATURES_BATCH,
    EndpointUnavailableError,
    SpotifyClient,
    SpotifyError,
)

FEATURE_SOURCES = ("auto", "spotify", "reccobeats", "none")


@dataclass
class FeaturesOutcome:
    """Audio features found for the landed tracks, and what was not."""

    requested: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    sources_used: list[str] = field(default_factory=list)


class FeatureFetch:
    """Fetches the features of a run's tracks from the source asked for."""

    def __init__(
        self,
        spotify: SpotifyClient,
        reccobeats: ReccoBeatsClient,
        source: str,
        log: RunLog,
        extracted_at: dt_module.datetime,
    ) -> None:
        self.spotify = spotify
        self.reccobeats = reccobeats
        self.source = source
        self.log = log
        self.extracted_at = extracted_at

    def fetch(self, track_rows: Sequence[Mapping[str, Any]]) -> FeaturesOutcome:
        """Features for each distinct track of ``track_rows`` (``top_tracks`` rows)."""
        track_ids = list(dict.fromkeys(row["track_id"] for row in track_rows))
        durations = {row["track_id"]: row["duration_ms"] for row in track_rows}
        outcome = FeaturesOutcome(requested=len(track_ids))
        if self.source == "none" or not track_ids:
            return outcome
        pending = track_ids
        if self.source in ("spotify", "auto"):
            pending = self.spotify_features(track_ids, outcome, may_fall_back=self.source == "auto")
        if pending:
            self.reccobeats_features(pending, outcome, durations)
        return outcome

    def spotify_features(
        self, track_ids: list[str], outcome: FeaturesOutcome, may_fall_back: bool
    ) -> list[str]:
        """Spotify's features in batches of 100; returns the ids left for ReccoBeats."""
        for start in range(0, len(track_ids), AUDIO_FEATURES_BATCH):
            batch = track_ids[start : start + AUDIO_FEATURES_BATCH]
            try:
                answers = self.spotify.audio_features(batch)
            except EndpointUnavailableError as error:
                remaining = track_ids[start:]
                if may_fall_back:
                    self.log.fallback(
                        f"audio features: spotify -> reccobeats (HTTP {error.status})",
                        f"audio features refused (HTTP {error.status}): using ReccoBeats instead",
                    )
                    return remaining
                message = f"{error}; try --features-source reccobeats (or auto)"
                self.log.error("(all tracks)", "features", message)
                outcome.failed.extend(remaining)
                return []
            except SpotifyError as error:
                self.log.error(f"{len(batch)} tracks", "features", str(error))
                outcome.failed.extend(batch)
                continue
            self.collect(
                batch, answers, outcome, "spotify", lambda _, entry: entry.get("duration_ms")
            )
        return []

    def reccobeats_features(
        self, track_ids: list[str], outcome: FeaturesOutcome, durations: Mapping[str, Any]
    ) -> None:
        """ReccoBeats' features in batches of 40; unknown ids are missing."""
        for start in range(0, len(track_ids), RECCOBEATS_BATCH):
            batch = track_ids[start : start + RECCOBEATS_BATCH]
            try:
                answers = self.reccobeats.audio_features(batch)
            except ReccoBeatsError as error:
                self.log.error(f"{len(batch)} tracks", "features", str(error))
                outcome.failed.extend(batch)
                continue
            self.collect(
                batch, answers, outcome, "reccobeats", lambda track_id, _: durations.get(track_id)
            )

    def collect(
        self,
        batch: list[str],
        answers: Mapping[str, Any],
        outcome: FeaturesOutcome,
        source: str,
        duration_of: Callable[[str, Mapping[str, Any]], Any],
    ) -> None:
        """Land one batch's answers as feature rows; ids without an answer are missing."""
        if source not in outcome.sources_used:
            outcome.sources_used.append(source)
        for track_id in batch:
            entry = answers.get(track_id)
            if entry is None:
                outcome.missing.append(track_id)
            else:
                duration_ms = duration_of(track_id, entry)
                outcome.rows.append(
                    feature_row(track_id, entry, duration_ms, source, self.extracted_at)
                )
