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
import csv
import datetime as dt_module
import hashlib
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from extract.lake_writer import (
    Lake,
    LakeError,
    conform_to_schema,
    default_lake_uri,
    parse_partition_date,
    today_utc,
)
from extract.schemas import AUDIO_FEATURE_COLUMNS, LAKE_TABLES, UTC_TIMESTAMP

SELECTION = "dataset"
DERIVED_ID_PREFIX = "name-"
SPOTIFY_TRACK_URL = "https://open.spotify.com/track/"
KAGGLE_ARTIST_SEPARATOR = ";"
CSV_NULL_VALUES = ("NA", "")

# Each role the import needs, and the column names that may hold it (first found wins).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "track_id": ("track_id",),
    "track_name": ("track_name",),
    "artist_name": ("track_artist", "artists"),
    "artist_id": ("artist_id",),
    "popularity": ("track_popularity", "popularity"),
    "album_id": ("track_album_id",),
    "album_name": ("track_album_name", "album_name"),
    "release_date": ("track_album_release_date",),
    "duration_ms": ("duration_ms",),
    "is_explicit": ("explicit",),
    "time_signature": ("time_signature",),
    "playlist_genre": ("playlist_genre",),
    "playlist_subgenre": ("playlist_subgenre",),
    **{feature: (feature,) for feature in AUDIO_FEATURE_COLUMNS},
}
REQUIRED_ROLES = ("track_id", "track_name", "artist_name", *AUDIO_FEATURE_COLUMNS)
TEXT_ROLES = ("track_name", "album_id", "album_name", "release_date")
LABEL_ROLES = ("playlist_genre", "playlist_subgenre")  # text, trimmed
FLOAT_ROLES = tuple(role for role in AUDIO_FEATURE_COLUMNS if role not in ("key", "mode"))
INT32_RANGE = (-(2**31), 2**31 - 1)
INT64_RANGE = (-(2**53), 2**53)  # what a float64 holds exactly
INTEGER_ROLES: dict[str, tuple[int, int]] = {
    "key": INT32_RANGE,
    "mode": INT32_RANGE,
    "popularity": INT32_RANGE,
    "time_signature": INT32_RANGE,
    "duration_ms": INT64_RANGE,
}
NUMBER_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
# What marks an artists.genres entry as one of the file's playlist labels.
PLAYLIST_GENRE_PREFIX = "playlist_genre:"
PLAYLIST_SUBGENRE_PREFIX = "playlist_subgenre:"


class DatasetError(Exception):
    """A problem with the input file or the arguments that the user can fix."""


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
    parser.add_argument(
        "--lake",
        default=default_lake_uri(),
        metavar="URI",
        help="lake root: a folder or s3://bucket/prefix (default: $LAKE_URI, else ./lake)",
    )
    parser.add_argument(
        "--dt",
        default=None,
        metavar="DATE",
        help="partition date YYYY-MM-DD (default: today in UTC)",
    )
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
        print_error(str(error))
        return 2
    except OSError as error:
        print_error(f"cannot write to the lake {arguments.lake}: {error}")
        return 1
    print_summary(console, summary)
    return 0


def print_error(message: str) -> None:
    """One line on stderr, prefixed with the program name."""
    one_line = " ".join(message.splitlines())
    print(f"spotify-extract: {one_line}", file=sys.stderr)


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
    for table_name, table in tables.items():
        stamped = table.append_column(
            "extracted_at", pa.repeat(pa.scalar(extracted_at, UTC_TIMESTAMP), table.num_rows)
        )
        tables[table_name] = conform_to_schema(stamped, LAKE_TABLES[table_name], table_name)

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


def read_dataset_file(path: Path) -> pa.Table:
    """Read a CSV (every column as text, NA and empty as null) or a parquet file."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DatasetError(f"{path}: expected a .csv or .parquet file")
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    try:
        if suffix == ".parquet":
            return decode_dictionaries(pq.read_table(path))
        return read_csv_as_text(path)
    except (OSError, UnicodeDecodeError, csv.Error, pa.ArrowException) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DatasetError(f"{path}: cannot read the file: {message}") from None


def read_csv_as_text(path: Path) -> pa.Table:
    """Every column as a string; exactly ``NA`` (unquoted) and the empty string are null."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise DatasetError(f"{path}: the file is empty")
    table = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            column_types={column: pa.string() for column in header},
            null_values=list(CSV_NULL_VALUES),
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    # A quoted "" is still empty: null too. A quoted "NA" stays a real value.
    return pa.Table.from_arrays(
        [empty_to_null(column) for column in table.columns], names=table.column_names
    )


def decode_dictionaries(table: pa.Table) -> pa.Table:
    """Dictionary-encoded columns (e.g. pandas categoricals) as plain values."""
    return pa.Table.from_arrays(
        [
            pc.cast(column, column.type.value_type)
            if pa.types.is_dictionary(column.type)
            else column
            for column in table.columns
        ],
        names=table.column_names,
    )


def resolve_columns(column_names: Sequence[str], path: Path) -> dict[str, str]:
    """Map each role to the file's column; raise naming every missing required column."""
    present = set(column_names)
    columns = {}
    for role, aliases in COLUMN_ALIASES.items():
        found = next((alias for alias in aliases if alias in present), None)
        if found is not None:
            columns[role] = found
    missing = [" or ".join(COLUMN_ALIASES[role]) for role in REQUIRED_ROLES if role not in columns]
    if missing:
        raise DatasetError(f"{path} is missing required columns: {', '.join(missing)}")
    duplicated = sorted({name for name in columns.values() if column_names.count(name) > 1})
    if duplicated:
        raise DatasetError(f"{path} has duplicated columns: {', '.join(duplicated)}")
    return columns


# --- parsing columns -----------------------------------------------------------------------


def parse_rows(raw: pa.Table, columns: Mapping[str, str]) -> tuple[pa.Table, dict[str, int]]:
    """One typed column per role (nulls for absent optional ones) plus ``file_row`` (0-based).

    Returns the table and, per source column, how many present values were unparsable.
    """
    rows = raw.num_rows
    parsed: dict[str, pa.ChunkedArray | pa.Array] = {"file_row": pa.array(range(rows), pa.int64())}
    unparsable: dict[str, int] = {}

    def source(role: str) -> pa.ChunkedArray | None:
        return raw.column(columns[role]) if role in columns else None

    for role in ("track_id", "artist_name", "artist_id", *TEXT_ROLES):
        column = source(role)
        parsed[role] = (
            to_text(column, columns[role]) if column is not None else pa.nulls(rows, pa.string())
        )
    for role in LABEL_ROLES:
        column = source(role)
        parsed[role] = (
            to_label(column, columns[role]) if column is not None else pa.nulls(rows, pa.string())
        )
    for role in FLOAT_ROLES:
        parsed[role], unparsable[columns[role]] = to_float(source(role), columns[role])
    for role, (minimum, maximum) in INTEGER_ROLES.items():
        column = source(role)
        if column is None:
            parsed[role] = pa.nulls(rows, pa.int64())
            continue
        parsed[role], unparsable[columns[role]] = to_integer(
            column, columns[role], minimum, maximum
        )
    column = source("is_explicit")
    if column is None:
        parsed["is_explicit"] = pa.nulls(rows, pa.bool_())
    else:
        parsed["is_explicit"], unparsable[columns["is_explicit"]] = to_boolean(
            column, columns["is_explicit"]
        )
    return pa.table(parsed), {name: count for name, count in unparsable.items() if count}


def empty_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty strings become nulls."""
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)


def to_text(column: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
    """Any column as strings (a typed date or a year number keeps its written form)."""
    if not pa.types.is_string(column.type):
        try:
            column = pc.cast(column, pa.string())
        except pa.ArrowException:
            raise DatasetError(f"column {name} holds {column.type}, not text") from None
    return empty_to_null(column)


def to_label(column: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
    """Text with surrounding whitespace trimmed; blank values become nulls."""
    return empty_to_null(pc.utf8_trim_whitespace(to_text(column, name)))


def count_lost(original: pa.ChunkedArray, parsed: pa.ChunkedArray | pa.Array) -> int:
    """Values present in ``original`` but null in ``parsed``."""
    lost = pc.and_(pc.is_valid(original), pc.is_null(parsed))
    return pc.sum(pc.cast(lost, pa.int64())).as_py() or 0


def to_float(column: pa.ChunkedArray, name: str) -> tuple[pa.ChunkedArray, int]:
    """float64 values; text that is not a finite number becomes null and is counted."""
    column_type = column.type
    if pa.types.is_string(column_type) or pa.types.is_large_string(column_type):
        text = pc.utf8_trim_whitespace(column)
        is_number = pc.match_substring_regex(text, NUMBER_PATTERN)
        values = pc.cast(pc.if_else(is_number, text, pa.scalar(None, text.type)), pa.float64())
    elif (
        pa.types.is_floating(column_type)
        or pa.types.is_integer(column_type)
        or pa.types.is_decimal(column_type)
    ):
        values = pc.cast(column, pa.float64(), safe=False)
    else:
        raise DatasetError(f"column {name} holds {column_type}, not numbers")
    finite = pc.if_else(pc.is_finite(values), values, pa.scalar(None, pa.float64()))
    return finite, count_lost(column, finite)


def to_integer(
    column: pa.ChunkedArray, name: str, minimum: int, maximum: int
) -> tuple[pa.ChunkedArray, int]:
    """int64 values; non-whole or out-of-range numbers become null and are counted.

    Goes through float64, exact for every whole number within the ranges used here.
    """
    floats, _ = to_float(column, name)
    fits = pc.and_(
        pc.equal(floats, pc.floor(floats)),
        pc.and_(pc.greater_equal(floats, minimum), pc.less_equal(floats, maximum)),
    )
    kept = pc.cast(pc.if_else(fits, floats, pa.scalar(None, pa.float64())), pa.int64())
    return kept, count_lost(column, kept)


def to_boolean(column: pa.ChunkedArray, name: str) -> tuple[pa.ChunkedArray, int]:
    """Booleans from true/false, t/f, yes/no, 1/0 (any case) or a boolean or 0/1 column."""
    column_type = column.type
    if pa.types.is_boolean(column_type):
        return column, 0
    if pa.types.is_integer(column_type):
        text = pc.cast(column, pa.string())
    elif pa.types.is_string(column_type) or pa.types.is_large_string(column_type):
        text = pc.utf8_lower(pc.utf8_trim_whitespace(column))
    else:
        raise DatasetError(f"column {name} holds {column_type}, not true/false")
    is_true = pc.is_in(text, pa.array(TRUE_WORDS))
    is_false = pc.is_in(text, pa.array(FALSE_WORDS))
    values = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
    return values, count_lost(column, values)


# --- artists -------------------------------------------------------------------------------


def normalise_artist_name(name: str) -> str:
    """NFKC, case-folded, NFKC again, whitespace collapsed and stripped."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def derive_artist_id(name: str) -> str | None:
    """``name-`` + the first 16 hex digits of sha256(normalised name); None if blank."""
    normalised = normalise_artist_name(name)
    if not normalised:
        return None
    return DERIVED_ID_PREFIX + hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


def split_artist_column(rows: pa.Table, column: str, split: bool) -> tuple[pa.Array, pa.Array]:
    """(file rows, trimmed values) of an artist column, split on ";" when ``split``."""
    file_rows = rows.column("file_row").combine_chunks()
    values = rows.column(column).combine_chunks()
    if split:
        lists = pc.split_pattern(values, KAGGLE_ARTIST_SEPARATOR)
        file_rows = pc.take(file_rows, pc.list_parent_indices(lists))
        values = pc.list_flatten(lists)
    return file_rows, pc.utf8_trim_whitespace(values)


def explode_artists(rows: pa.Table, split: bool, real_ids: bool) -> pa.Table:
    """One row per (file row, artist): ``file_row``, ``artist_id``, ``artist_name``, and
    ``seen_order`` (file order, then order within a ";" list).

    Kaggle's ``artists`` is split on ";". With real ids (an ``artist_id`` column, split
    alike) a row whose id and name counts differ is attributed to no one; otherwise ids are
    derived from the names. Blank names and ids are not artists.
    """
    if real_ids and split:
        name_counts = pc.list_value_length(
            pc.split_pattern(rows["artist_name"], KAGGLE_ARTIST_SEPARATOR)
        )
        id_counts = pc.list_value_length(
            pc.split_pattern(rows["artist_id"], KAGGLE_ARTIST_SEPARATOR)
        )
        rows = rows.filter(pc.equal(name_counts, id_counts))
    file_rows, names = split_artist_column(rows, "artist_name", split)
    if real_ids:
        _, artist_ids = split_artist_column(rows, "artist_id", split)
    else:
        unique_names = pc.unique(names)
        derived = pa.array(
            [derive_artist_id(name) if name else None for name in unique_names.to_pylist()],
            pa.string(),
        )
        artist_ids = pc.take(derived, pc.index_in(names, unique_names))
    exploded = pa.table({"file_row": file_rows, "artist_id": artist_ids, "artist_name": names})
    attributable = pc.and_(
        pc.not_equal(exploded["artist_id"], ""), pc.not_equal(exploded["artist_name"], "")
    )
    exploded = exploded.filter(attributable)
    return exploded.append_column("seen_order", pa.array(range(exploded.num_rows), pa.int64()))


# --- the lake tables -----------------------------------------------------------------------

# ``track_rows``: the parsed file (one row per file row with a track_id);
# ``track_artists``: who each file row belongs to (from explode_artists).
FIRST_ROW_PER_TRACK = """
    create temporary table tracks as
    select * from track_rows
    where file_row in (select min(file_row) from track_rows group by track_id)
"""

ARTISTS_QUERY = """
    with spellings as (
        select artist_id, artist_name, count(*) as row_count, min(seen_order) as first_seen
        from track_artists
        group by artist_id, artist_name
    ),

    ranked as (
        select
            artist_id,
            artist_name,
            row_number() over (
                partition by artist_id order by row_count desc, first_seen
            ) as spelling_rank,
            min(first_seen) over (partition by artist_id) as artist_first_seen
        from spellings
    ),

    row_labels as (
        select file_row, 1 as label_group, $genre_prefix || playlist_genre as label
        from track_rows
        where playlist_genre is not null

        union all

        select file_row, 2 as label_group, $subgenre_prefix || playlist_subgenre as label
        from track_rows
        where playlist_subgenre is not null
    ),

    artist_rows as (
        select distinct artist_id, file_row
        from track_artists
    ),

    label_counts as (
        select
            artist_rows.artist_id,
            row_labels.label_group,
            row_labels.label,
            count(*) as row_count
        from artist_rows
        inner join row_labels on artist_rows.file_row = row_labels.file_row
        group by artist_rows.artist_id, row_labels.label_group, row_labels.label
    ),

    artist_genres as (
        select
            artist_id,
            list(label order by label_group, row_count desc, label) as genres
        from label_counts
        group by artist_id
    )

    select
        ranked.artist_id,
        ranked.artist_name,
        artist_genres.genres,
        cast(null as integer) as popularity,
        cast(null as bigint) as followers,
        $source as source
    from ranked
    left join artist_genres on ranked.artist_id = artist_genres.artist_id
    where ranked.spelling_rank = 1
    order by ranked.artist_first_seen
"""

TOP_TRACKS_QUERY = """
    with pairs as (
        select distinct track_artists.artist_id, track_rows.track_id
        from track_artists
        inner join track_rows on track_artists.file_row = track_rows.file_row
    )

    select
        pairs.artist_id,
        tracks.track_id,
        tracks.track_name,
        row_number() over (
            partition by pairs.artist_id
            order by tracks.popularity desc nulls last, tracks.track_id
        ) as track_rank,
        $selection as selection,
        tracks.popularity,
        tracks.album_id,
        tracks.album_name,
        tracks.release_date,
        tracks.duration_ms,
        tracks.is_explicit,
        cast(null as varchar) as isrc,
        $track_url || tracks.track_id as spotify_url
    from pairs
    inner join tracks on pairs.track_id = tracks.track_id
    order by pairs.artist_id, track_rank
"""

AUDIO_FEATURES_QUERY = f"""
    select
        track_id,
        {", ".join(AUDIO_FEATURE_COLUMNS)},
        time_signature,
        duration_ms,
        $source as source
    from tracks
    order by file_row
"""


def build_tables(
    track_rows: pa.Table, track_artists: pa.Table, dataset_source: str, artist_source: str
) -> dict[str, pa.Table]:
    """The three lake tables (without ``extracted_at``), keyed by lake table name."""
    with duckdb.connect(":memory:") as connection:
        connection.register("track_rows", track_rows)
        connection.register("track_artists", track_artists)
        connection.execute(FIRST_ROW_PER_TRACK)

        def query(sql: str, **parameters: str) -> pa.Table:
            return connection.sql(sql, params=parameters).to_arrow_table()

        return {
            "artists": query(
                ARTISTS_QUERY,
                source=artist_source,
                genre_prefix=PLAYLIST_GENRE_PREFIX,
                subgenre_prefix=PLAYLIST_SUBGENRE_PREFIX,
            ),
            "top_tracks": query(TOP_TRACKS_QUERY, selection=SELECTION, track_url=SPOTIFY_TRACK_URL),
            "audio_features": query(AUDIO_FEATURES_QUERY, source=dataset_source),
        }
