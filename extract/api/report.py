"""The typed report of one API run: the manifest and the printed summary are both written from it.

``RunReport.manifest()`` is the JSON written to ``<lake>/_runs/dt=<dt>/<run_id>.json``
(extract/run_manifest.py); its keys are a contract with whoever reads the runs, so a new field
of the report goes to the end of its group, and nothing is renamed. ``summary_lines()`` is
what the run prints on stderr at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt_module
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from extract.api.artist_results import DUPLICATE, FAILED, LANDED, ArtistResult
from extract.api.features import FeaturesOutcome
from extract.api.run_log import RunError
from extract.http_retry import RequestStats
from extract.lake_replace import LakeChanges
from extract.lake_writer import Lake
from extract.spotify_client import redact_url


@dataclass(frozen=True)
class ArtistOutcome:
    """One requested artist as the report keeps it (the manifest's ``artists`` entries)."""

    input: str
    input_kind: str
    origin: str
    status: str
    artist_id: str | None
    artist_name: str | None
    resolution: str | None
    selection: str | None
    tracks: int
    error: str | None

    @classmethod
    def from_result(cls, result: ArtistResult) -> ArtistOutcome:
        return cls(
            input=result.request.value,
            input_kind=result.request.kind,
            origin=result.request.origin,
            status=result.status,
            artist_id=result.artist_id,
            artist_name=result.artist_name,
            resolution=result.resolution,
            selection=result.selection,
            tracks=len(result.tracks),
            error=result.error,
        )

    @property
    def label(self) -> str:
        return self.input if self.input_kind == "name" else f"id {self.input}"


@dataclass(frozen=True)
class Endpoints:
    """The services the run talked to (credentials in a URL are redacted)."""

    spotify_api: str
    spotify_auth: str
    reccobeats: str


@dataclass(frozen=True)
class FeaturesSource:
    """The features source asked for (--features-source) and those actually used, in order."""

    requested: str
    used: tuple[str, ...]

    @property
    def used_label(self) -> str:
        return " then ".join(self.used) or ("none" if self.requested == "none" else "-")


@dataclass(frozen=True)
class RunCounts:
    artists_requested: int
    artists_landed: int
    artists_failed: int
    artists_duplicate: int
    tracks: int
    features_found: int
    features_missing: int
    features_failed: int

    @classmethod
    def of(
        cls, results: Sequence[ArtistResult], features: FeaturesOutcome, tracks: int
    ) -> RunCounts:
        return cls(
            artists_requested=len(results),
            artists_landed=sum(result.status == LANDED for result in results),
            artists_failed=sum(result.status == FAILED for result in results),
            artists_duplicate=sum(result.status == DUPLICATE for result in results),
            tracks=tracks,
            features_found=len(features.rows),
            features_missing=len(features.missing),
            features_failed=len(features.failed),
        )


@dataclass(frozen=True)
class RunReport:
    """Everything one run records about itself, in the manifest's order."""

    run_id: str
    command: str
    started_at: dt_module.datetime
    finished_at: dt_module.datetime
    duration_seconds: float
    dt: str
    lake: str
    arguments: Mapping[str, Any]
    endpoints: Endpoints
    app_mode: str
    track_selections: tuple[str, ...]
    features_source: FeaturesSource
    counts: RunCounts
    requests: RequestStats
    fallbacks: tuple[str, ...]
    errors: tuple[RunError, ...]
    artists: tuple[ArtistOutcome, ...]
    files: LakeChanges  # as users write lake paths (lake_location)
    exit_code: int

    def manifest(self) -> dict[str, Any]:
        """The run manifest, as JSON-ready values."""
        return {
            "run_id": self.run_id,
            "command": self.command,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "duration_seconds": self.duration_seconds,
            "dt": self.dt,
            "lake": self.lake,
            "arguments": dict(self.arguments),
            "endpoints": asdict(self.endpoints),
            "app_mode": self.app_mode,
            "track_selections": list(self.track_selections),
            "features_source": {
                "requested": self.features_source.requested,
                "used": list(self.features_source.used),
                "used_label": self.features_source.used_label,
            },
            "counts": asdict(self.counts),
            "requests": self.requests.as_dict(),
            "fallbacks": list(self.fallbacks),
            "errors": [asdict(error) for error in self.errors],
            "artists": [asdict(artist) for artist in self.artists],
            "files": self.files.as_dict(),
            "exit_code": self.exit_code,
        }

    def summary_lines(self) -> list[str]:
        """The summary printed at the end of the run."""
        counts = self.counts
        lines = [
            f"{self.command}: run {self.run_id}, dt={self.dt}, lake {self.lake}",
            f"app mode: {self.app_mode}; tracks: {', '.join(self.track_selections) or '-'}; "
            f"audio features: {self.features_source.used_label}",
            *(f"fallback: {fallback}" for fallback in self.fallbacks),
            f"artists: {counts.artists_requested} requested, {counts.artists_landed} landed, "
            f"{counts.artists_failed} failed"
            + (f", {counts.artists_duplicate} duplicate" if counts.artists_duplicate else ""),
            *(artist_line(artist) for artist in self.artists),
            f"tracks: {counts.tracks}; audio features: {counts.features_found} found, "
            f"{counts.features_missing} missing"
            + (f", {counts.features_failed} failed" if counts.features_failed else ""),
            f"requests: {self.requests.requests_total} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(self.requests.requests.items()))}), "
            f"retries: {self.requests.retries_total}",
            *(f"error: {e.artist} [{e.stage}]: {e.message}" for e in self.errors),
            *(f"wrote {path}" for path in self.files.written),
            *(f"rewrote {path} (replaced rows removed)" for path in self.files.rewritten),
            *(f"removed {path} (all its rows replaced)" for path in self.files.removed),
        ]
        return lines


def artist_line(artist: ArtistOutcome) -> str:
    """One requested artist in the summary."""
    if artist.status == FAILED:
        return f"  FAILED {artist.label}: {artist.error}"
    return f"  {artist.label} -> {artist.artist_name} ({artist.artist_id}), {artist.resolution}" + (
        f", {artist.tracks} tracks" if artist.status == LANDED else ""
    )


def print_summary(console: Console, report: RunReport, manifest_file: str) -> None:
    """The summary, then where the manifest went."""
    for line in [*report.summary_lines(), f"manifest {manifest_file}"]:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def recorded_arguments(arguments: argparse.Namespace) -> dict[str, Any]:
    """The command's arguments as recorded in the manifest (they never hold a secret)."""
    recorded: dict[str, Any] = {}
    for name, value in sorted(vars(arguments).items()):
        if name in ("run", "command") or callable(value):
            continue
        if name == "lake" and isinstance(value, str):
            value = redact_url(value)
        recorded[name] = str(value) if isinstance(value, Path) else value
    return recorded


def lake_location(lake: Lake, path: str) -> str:
    """A lake path as users write it: a local path, or a URI such as ``s3://bucket/key``."""
    return path if lake.is_local else redact_url(lake.filesystem.unstrip_protocol(path))


def located_changes(lake: Lake, changes: LakeChanges) -> LakeChanges:
    """The run's file changes with each path as users write it."""
    return LakeChanges(
        **{
            kind: [lake_location(lake, path) for path in paths]
            for kind, paths in changes.as_dict().items()
        }
    )
