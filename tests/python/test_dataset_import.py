"""``spotify-extract dataset``: real files in, real parquet lake out, read back with pyarrow."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract.dataset.artist_identity import derive_artist_id, normalise_artist_name
from extract.dataset.command import import_dataset
from extract.dataset.tables import PLAYLIST_GENRE_PREFIX, PLAYLIST_SUBGENRE_PREFIX
from extract.schemas import AUDIO_FEATURE_COLUMNS, LAKE_TABLES

DT = "2024-03-01"
SUBSET = Path("tests/python/fixtures/spotify_songs_subset.csv")
FULL_SAMPLE = Path("data/tidytuesday/spotify_songs.parquet")
FEATURE_HEADER = list(AUDIO_FEATURE_COLUMNS)
REQUIRED_HEADER = ["track_id", "track_name", "track_artist", *FEATURE_HEADER]


def expected_id(normalised_name: str) -> str:
    return "name-" + hashlib.sha256(normalised_name.encode("utf-8")).hexdigest()[:16]


def lake_files(lake: Path) -> list[Path]:
    return sorted(path for path in lake.rglob("*") if path.is_file()) if lake.exists() else []


def read_lake_table(lake: Path, table: str, dt: str = DT) -> pa.Table:
    files = sorted((lake / table / f"dt={dt}").glob("*.parquet"))
    assert files, f"no {table} file for dt={dt}"
    return pa.concat_tables(pq.read_table(path) for path in files)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Write rows as a CSV; a cell given as ``'"NA"'`` is written quoted, verbatim."""
    lines = [",".join(header)]
    lines += [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def subset_rows(repo_root: Path) -> list[dict[str, str]]:
    with (repo_root / SUBSET).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def ranked_labels(prefix: str, values: Iterable[str]) -> list[str]:
    """``prefix + value`` per distinct value, by row count (highest first), then value."""
    counts = Counter(values)
    return [prefix + value for value, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def expected_genres(rows: Iterable[dict[str, str]]) -> list[str]:
    """The genres an artist with these (already clean) file rows should land."""
    rows = list(rows)
    return ranked_labels("playlist_genre:", (row["playlist_genre"] for row in rows)) + (
        ranked_labels("playlist_subgenre:", (row["playlist_subgenre"] for row in rows))
    )


# --- the TidyTuesday subset (raw CSV lines) ------------------------------------------------


@pytest.fixture(scope="module")
def subset_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The subset imported once through the Python API; (lake, summary)."""
    lake = tmp_path_factory.mktemp("subset") / "lake"
    repo_root = Path(__file__).resolve().parents[2]
    summary = import_dataset(repo_root / SUBSET, str(lake), dt=DT)
    return lake, summary


def test_subset_summary_counts_rows_tracks_and_rows_without_artist(subset_lake, repo_root):
    _, summary = subset_lake
    rows = subset_rows(repo_root)
    assert summary.rows_read == len(rows) == 326
    assert summary.tracks == len({row["track_id"] for row in rows}) == 254
    assert summary.rows_without_artist == sum(row["track_artist"] == "NA" for row in rows) == 5
    assert summary.unparsable_total == 0
    assert summary.dataset_name == "spotify_songs_subset"
    assert len(summary.files_written) == 3


def test_subset_collapses_repeated_tracks_to_one_audio_features_row(subset_lake, repo_root):
    lake, _ = subset_lake
    features = read_lake_table(lake, "audio_features")
    track_ids = features.column("track_id").to_pylist()
    assert len(track_ids) == len(set(track_ids)) == 254
    first_rows = {}
    for row in subset_rows(repo_root):
        first_rows.setdefault(row["track_id"], row)
    assert track_ids == list(first_rows)  # file order of first occurrences
    assert set(features.column("source").to_pylist()) == {"dataset:spotify_songs_subset"}
    assert features.column("time_signature").null_count == features.num_rows


def test_subset_parses_r_numbers_exactly(subset_lake, repo_root):
    lake, _ = subset_lake
    by_track = {row["track_id"]: row for row in read_lake_table(lake, "audio_features").to_pylist()}
    checked = 0
    for row in subset_rows(repo_root):
        for feature in ("acousticness", "instrumentalness", "speechiness", "liveness"):
            if "e" in row[feature]:
                assert by_track[row["track_id"]][feature] == float(row[feature])
                checked += 1
    assert checked >= 20
    assert by_track["75FpbthrwQmzHlBJLuGdC7"]["instrumentalness"] == 9.43e-6
    assert by_track["75FpbthrwQmzHlBJLuGdC7"]["key"] == 7
    assert by_track["75FpbthrwQmzHlBJLuGdC7"]["duration_ms"] == 169093


def test_subset_rows_without_artist_keep_features_but_get_no_top_track(subset_lake, repo_root):
    lake, _ = subset_lake
    unattributed = {
        row["track_id"] for row in subset_rows(repo_root) if row["track_artist"] == "NA"
    }
    assert len(unattributed) == 4
    features = {row["track_id"]: row for row in read_lake_table(lake, "audio_features").to_pylist()}
    assert unattributed <= set(features)
    assert features["69gRFGOWY9OMpFJgFol1u0"]["danceability"] == 0.714
    top_track_ids = set(read_lake_table(lake, "top_tracks").column("track_id").to_pylist())
    assert not unattributed & top_track_ids
    artist_names = read_lake_table(lake, "artists").column("artist_name").to_pylist()
    assert "NA" not in artist_names


def test_subset_top_tracks_rank_and_columns(subset_lake, repo_root):
    lake, _ = subset_lake
    top_tracks = read_lake_table(lake, "top_tracks").to_pylist()
    pairs = [(row["artist_id"], row["track_id"]) for row in top_tracks]
    assert len(pairs) == len(set(pairs)) == 250
    per_artist = defaultdict(list)
    for row in top_tracks:
        per_artist[row["artist_id"]].append(row)
    for rows in per_artist.values():
        rows.sort(key=lambda row: row["track_rank"])
        assert [row["track_rank"] for row in rows] == list(range(1, len(rows) + 1))
        order = [(-row["popularity"], row["track_id"]) for row in rows]
        assert order == sorted(order)
    by_track = {row["track_id"]: row for row in top_tracks}
    year_only = by_track["10kmdx4OFs3OHwGa1CfYOF"]
    assert year_only["release_date"] == "1992"
    assert by_track["75FpbthrwQmzHlBJLuGdC7"]["release_date"] == "2019-07-19"
    assert year_only["spotify_url"] == "https://open.spotify.com/track/10kmdx4OFs3OHwGa1CfYOF"
    assert {row["selection"] for row in top_tracks} == {"dataset"}
    assert {row["isrc"] for row in top_tracks} == {None}
    assert {row["is_explicit"] for row in top_tracks} == {None}


def test_subset_artists_have_derived_ids(subset_lake, repo_root):
    lake, _ = subset_lake
    artists = {row["artist_name"]: row for row in read_lake_table(lake, "artists").to_pylist()}
    names = {row["track_artist"] for row in subset_rows(repo_root)} - {"NA"}
    assert set(artists) == names
    assert artists["Queen"]["artist_id"] == expected_id("queen")
    assert artists["The Chainsmokers"]["artist_id"] == expected_id("the chainsmokers")
    assert {row["source"] for row in artists.values()} == {
        "dataset:spotify_songs_subset:name-derived-id"
    }
    assert {(row["popularity"], row["followers"]) for row in artists.values()} == {(None, None)}


def test_subset_artists_carry_their_rows_playlist_labels(subset_lake, repo_root):
    lake, _ = subset_lake
    artists = {row["artist_name"]: row for row in read_lake_table(lake, "artists").to_pylist()}
    rows_by_artist = defaultdict(list)
    for row in subset_rows(repo_root):
        rows_by_artist[row["track_artist"]].append(row)
    queen = rows_by_artist["Queen"]
    assert len(queen) > len({row["track_id"] for row in queen})  # repeated tracks count
    assert artists["Queen"]["genres"] == expected_genres(queen)
    assert artists["Queen"]["genres"][:2] == ["playlist_genre:rock", "playlist_genre:pop"]
    assert artists["Queen"]["genres"][2] == "playlist_subgenre:album rock"
    assert artists["BLACKPINK"]["genres"] == [
        "playlist_genre:pop",  # 4 rows
        "playlist_genre:edm",  # 3 rows
        "playlist_subgenre:dance pop",  # 4 rows
        "playlist_subgenre:pop edm",  # 2 rows
        "playlist_subgenre:progressive electro house",  # 1 row
    ]
    assert artists["BLACKPINK"]["genres"] == expected_genres(rows_by_artist["BLACKPINK"])
    for name, artist in artists.items():
        assert artist["genres"] == expected_genres(rows_by_artist[name]), name


def test_lake_files_match_the_contract_schemas_exactly(subset_lake):
    lake, summary = subset_lake
    for table, schema in LAKE_TABLES.items():
        path = lake / table / f"dt={DT}" / "dataset-spotify_songs_subset.parquet"
        assert str(path) in summary.files_written
        written = pq.read_schema(path)
        assert written.equals(schema), f"{table}: {written} != {schema}"
        assert [field.nullable for field in written] == [field.nullable for field in schema]


# --- playlist labels: hand-written files ---------------------------------------------------

LABELLED_HEADER = [*REQUIRED_HEADER, "playlist_genre", "playlist_subgenre"]


def labelled_row(track_id: str, artist: str, genre: str, subgenre: str) -> list[str]:
    return [track_id, "Song " + track_id, artist, *["0.5"] * len(FEATURE_HEADER), genre, subgenre]


def test_playlist_labels_count_rows_and_break_ties_alphabetically(tmp_path):
    rows = [
        # Rows, not tracks: t1 is in three rock playlists, t2 and t3 in one pop playlist
        # each. By distinct tracks pop would lead 2 to 1; by rows rock leads 3 to 2.
        labelled_row("t1", "Rows", "rock", "hard rock"),
        labelled_row("t1", "Rows", "rock", "hard rock"),
        labelled_row("t1", "Rows", "rock", "album rock"),
        labelled_row("t2", "Rows", "pop", "dance pop"),
        labelled_row("t3", "Rows", "pop", "dance pop"),
        # Ties go alphabetically, whatever the file order; spellings of one artist pool
        # their rows; values are trimmed; blank and NA values are skipped.
        labelled_row("t4", "Ties", "rap", "trap"),
        labelled_row("t5", "TIES", " edm ", "big room"),
        labelled_row("t6", "Ties", '"  "', "NA"),
        labelled_row("t7", "Ties", "NA", ""),
        # No labelled row: null, not an empty list. A row without an artist counts for nobody.
        labelled_row("t8", "Unlabelled", "NA", '" "'),
        labelled_row("t9", "NA", "latin", "reggaeton"),
    ]
    lake = tmp_path / "lake"
    summary = import_dataset(
        write_csv(tmp_path / "labels.csv", LABELLED_HEADER, rows), str(lake), dt=DT
    )
    assert (summary.rows_read, summary.rows_without_artist, summary.artists) == (11, 1, 3)
    artists = read_lake_table(lake, "artists").to_pylist()
    assert [(row["artist_name"], row["genres"]) for row in artists] == [
        (
            "Rows",
            [
                "playlist_genre:rock",
                "playlist_genre:pop",
                "playlist_subgenre:dance pop",  # 2 rows, ahead of hard rock by name
                "playlist_subgenre:hard rock",
                "playlist_subgenre:album rock",
            ],
        ),
        (
            "Ties",
            [
                "playlist_genre:edm",
                "playlist_genre:rap",
                "playlist_subgenre:big room",
                "playlist_subgenre:trap",
            ],
        ),
        ("Unlabelled", None),
    ]
    assert "playlist_genre:latin" not in str(artists)


def test_playlist_labels_from_a_parquet_file_with_one_label_column(tmp_path):
    # A multi-artist row counts once for each of its artists, and once only for an artist
    # named twice on it; a pandas-style categorical column reads like text.
    genres = pa.array(["pop", "pop", "edm", "rock"]).dictionary_encode()
    table = pa.table(
        {
            "track_id": ["t1", "t2", "t3", "t4"],
            "track_name": ["One", "Two", "Three", "Four"],
            "artists": ["Duo A;Duo B", "Duo A", "Duo A;Duo A", "Duo B"],
            **{feature: [0.5] * 4 for feature in FEATURE_HEADER},
            "playlist_genre": genres,
        }
    )
    path = tmp_path / "labels.parquet"
    pq.write_table(table, path)
    lake = tmp_path / "lake"
    import_dataset(path, str(lake), dt=DT)
    artists = read_lake_table(lake, "artists").to_pylist()
    assert [(row["artist_name"], row["genres"]) for row in artists] == [
        ("Duo A", ["playlist_genre:pop", "playlist_genre:edm"]),  # pop 2, edm 1 (not 2)
        ("Duo B", ["playlist_genre:pop", "playlist_genre:rock"]),  # a tie, 1 each
    ]


def test_files_without_playlist_columns_land_null_genres(tmp_path):
    rows = [["t1", "One", "Plain Artist", *["0.5"] * len(FEATURE_HEADER)]]
    lake = tmp_path / "lake"
    import_dataset(write_csv(tmp_path / "plain.csv", REQUIRED_HEADER, rows), str(lake), dt=DT)
    artists = read_lake_table(lake, "artists").to_pylist()
    assert [(row["artist_name"], row["genres"]) for row in artists] == [("Plain Artist", None)]


def test_prefixes_mark_the_labels_as_playlist_labels():
    assert (PLAYLIST_GENRE_PREFIX, PLAYLIST_SUBGENRE_PREFIX) == (
        "playlist_genre:",
        "playlist_subgenre:",
    )


# --- the full TidyTuesday sample ----------------------------------------------------------


def test_full_parquet_sample(run_cli, repo_root, tmp_path):
    lake = tmp_path / "lake"
    result = run_cli(["dataset", repo_root / FULL_SAMPLE, "--lake", lake, "--dt", DT])
    assert result.exit_code == 0, result.stderr
    assert "32,833" in result.stderr  # the summary
    features = read_lake_table(lake, "audio_features")
    artists = read_lake_table(lake, "artists")
    top_tracks = read_lake_table(lake, "top_tracks")
    assert features.num_rows == 28_356
    assert len(set(features.column("track_id").to_pylist())) == 28_356
    # 10,692 spellings; 7 pairs differ only by case (TOBi/Tobi, CREAM/Cream, ...).
    assert artists.num_rows == 10_685
    assert len(set(artists.column("artist_id").to_pylist())) == 10_685
    assert top_tracks.num_rows == 28_356 - 4  # four tracks only have NA artists
    assert artists.column("genres").null_count == 0  # every artist has a labelled row

    genre_counts = defaultdict(Counter)
    for row in pq.read_table(repo_root / FULL_SAMPLE).to_pylist():
        if row["track_artist"] is not None:
            genre_counts[derive_artist_id(row["track_artist"])][row["playlist_genre"]] += 1
    lake_genres = {row["artist_id"]: row["genres"] for row in artists.to_pylist()}
    assert set(lake_genres) == set(genre_counts)
    for artist_id, counts in genre_counts.items():
        playlist_genres = [g for g in lake_genres[artist_id] if g.startswith("playlist_genre:")]
        assert playlist_genres == ranked_labels("playlist_genre:", counts.elements()), artist_id
    # 609 spellings tie on their majority genre; merging Audrey (r&b) and audrey (pop)
    # makes one more tie among artist ids.
    tied = [c for c in genre_counts.values() if list(c.values()).count(max(c.values())) > 1]
    assert len(tied) == 610
    for table in LAKE_TABLES:
        assert [path.name for path in (lake / table / f"dt={DT}").iterdir()] == [
            "dataset-spotify_songs.parquet"
        ]


# --- the Kaggle layout ---------------------------------------------------------------------

KAGGLE_HEADER = [
    "",
    "track_id",
    "artists",
    "album_name",
    "track_name",
    "popularity",
    "duration_ms",
    "explicit",
    *FEATURE_HEADER,
    "time_signature",
    "track_genre",
]


def kaggle_row(index, track_id, artists, name, popularity, explicit, danceability, tempo, genre):
    features = {feature: "0.5" for feature in FEATURE_HEADER}
    features.update(key="5", mode="1", danceability=danceability, tempo=tempo)
    signature = "3" if track_id == "trackB" else "4"
    return [
        str(index),
        track_id,
        artists,
        "Album " + track_id,
        name,
        popularity,
        "200000",
        explicit,
        *features.values(),
        signature,
        genre,
    ]


def test_kaggle_layout(tmp_path):
    rows = [
        kaggle_row(
            0, "trackA", "Artist One;Artist Two", "Song A", "70", "True", "0.8", "120", "pop"
        ),
        kaggle_row(
            1, "trackA", "Artist One;Artist Two", "Song A", "70", "True", "0.1", "120", "rock"
        ),
        kaggle_row(2, "trackB", "ARTIST  one", "null", "50", "False", "0.6", "1.2e2", "pop"),
        kaggle_row(3, "trackC", " Artist One ", '"NA"', "", "False", "0.7", "abc", "pop"),
        kaggle_row(4, "trackD", "", "N/A", "10", "False", "0.7", "90", "pop"),
    ]
    path = write_csv(tmp_path / "Kaggle Tracks.csv", KAGGLE_HEADER, rows)
    lake = tmp_path / "lake"

    summary = import_dataset(path, str(lake), dt=DT)

    assert summary.dataset_name == "kaggle_tracks"
    assert (summary.rows_read, summary.tracks, summary.artists) == (5, 4, 2)
    assert summary.rows_without_artist == 1
    assert dict(summary.unparsable_values) == {"tempo": 1}
    features = {row["track_id"]: row for row in read_lake_table(lake, "audio_features").to_pylist()}
    assert list(features) == ["trackA", "trackB", "trackC", "trackD"]
    assert features["trackA"]["danceability"] == 0.8  # first occurrence wins
    assert features["trackA"]["time_signature"] == 4
    assert features["trackB"]["time_signature"] == 3
    assert features["trackB"]["tempo"] == 120.0
    assert features["trackC"]["tempo"] is None
    assert features["trackD"]["source"] == "dataset:kaggle_tracks"

    artists = read_lake_table(lake, "artists").to_pylist()
    assert [(row["artist_id"], row["artist_name"]) for row in artists] == [
        (expected_id("artist one"), "Artist One"),
        (expected_id("artist two"), "Artist Two"),
    ]
    assert {row["genres"] for row in artists} == {None}  # track_genre is not mapped
    top_tracks = read_lake_table(lake, "top_tracks").to_pylist()
    ranked = [(row["artist_id"], row["track_rank"], row["track_id"]) for row in top_tracks]
    assert sorted(ranked) == sorted(
        [
            (expected_id("artist one"), 1, "trackA"),
            (expected_id("artist one"), 2, "trackB"),
            (expected_id("artist one"), 3, "trackC"),  # unknown popularity ranks last
            (expected_id("artist two"), 1, "trackA"),
        ]
    )
    by_track = {row["track_id"]: row for row in top_tracks}
    assert by_track["trackA"]["is_explicit"] is True
    assert by_track["trackB"]["is_explicit"] is False
    assert by_track["trackB"]["track_name"] == "null"  # only NA and empty are null
    assert by_track["trackC"]["track_name"] == "NA"  # a quoted NA is a real name
    assert by_track["trackC"]["popularity"] is None
    assert (by_track["trackA"]["album_id"], by_track["trackA"]["album_name"]) == (
        None,
        "Album trackA",
    )
    assert by_track["trackA"]["release_date"] is None


def test_real_artist_ids_are_used_when_present(tmp_path):
    header = ["track_id", "track_name", "track_artist", "artist_id", *FEATURE_HEADER]
    features = ["0.5"] * len(FEATURE_HEADER)
    rows = [
        ["t1", "One", "Some Artist", "0abcSpotifyId", *features],
        ["t2", "Two", "some artist", "0abcSpotifyId", *features],
        ["t3", "Three", "Some Artist", "NA", *features],
    ]
    lake = tmp_path / "lake"
    summary = import_dataset(write_csv(tmp_path / "ids.csv", header, rows), str(lake), dt=DT)
    assert summary.rows_without_artist == 1
    artists = read_lake_table(lake, "artists").to_pylist()
    # One row each for "Some Artist" and "some artist": a tie, the first seen wins.
    assert [(row["artist_id"], row["artist_name"], row["source"]) for row in artists] == [
        ("0abcSpotifyId", "Some Artist", "dataset:ids")
    ]
    assert read_lake_table(lake, "top_tracks").column("track_id").to_pylist() == ["t1", "t2"]


FULL_WIDTH_ABBA = "\uff21\uff22\uff22\uff21"


def test_artist_name_normalisation():
    assert normalise_artist_name("  Beyoncé\u00a0\tKNOWLES ") == "beyoncé knowles"
    assert normalise_artist_name(FULL_WIDTH_ABBA) == "abba"  # full-width letters, NFKC
    assert normalise_artist_name("Straße") == "strasse"  # casefold, not lower
    assert derive_artist_id(FULL_WIDTH_ABBA) == derive_artist_id("abba") == expected_id("abba")
    assert derive_artist_id(" \t ") is None


# --- mistakes: one line, non-zero exit, nothing written ------------------------------------


def test_missing_required_columns_are_all_named(run_cli, tmp_path):
    header = [
        "track_id",
        "track_name",
        *(f for f in FEATURE_HEADER if f not in ("energy", "tempo")),
    ]
    path = write_csv(tmp_path / "data.csv", header, [["t1", "One", *["0.5"] * 9]])
    lake = tmp_path / "lake"
    result = run_cli(["dataset", path, "--lake", lake, "--dt", DT])
    assert result.exit_code == 2
    assert result.stderr == (
        f"spotify-extract: {path} is missing required columns: "
        "track_artist or artists, energy, tempo\n"
    )
    assert lake_files(lake) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--dt", "2024-13-01"], "--dt must be a date written YYYY-MM-DD"),
        (["--dt", "20240301"], "--dt must be a date written YYYY-MM-DD"),
        (["--name", "Bad Name"], "--name must use only a-z, 0-9 and _"),
    ],
)
def test_bad_arguments(run_cli, repo_root, tmp_path, arguments, message):
    lake = tmp_path / "lake"
    result = run_cli(["dataset", repo_root / SUBSET, "--lake", lake, *arguments])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"spotify-extract: {message}")
    assert result.stderr.count("\n") == 1
    assert lake_files(lake) == []


@pytest.mark.parametrize(
    ("file_name", "content", "message"),
    [
        ("absent.csv", None, "no such file"),
        ("songs.json", "{}", "expected a .csv or .parquet file"),
        ("broken.parquet", "not parquet", "cannot read the file"),
        ("ragged.csv", "track_id,track_name\nt1,One,extra\n", "cannot read the file"),
        ("header_only.csv", ",".join(REQUIRED_HEADER) + "\n", "no rows with a track_id"),
    ],
)
def test_unreadable_files(run_cli, tmp_path, file_name, content, message):
    path = tmp_path / file_name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    lake = tmp_path / "lake"
    result = run_cli(["dataset", path, "--lake", lake, "--dt", DT])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"spotify-extract: {path}: {message}")
    assert result.stderr.count("\n") == 1
    assert lake_files(lake) == []


def test_lake_that_is_a_file(run_cli, repo_root, tmp_path):
    lake = tmp_path / "lake"
    lake.write_text("", encoding="utf-8")
    result = run_cli(["dataset", repo_root / SUBSET, "--lake", lake, "--dt", DT])
    assert result.exit_code == 2
    assert result.stderr.startswith("spotify-extract: lake path")
    assert result.stderr.count("\n") == 1


# --- re-imports ----------------------------------------------------------------------------


def test_reimport_same_dt_replaces_and_other_dt_adds_a_partition(run_cli, repo_root, tmp_path):
    lake = tmp_path / "lake"
    arguments = ["dataset", repo_root / SUBSET, "--lake", lake]

    assert run_cli([*arguments, "--dt", DT]).exit_code == 0
    first_counts = {table: read_lake_table(lake, table).num_rows for table in LAKE_TABLES}
    assert run_cli([*arguments, "--dt", DT]).exit_code == 0
    assert {table: read_lake_table(lake, table).num_rows for table in LAKE_TABLES} == first_counts
    assert len(lake_files(lake)) == 3

    assert run_cli([*arguments, "--dt", "2024-03-02"]).exit_code == 0
    for table in LAKE_TABLES:
        assert sorted(path.name for path in (lake / table).iterdir()) == [
            f"dt={DT}",
            "dt=2024-03-02",
        ]
        assert read_lake_table(lake, table, "2024-03-02").num_rows == first_counts[table]
    assert len(lake_files(lake)) == 6
    assert not list(lake.rglob("*.tmp"))
    assert all(path.name == "dataset-spotify_songs_subset.parquet" for path in lake_files(lake))


# --- the installed entry point -------------------------------------------------------------


def test_console_script_entry_point(repo_root, tmp_path):
    script = Path(sys.executable).with_name("spotify-extract")
    lake = tmp_path / "lake"
    ok = subprocess.run(
        [script, "dataset", repo_root / SUBSET, "--lake", lake, "--dt", DT],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "rows read" in ok.stderr
    assert len(lake_files(lake)) == 3

    failed = subprocess.run(
        [script, "dataset", tmp_path / "absent.csv", "--lake", lake],
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr == f"spotify-extract: {tmp_path / 'absent.csv'}: no such file\n"
