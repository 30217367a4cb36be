"""Import a public tracks-with-audio-features file (CSV or parquet) into the lake.

Understood layouts:
  * TidyTuesday "Spotify Songs" (track_artist, track_popularity, track_album_id,
    track_album_name, track_album_release_date, ...; one row per track and playlist).
  * Kaggle "Spotify Tracks Dataset" (artists separated by ";", popularity, album_name,
    explicit, time_signature, ...; one row per track and genre).
The file type comes from the extension (.csv or .parquet). In a CSV every value is read as
text; exactly NA (unquoted) and the empty string are nulls, numbers such as 1.33e-4 parse,
and a value that is not a number where one is expected becomes null and is counted.

Required columns: track_id, track_name, an artist column (track_artist or artists) and the
audio features danceability, energy, key, loudness, mode, speechiness, acousticness,
instrumentalness, liveness, valence, tempo.

Artist ids: these files carry artist names, not Spotify ids (unless they have an artist_id
column, which is then used as is). The id is derived from the name:
    artist_id = "name-" + sha256(normalised name, UTF-8).hexdigest()[:16]
where the name is normalised with NFKC, case-folded, NFKC again, whitespace runs collapsed to
one space and stripped. Spellings that normalise alike are one artist, shown under the
spelling found on most rows (ties: the first seen); artists.source then reads
dataset:<name>:name-derived-id (dataset:<name> with real ids).

Written, for partition dt (--dt, default today in UTC), as dataset-<name>.parquet in each
table's partition (<name>: --name, default the file name without extension folded to
[a-z0-9_]), so importing the same file for the same day again replaces the files:
  artists         one row per artist; genres carries the file's playlist labels, if any
                  (below), else null
  top_tracks      one row per artist and track; track_rank 1..n per artist by popularity
                  (highest first, unknown last), then track_id; selection "dataset"
  audio_features  one row per track_id (its first row in the file)
A track repeated over playlists or genres lands once, as its first row in the file. Rows
without a track_id are skipped; rows without an artist name still land their audio features
but no top_tracks row; both are counted. Nothing is written unless the whole file is valid.

Genres: when the file has playlist_genre and/or playlist_subgenre columns (TidyTuesday), an
artist's genres are its rows' labels, marked as the dataset's playlist labels rather than
Spotify's artist genres: first "playlist_genre:<value>" once per distinct value, then
"playlist_subgenre:<value>" likewise, each group ordered by how many of the artist's rows
carry the value (highest first: the first entry is the majority genre), then by value. Every
row counts, so a track in three playlists counts three times; a row with several artists
counts once for each. Values are trimmed; blank ones are skipped. An artist without a
labelled row has null genres, as does every artist of a file without those columns (the
Kaggle track_genre is not mapped).

Exit codes: 0 imported, 2 a problem with the arguments or the file, 1 the lake could not be
written.
"""

from __future__ import annotations

import argparse
import datetime as dt_module
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console
from rich.table import Table

from extract.cli_common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_lake_arguments, print_error
from extract.dataset.artist_identity import explode_artists
from extract.dataset.parsing import parse_rows, resolve_columns
from extract.dataset.reader import DatasetError, read_dataset_file
from extract.dataset.tables import build_tables
from extract.lake_writer import Lake, LakeError, conform_to_schema, parse_partition_date, today_utc
from extract.schemas import LAKE_TABLES, UTC_TIMESTAMP

PROGRAM = "spotify-extract"  # the dataset import's errors have always said only this


@dataclass(frozen=True)
class ImportSummary:
    """What one import read and wrote."""

    dataset_name: str
    dt: str
    rows_read: int
    rows_without_track_id: int
    rows_without_artist: int
    tracks: int
    artists: int
    top_tracks: int
    unparsable_values: Mapping[str, int] = field(default_factory=dict)
    files_written: tuple[str, ...] = ()

    @property
    def unparsable_total(self) -> int:
        """Values present in the file that could not be read as the expected type."""
        return sum(self.unparsable_values.values())


# --- command line -------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the ``dataset`` subcommand's arguments."""
    parser.add_argument("file", type=Path, metavar="FILE", help="a .csv or .parquet file")
    add_lake_arguments(parser)
    parser.add_argument(
        "--name",
        default=None,
        help="dataset name, [a-z0-9_] (default: the file name without extension)",
    )
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Run ``spotify-extract dataset``; print a summary and return the exit code."""
    console = Console(stderr=True)
    try:
        with console.status(f"importing {arguments.file}"):
            summary = import_dataset(
                arguments.file, arguments.lake, dt=arguments.dt, name=arguments.name
            )
    except (DatasetError, LakeError) as error:
        print_error(PROGRAM, str(error))
        return EXIT_USAGE
    except OSError as error:
        print_error(PROGRAM, f"cannot write to the lake {arguments.lake}: {error}")
        return EXIT_FAILED
    print_summary(console, summary)
    return EXIT_OK


def print_summary(console: Console, summary: ImportSummary) -> None:
    """A short table of what was read and written."""
    table = Table(title=f"dataset {summary.dataset_name}, dt={summary.dt}", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    unparsable = ", ".join(f"{name} {count}" for name, count in summary.unparsable_values.items())
    for label, value in (
        ("rows read", summary.rows_read),
        ("rows without track_id (skipped)", summary.rows_without_track_id),
        ("rows without artist", summary.rows_without_artist),
        ("tracks (audio_features rows)", summary.tracks),
        ("artists", summary.artists),
        ("top_tracks rows", summary.top_tracks),
        (f"unparsable values{f' ({unparsable})' if unparsable else ''}", summary.unparsable_total),
        ("files written", len(summary.files_written)),
    ):
        table.add_row(label, f"{value:,}")
    console.print(table)


# --- the import ---------------------------------------------------------------------------


def import_dataset(
    path: str | Path,
    lake_uri: str,
    dt: str | None = None,
    name: str | None = None,
) -> ImportSummary:
    """Import ``path`` into the lake at ``lake_uri`` for partition ``dt``; see the module doc.

    Raises DatasetError or LakeError (nothing written) for problems a user can fix, OSError
    when writing fails.
    """
    path = Path(path)
    dt = parse_partition_date(dt) if dt is not None else today_utc()
    dataset_name = dataset_name_for(path, name)
    lake = Lake.open(lake_uri)
    extracted_at = dt_module.datetime.now(dt_module.UTC)

    raw = read_dataset_file(path)
    columns = resolve_columns(raw.column_names, path)
    rows, unparsable = parse_rows(raw, columns)
    rows_read = rows.num_rows
    rows = rows.filter(pc.is_valid(rows["track_id"]))
    rows_without_track_id = rows_read - rows.num_rows
    if rows.num_rows == 0:  # importing it would replace a day's files with empty ones
        raise DatasetError(f"{path}: no rows with a track_id to import")

    real_ids = "artist_id" in columns
    track_artists = explode_artists(
        rows, split=columns["artist_name"] == "artists", real_ids=real_ids
    )
    rows_without_artist = rows.num_rows - len(pc.unique(track_artists["file_row"]))
    dataset_source = f"dataset:{dataset_name}"
    tables = build_tables(
        rows,
        track_artists,
        dataset_source=dataset_source,
        artist_source=dataset_source if real_ids else f"{dataset_source}:name-derived-id",
    )
    tables = {
        table_name: stamped(table, table_name, extracted_at) for table_name, table in tables.items()
    }

    file_name = f"dataset-{dataset_name}.parquet"
    files_written = tuple(
        lake.write_table(table_name, dt, table, file_name) for table_name, table in tables.items()
    )
    return ImportSummary(
        dataset_name=dataset_name,
        dt=dt,
        rows_read=rows_read,
        rows_without_track_id=rows_without_track_id,
        rows_without_artist=rows_without_artist,
        tracks=tables["audio_features"].num_rows,
        artists=tables["artists"].num_rows,
        top_tracks=tables["top_tracks"].num_rows,
        unparsable_values=unparsable,
        files_written=files_written,
    )


def dataset_name_for(path: Path, name: str | None) -> str:
    """``name`` if valid, else the file's stem folded to ASCII ``[a-z0-9_]``."""
    if name is not None:
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise DatasetError(f"--name must use only a-z, 0-9 and _, got {name!r}")
        return name
    ascii_stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_stem.lower()).strip("_") or "dataset"


def stamped(table: pa.Table, table_name: str, extracted_at: dt_module.datetime) -> pa.Table:
    """``table`` with its ``extracted_at`` column, checked against the lake contract."""
    stamps = pa.repeat(pa.scalar(extracted_at, UTC_TIMESTAMP), table.num_rows)
    return conform_to_schema(
        table.append_column("extracted_at", stamps), LAKE_TABLES[table_name], table_name
    )
