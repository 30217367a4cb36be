"""How often a build that includes an artist ranks its related artists differently from the
answer the on-demand path gave before the artist was in the warehouse.

The on-demand answer (lookup/on_demand.py) places a new artist with the warehouse's stored
normalisation parameters (dim_similarity_features) and is exact for them. A build that
includes the artist recomputes the parameters with it (each feature's min, max, mean and
spread move a little), so its fct_related_artists may rank the artist's neighbours
differently. This measures how often, on the committed sample:

for ``--artists`` artists (default 30), the first recommendable artists of the full build by
md5(artist_id): remove the artist from a copy of the lake (its ``artists`` and
``top_tracks`` rows, and the ``audio_features`` of tracks no other artist lists), build
``+dim_artists`` from the copy, answer on demand from the removed rows (what a fetch would
have brought: ``lookup.on_demand.answer_from_rows``, no HTTP), and compare the top-k with
``fct_related_artists`` of the full build. Prints one line per artist, then how often the
set and the order differ, the mean overlap, the largest distance change, and whether the
on-demand profile equals the build's (it must, bit for bit); progress goes to stderr.

    .venv/bin/python -m benchmarks.on_demand_drift [--artists 30] [--method default|original]

About 10 s per artist (one dbt run of the five models up to dim_artists) plus one full build.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.dbt_workspace import DbtWorkspace
from benchmarks.similarity_methods import original_method
from extract.cli import main as extract_main
from extract.lake_writer import Lake
from extract.schemas import AUDIO_FEATURE_COLUMNS, LAKE_TABLES
from lookup.on_demand import answer_from_rows
from lookup.on_demand_profile import read_similarity_parameters

PROGRAM = "on_demand_drift"
PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLE = PROJECT_ROOT / "data" / "tidytuesday" / "spotify_songs.parquet"
DT = "2026-11-24"
DATASET = "tidytuesday"
FILE_NAME = f"dataset-{DATASET}.parquet"


@dataclass(frozen=True)
class Comparison:
    """One artist: its on-demand answer against the full build's related artists."""

    artist_id: str
    artist_name: str
    on_demand: list[tuple[str, float]]
    rebuilt: list[tuple[str, float]]
    same_profile: bool
    answer_seconds: float

    @property
    def same_set(self) -> bool:
        return {artist for artist, _ in self.on_demand} == {artist for artist, _ in self.rebuilt}

    @property
    def same_order(self) -> bool:
        return [artist for artist, _ in self.on_demand] == [artist for artist, _ in self.rebuilt]

    @property
    def overlap(self) -> int:
        return len({artist for artist, _ in self.on_demand} & {a for a, _ in self.rebuilt})

    @property
    def distance_change(self) -> float:
        """The largest change of a neighbour's distance kept by both."""
        rebuilt = dict(self.rebuilt)
        changes = [abs(d - rebuilt[a]) for a, d in self.on_demand if a in rebuilt]
        return max(changes, default=0.0)


def progress(message: str) -> None:
    load = os.getloadavg()[0]
    print(f"[{PROGRAM}] {message} (load {load:.1f})", file=sys.stderr, flush=True)


def dbt_vars(method: str) -> list[str]:
    """The --vars of every build: none for the project's method, else the original's."""
    return [] if method == "default" else ["--vars", json.dumps(original_method())]


def import_sample(lake: pathlib.Path) -> None:
    if (lake / "artists" / f"dt={DT}" / FILE_NAME).exists():
        return
    arguments = ["dataset", str(SAMPLE), "--lake", str(lake), "--dt", DT, "--name", DATASET]
    if extract_main(arguments) != 0:
        raise SystemExit(f"{PROGRAM}: the sample import failed")


def read_lake(lake: pathlib.Path) -> dict[str, pa.Table]:
    return {table: pq.read_table(lake / table / f"dt={DT}" / FILE_NAME) for table in LAKE_TABLES}


def split_artist(
    tables: dict[str, pa.Table], artist_id: str
) -> tuple[dict[str, pa.Table], pa.Table, pa.Table]:
    """The lake without the artist, and the artist's rows: its top_tracks and the features
    of all its tracks (a fetch brings them all, shared or not)."""
    tracks = tables["top_tracks"]
    own = pc.equal(tracks["artist_id"], artist_id)
    artist_tracks = tracks.filter(own)
    track_ids = artist_tracks["track_id"]
    others_tracks = tracks.filter(pc.invert(own))
    features = tables["audio_features"]
    artist_features = features.filter(pc.is_in(features["track_id"], value_set=track_ids))
    only_theirs = pc.and_(
        pc.is_in(features["track_id"], value_set=track_ids),
        pc.invert(pc.is_in(features["track_id"], value_set=others_tracks["track_id"])),
    )
    artists = tables["artists"]
    without = {
        "artists": artists.filter(pc.not_equal(artists["artist_id"], artist_id)),
        "top_tracks": others_tracks,
        "audio_features": features.filter(pc.invert(only_theirs)),
    }
    return without, artist_tracks, artist_features


def related_in(database: pathlib.Path) -> dict[str, list[tuple[str, float]]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select artist_id, related_artist_id, distance from fct_related_artists "
            "order by artist_id, similarity_rank"
        ).fetchall()
    related: dict[str, list[tuple[str, float]]] = {}
    for artist_id, related_id, distance in rows:
        related.setdefault(artist_id, []).append((related_id, distance))
    return related


def chosen_artists(database: pathlib.Path, count: int) -> list[tuple[str, str, tuple]]:
    """The first ``count`` recommendable artists by md5(artist_id), with their profiles."""
    columns = ", ".join(AUDIO_FEATURE_COLUMNS)
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            f"select artist_id, artist_name, track_count, {columns} from dim_artists "
            "where is_recommendable order by md5(artist_id), artist_id limit ?",
            [count],
        ).fetchall()
    return [(row[0], row[1], tuple(row[2:])) for row in rows]


def measure(arguments: argparse.Namespace) -> list[Comparison]:
    work = pathlib.Path(arguments.work)
    lake = work / "lake"
    import_sample(lake)
    full = DbtWorkspace(work / f"full-{arguments.method}", lake)
    full.write_profiles()
    progress("full build (every artist)")
    method_vars = dbt_vars(arguments.method)
    full.dbt("run", "--select", "+fct_related_artists", *method_vars, program=PROGRAM)
    rebuilt = related_in(full.database)
    tables = read_lake(lake)
    copy = DbtWorkspace(work / f"without-{arguments.method}", work / "lake-without")
    copy.write_profiles()
    copy_lake = Lake.open(str(copy.lake))
    comparisons = []
    artists = chosen_artists(full.database, arguments.artists)
    for number, (artist_id, artist_name, profile) in enumerate(artists, start=1):
        progress(f"{number}/{len(artists)}: {artist_name}, removed and built without")
        without, artist_tracks, artist_features = split_artist(tables, artist_id)
        for table, data in without.items():
            copy_lake.write_table(table, DT, data, FILE_NAME)
        copy.dbt("run", "--select", "+dim_artists", *method_vars, program=PROGRAM)
        with duckdb.connect(str(copy.database), read_only=True) as connection:
            parameters = read_similarity_parameters(connection)
            started = time.perf_counter()
            result = answer_from_rows(
                connection, artist_id, artist_name, artist_tracks, artist_features, parameters, 0
            )
            seconds = time.perf_counter() - started
        if result.answer is None or result.profile is None:
            raise SystemExit(f"{PROGRAM}: no on-demand answer for {artist_name}: {result.message}")
        on_demand_profile = (
            result.profile.track_count,
            *(result.profile.features[name] for name in AUDIO_FEATURE_COLUMNS),
        )
        comparisons.append(
            Comparison(
                artist_id=artist_id,
                artist_name=artist_name,
                on_demand=[(r.artist_id, r.distance) for r in result.answer.related],
                rebuilt=rebuilt.get(artist_id, []),
                same_profile=on_demand_profile == profile,
                answer_seconds=seconds,
            )
        )
    return comparisons


def print_report(comparisons: list[Comparison], method: str) -> None:
    count = len(comparisons)
    top_k = max((len(c.rebuilt) for c in comparisons), default=0)
    print(f"On-demand answers against the build that includes the artist ({method} method)")
    print(f"{'artist':<32} {'set':>5} {'order':>5} {'overlap':>7} {'max |d - d_build|':>18}")
    for comparison in comparisons:
        print(
            f"{comparison.artist_name[:32]:<32} "
            f"{'same' if comparison.same_set else 'DIFF':>5} "
            f"{'same' if comparison.same_order else 'DIFF':>5} "
            f"{comparison.overlap:>5}/{len(comparison.rebuilt)} "
            f"{comparison.distance_change:>18.2e}"
        )
    set_differs = sum(not c.same_set for c in comparisons)
    order_differs = sum(not c.same_order for c in comparisons)
    reordered = sum(c.same_set and not c.same_order for c in comparisons)
    first_differs = sum(
        [a for a, _ in c.on_demand[:1]] != [a for a, _ in c.rebuilt[:1]] for c in comparisons
    )
    overlap = sum(c.overlap for c in comparisons) / max(1, count)
    print()
    print(f"artists: {count} (recommendable, first by md5(artist_id)), top_k {top_k}")
    print(f"same list, same order: {count - order_differs} of {count}")
    print(f"set differs: {set_differs} of {count} ({100 * set_differs / max(1, count):.0f}%)")
    print(f"same set, order differs: {reordered} of {count}")
    print(f"nearest artist differs: {first_differs} of {count}")
    print(f"mean overlap: {overlap:.2f} of {top_k}")
    change = max((c.distance_change for c in comparisons), default=0.0)
    print(f"largest distance change of a neighbour kept: {change:.2e}")
    same_profiles = sum(c.same_profile for c in comparisons)
    print(f"on-demand profile equal to the build's, bit for bit: {same_profiles} of {count}")
    seconds = sorted(c.answer_seconds for c in comparisons)
    if seconds:
        median = 1000 * seconds[len(seconds) // 2]
        print(f"on-demand answer (profile + search): median {median:.0f} ms")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{PROGRAM}", description=__doc__)
    parser.add_argument("--artists", type=int, default=30, help="artists compared (default 30)")
    parser.add_argument("--method", choices=("default", "original"), default="default")
    parser.add_argument("--work", default="/tmp/on-demand-drift-benchmark", help="work folder")
    arguments = parser.parse_args(argv)
    if arguments.artists < 1:
        parser.error("--artists must be 1 or more")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    comparisons = measure(arguments)
    print_report(comparisons, arguments.method)
    return 0 if all(c.same_profile for c in comparisons) else 1


if __name__ == "__main__":
    raise SystemExit(main())
