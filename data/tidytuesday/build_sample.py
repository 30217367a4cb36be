"""Rebuild the committed samples from the TidyTuesday "Spotify Songs" CSV.

Maintainers only: the project never reads the original file at run time or in tests.

    .venv/bin/python data/tidytuesday/build_sample.py path/to/spotify_songs.csv

writes ``spotify_songs.parquet`` next to this script (every row, typed, zstd) and
``tests/python/fixtures/spotify_songs_subset.csv`` (raw lines of a few artists, kept
byte-for-byte so the importer's tests see the original's quirks: ``NA`` strings, R-style
numbers, tracks repeated across playlists, year-only release dates).
"""

from __future__ import annotations

import argparse
import csv
import pathlib

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SUBSET_ARTISTS = {"BLACKPINK", "Queen", "Daft Punk", "ABBA", "The Chainsmokers", "Metallica"}
INTEGER_COLUMNS = ("track_popularity", "key", "mode", "duration_ms")


def build_parquet(source: pathlib.Path, target: pathlib.Path) -> None:
    table = pa_csv.read_csv(
        source,
        convert_options=pa_csv.ConvertOptions(
            null_values=["NA"], strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )
    casts = {name: pa.int64() for name in INTEGER_COLUMNS}
    schema = pa.schema(
        [pa.field(field.name, casts.get(field.name, field.type)) for field in table.schema]
    )
    pq.write_table(table.cast(schema), target, compression="zstd", compression_level=19)
    print(f"{target}: {table.num_rows} rows, {target.stat().st_size / 1e6:.1f} MB")


def build_subset(source: pathlib.Path, target: pathlib.Path) -> None:
    with source.open(newline="", encoding="utf-8") as handle:
        lines = handle.read().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    by_artist, missing_names, r_notation = [], [], []
    for line in rows:
        fields = next(csv.reader([line]))
        if fields[2] in SUBSET_ARTISTS:
            by_artist.append(line)
        elif fields[2] == "NA":
            missing_names.append(line)
        elif any("e-" in value for value in fields[11:]) and len(r_notation) < 20:
            r_notation.append(line)
    kept = [header, *by_artist, *missing_names, *r_notation]
    target.write_text("".join(kept), encoding="utf-8")
    print(f"{target}: {len(kept) - 1} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=pathlib.Path, help="the TidyTuesday spotify_songs.csv")
    arguments = parser.parse_args()
    build_parquet(arguments.source, HERE / "spotify_songs.parquet")
    build_subset(arguments.source, ROOT / "tests/python/fixtures/spotify_songs_subset.csv")


if __name__ == "__main__":
    main()
