"""Generate a lake of any size that sounds like the real sample, for the scale benchmark.

Every generated artist copies the tracks of one artist of the committed TidyTuesday sample
(drawn at random, with replacement) and jitters each track's audio features with Gaussian
noise (a tenth of the feature's spread over the sample, clipped to the documented range).
The feature distribution and the clustering of real music survive; nobody is an exact copy
(unless asked for, below). Exact zeros clipped at a range bound (instrumentalness,
speechiness) stay common, as in the real data. Deterministic for a given seed.

With ``--duplicate-fraction F`` (default 0: no duplicates, and the lake is bit-for-bit the
one written without the option), round(F * artists) of the generated artists are instead
exact copies of another generated artist (an original, not a copy): the same tracks with
the same audio features, under their own artist and track ids, so identical artist
profiles exist. Which artists are copies and what they copy is drawn from a second random
stream of the same seed, after everything else.

    .venv/bin/python -m benchmarks.generate_lake --artists 100000 --lake /tmp/lake-100k
    .venv/bin/python -m benchmarks.generate_lake --artists 100000 --lake /tmp/lake-100k-dup \
        --duplicate-fraction 0.01
"""

from __future__ import annotations

import argparse
import datetime as dt_module
import pathlib
import sys
import tempfile
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.cli import main as extract_main
from extract.lake_writer import Lake
from extract.schemas import ARTISTS, AUDIO_FEATURES, SELECTION_DATASET, TOP_TRACKS

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLE_PARQUET = PROJECT_ROOT / "data" / "tidytuesday" / "spotify_songs.parquet"
PARTITION = "2026-11-24"
EXTRACTED_AT = dt_module.datetime(2026, 11, 24, 6, 0, tzinfo=dt_module.UTC)
# Continuous features and their documented ranges (key and mode are copied unchanged).
JITTERED_FEATURES = {
    "danceability": (0.0, 1.0),
    "energy": (0.0, 1.0),
    "loudness": (-60.0, 5.0),
    "speechiness": (0.0, 1.0),
    "acousticness": (0.0, 1.0),
    "instrumentalness": (0.0, 1.0),
    "liveness": (0.0, 1.0),
    "valence": (0.0, 1.0),
    "tempo": (0.0, 300.0),
}
JITTER_FRACTION_OF_SPREAD = 0.1


def read_sample(work_folder: pathlib.Path) -> tuple[pa.Table, pa.Table]:
    """Import the committed sample with the project's importer; return tracks and features."""
    lake = work_folder / "sample-lake"
    arguments = ["dataset", str(SAMPLE_PARQUET), "--lake", str(lake), "--dt", PARTITION]
    if extract_main([*arguments, "--name", "tidytuesday"]) != 0:
        raise SystemExit("generate_lake: importing the committed sample failed")
    tracks = pq.read_table(lake / "top_tracks" / f"dt={PARTITION}")
    features = pq.read_table(lake / "audio_features" / f"dt={PARTITION}")
    return tracks.select(["artist_id", "track_id"]), features


@dataclass(frozen=True)
class SampleTracks:
    """The sample's tracks with their audio features, sorted by artist and track, and the
    row range of each sample artist's tracks."""

    joined: pa.Table
    starts: np.ndarray  # first row of each sample artist's tracks
    counts: np.ndarray  # number of tracks of each sample artist


def sample_tracks(work_folder: pathlib.Path) -> SampleTracks:
    """The committed sample's tracks joined to their audio features, grouped by artist."""
    tracks, features = read_sample(work_folder)
    joined = tracks.join(features, "track_id", join_type="inner")
    joined = joined.sort_by([("artist_id", "ascending"), ("track_id", "ascending")])
    source_artists, track_artist_index = np.unique(
        joined.column("artist_id").to_numpy(zero_copy_only=False), return_inverse=True
    )
    # Row ranges of each source artist's tracks (joined is sorted by artist).
    starts = np.searchsorted(track_artist_index, np.arange(len(source_artists)))
    counts = np.bincount(track_artist_index, minlength=len(source_artists))
    return SampleTracks(joined, starts, counts)


def generate(
    artist_count: int,
    seed: int,
    work_folder: pathlib.Path,
    duplicate_fraction: float = 0.0,
) -> dict[str, pa.Table]:
    """The three lake tables of ``artist_count`` generated artists, ``duplicate_fraction``
    of them exact copies of another generated artist (see the module docstring)."""
    sample = sample_tracks(work_folder)
    rng = np.random.default_rng(seed)
    tracks_per_artist, track_rows = draw_artists(sample, artist_count, rng)
    columns = jittered_features(sample.joined, track_rows, rng)
    copies = duplicate_sources(artist_count, duplicate_fraction, seed)
    if copies:
        tracks_per_artist, columns = copy_artists(tracks_per_artist, columns, copies)
    return lake_tables(tracks_per_artist, columns)


def draw_artists(
    sample: SampleTracks, artist_count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each generated artist's sample artist, drawn with replacement: the generated
    artists' track counts and, per generated track, its row of the sample."""
    chosen = rng.integers(0, len(sample.counts), size=artist_count)
    tracks_per_artist = sample.counts[chosen]
    track_rows = np.repeat(sample.starts[chosen], tracks_per_artist) + _ranks(tracks_per_artist)
    return tracks_per_artist, track_rows


def jittered_features(
    joined: pa.Table, track_rows: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The generated tracks' audio features: the sample rows' values with Gaussian noise (a
    tenth of the feature's spread, clipped to its range); key and mode unchanged."""
    columns: dict[str, np.ndarray] = {}
    for feature, (low, high) in JITTERED_FEATURES.items():
        values = joined.column(feature).to_numpy(zero_copy_only=False).astype(np.float64)
        spread = float(np.nanstd(values))
        noise = rng.normal(0.0, JITTER_FRACTION_OF_SPREAD * spread, size=len(track_rows))
        columns[feature] = np.clip(values[track_rows] + noise, low, high)
    for feature in ("key", "mode"):
        columns[feature] = joined.column(feature).to_numpy(zero_copy_only=False)[track_rows]
    return columns


def copy_artists(
    tracks_per_artist: np.ndarray, columns: dict[str, np.ndarray], copies: dict[int, int]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each copy takes its original's generated tracks, values and all: the new track
    counts and feature columns (ids and ranks follow from the counts)."""
    generated_starts = np.cumsum(tracks_per_artist) - tracks_per_artist
    source_of_artist = np.arange(len(tracks_per_artist))
    source_of_artist[list(copies)] = list(copies.values())
    copied_counts = tracks_per_artist[source_of_artist]
    copied_rows = np.repeat(generated_starts[source_of_artist], copied_counts) + _ranks(
        copied_counts
    )
    return copied_counts, {name: values[copied_rows] for name, values in columns.items()}


def lake_tables(
    tracks_per_artist: np.ndarray, columns: dict[str, np.ndarray]
) -> dict[str, pa.Table]:
    """The artists, top_tracks and audio_features tables of the generated artists, ids
    numbered in order (gen-0000000, its tracks gen-0000000-1, ...)."""
    artist_count = len(tracks_per_artist)
    artist_ids = np.char.add("gen-", np.char.zfill(np.arange(artist_count).astype(str), 7))
    artist_of_track = np.repeat(np.arange(artist_count), tracks_per_artist)
    rank_of_track = _ranks(tracks_per_artist) + 1
    track_ids = np.char.add(
        np.char.add(artist_ids[artist_of_track], "-"), rank_of_track.astype(str)
    )
    extracted_at = pa.repeat(
        pa.scalar(EXTRACTED_AT, TOP_TRACKS.field("extracted_at").type), len(track_ids)
    )
    return {
        "artists": artists_table(artist_ids),
        "top_tracks": tracks_table(
            artist_ids[artist_of_track], track_ids, rank_of_track, extracted_at
        ),
        "audio_features": features_table(track_ids, columns, extracted_at),
    }


def artists_table(artist_ids: np.ndarray) -> pa.Table:
    artist_count = len(artist_ids)
    return pa.table(
        {
            "artist_id": artist_ids,
            "artist_name": np.char.add("Generated artist ", np.arange(artist_count).astype(str)),
            "genres": pa.nulls(artist_count, pa.list_(pa.string())),
            "popularity": pa.nulls(artist_count, pa.int32()),
            "followers": pa.nulls(artist_count, pa.int64()),
            "source": pa.repeat("benchmark:generated", artist_count),
            "extracted_at": pa.repeat(
                pa.scalar(EXTRACTED_AT, ARTISTS.field("extracted_at").type), artist_count
            ),
        },
        schema=ARTISTS,
    )


def tracks_table(
    artist_ids: np.ndarray,
    track_ids: np.ndarray,
    rank_of_track: np.ndarray,
    extracted_at: pa.Array,
) -> pa.Table:
    """top_tracks: one row per generated track (``artist_ids`` per track)."""
    track_count = len(track_ids)
    return pa.table(
        {
            "artist_id": artist_ids,
            "track_id": track_ids,
            "track_name": pc.binary_join_element_wise("Song ", pa.array(track_ids), ""),
            "track_rank": rank_of_track.astype(np.int32),
            "selection": pa.repeat(SELECTION_DATASET, track_count),
            "popularity": pa.nulls(track_count, pa.int32()),
            "album_id": pa.nulls(track_count, pa.string()),
            "album_name": pa.nulls(track_count, pa.string()),
            "release_date": pa.nulls(track_count, pa.string()),
            "duration_ms": pa.repeat(pa.scalar(200_000, pa.int64()), track_count),
            "is_explicit": pa.nulls(track_count, pa.bool_()),
            "isrc": pa.nulls(track_count, pa.string()),
            "spotify_url": pc.binary_join_element_wise(
                "https://open.spotify.com/track/", pa.array(track_ids), ""
            ),
            "extracted_at": extracted_at,
        },
        schema=TOP_TRACKS,
    )


def features_table(
    track_ids: np.ndarray, columns: dict[str, np.ndarray], extracted_at: pa.Array
) -> pa.Table:
    """audio_features: one row per generated track, the AUDIO_FEATURES schema."""
    track_count = len(track_ids)
    features = pa.table(
        {
            "track_id": track_ids,
            **{name: values for name, values in columns.items()},
            "time_signature": pa.nulls(track_count, pa.int32()),
            "duration_ms": pa.repeat(pa.scalar(200_000, pa.int64()), track_count),
            "source": pa.repeat("benchmark:generated", track_count),
            "extracted_at": extracted_at,
        },
    )
    return features.select(AUDIO_FEATURES.names).cast(AUDIO_FEATURES)


def duplicate_sources(artist_count: int, fraction: float, seed: int) -> dict[int, int]:
    """{copy: original} over artist indices: round(fraction * artist_count) copies, each of
    an artist that is not itself a copy (originals may be copied more than once). Drawn
    from its own random stream, so the rest of the lake does not depend on it."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"duplicate fraction must be in [0, 1), got {fraction}")
    copy_count = round(fraction * artist_count)
    if copy_count == 0 or artist_count < 2:
        return {}
    copy_count = min(copy_count, artist_count - 1)
    rng = np.random.default_rng([seed, 1])
    shuffled = rng.permutation(artist_count)
    copies, originals = np.sort(shuffled[:copy_count]), np.sort(shuffled[copy_count:])
    sources = originals[rng.integers(0, len(originals), size=copy_count)]
    return dict(zip(copies.tolist(), sources.tolist(), strict=True))


def _ranks(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., count - 1 for each count, concatenated."""
    total = int(counts.sum())
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total) - offsets


def write_lake(
    lake_uri: str, artist_count: int, seed: int = 20261124, duplicate_fraction: float = 0.0
) -> None:
    """Write a generated lake of ``artist_count`` artists to ``lake_uri``."""
    with tempfile.TemporaryDirectory() as work:
        tables = generate(artist_count, seed, pathlib.Path(work), duplicate_fraction)
    lake = Lake.open(lake_uri)
    for name, table in tables.items():
        lake.write_table(name, PARTITION, table, "generated.parquet")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artists", type=int, required=True, help="number of artists")
    parser.add_argument("--lake", required=True, help="lake root to write")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument(
        "--duplicate-fraction",
        type=float,
        default=0.0,
        help="fraction of the artists that copy another generated artist exactly (0 <= F < 1)",
    )
    arguments = parser.parse_args(argv)
    if arguments.artists < 1:
        print("generate_lake: --artists must be at least 1", file=sys.stderr)
        return 2
    if not 0.0 <= arguments.duplicate_fraction < 1.0:
        print("generate_lake: --duplicate-fraction must be in [0, 1)", file=sys.stderr)
        return 2
    write_lake(arguments.lake, arguments.artists, arguments.seed, arguments.duplicate_fraction)
    copies = len(duplicate_sources(arguments.artists, arguments.duplicate_fraction, arguments.seed))
    print(
        f"generate_lake: {arguments.artists} artists ({copies} exact copies) written to "
        f"{arguments.lake}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
