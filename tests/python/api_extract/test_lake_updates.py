"""What a run does to the lake: a same-day rerun, an overlapping rerun, a refresh, and a run
killed mid-write.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq

from extract.lake_writer import Lake
from extract.schemas import ARTISTS, LAKE_TABLES
from tests.python.api_extract.extraction import (
    ABBA,
    DAFT_PUNK,
    DT,
    EXIT_OK,
    EXIT_USAGE,
    QUEEN,
    extract_arguments,
    read_manifests,
    read_rows,
    without_timestamps,
)


def test_running_the_same_day_twice_gives_the_same_rows_once(start_apis, run_cli, tmp_path):
    start_apis()
    lake = tmp_path / "lake"
    arguments = extract_arguments(lake, "--artist", "Daft Punk", "--artist", "Queen")
    assert run_cli(arguments).exit_code == EXIT_OK
    first = {table: read_rows(lake, table) for table in LAKE_TABLES}
    second_run = run_cli(arguments)
    assert second_run.exit_code == EXIT_OK
    second = {table: read_rows(lake, table) for table in LAKE_TABLES}
    for table in LAKE_TABLES:
        assert without_timestamps(second[table]) == without_timestamps(first[table]), table
        assert len(list((lake / table / f"dt={DT}").glob("*.parquet"))) == 1, table
    assert "removed" in second_run.stderr
    assert len(read_manifests(lake)) == 2


def test_an_overlapping_rerun_replaces_only_the_reextracted_artists(start_apis, run_cli, tmp_path):
    start_apis()
    lake = tmp_path / "lake"
    assert (
        run_cli(extract_arguments(lake, "--artist", "Daft Punk", "--artist", "Queen")).exit_code
        == 0
    )
    assert run_cli(extract_arguments(lake, "--artist", "Queen", "--artist", "ABBA")).exit_code == 0
    artists = Counter(row["artist_id"] for row in read_rows(lake, "artists"))
    assert artists == Counter({DAFT_PUNK: 1, QUEEN: 1, ABBA: 1})
    pairs = Counter((row["artist_id"], row["track_id"]) for row in read_rows(lake, "top_tracks"))
    assert set(pairs.values()) == {1}
    assert {artist for artist, _ in pairs} == {DAFT_PUNK, QUEEN, ABBA}
    features = Counter(row["track_id"] for row in read_rows(lake, "audio_features"))
    assert set(features.values()) == {1}
    # The first run's files now hold Daft Punk only.
    first, second = read_manifests(lake)
    first_file = next(path for path in first["files"]["written"] if "/artists/" in path)
    second_file = next(path for path in second["files"]["written"] if "/artists/" in path)
    assert sorted(second["files"]["rewritten"]) == sorted(first["files"]["written"])
    assert pq.read_table(first_file)["artist_id"].to_pylist() == [DAFT_PUNK]
    assert sorted(pq.read_table(second_file)["artist_id"].to_pylist()) == sorted([QUEEN, ABBA])


def test_refresh_reextracts_every_artist_the_api_landed(start_apis, run_cli, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    assert run_cli(extract_arguments(lake, "--artist", "Queen", "--artist", "ABBA")).exit_code == 0
    # A dataset import's artist (a name-derived id) is not Spotify's to refresh.
    Lake.open(str(lake)).write_table(
        "artists",
        DT,
        pa.Table.from_pylist(
            [
                {
                    "artist_id": "name-0123456789abcdef",
                    "artist_name": "Somebody",
                    "genres": None,
                    "popularity": None,
                    "followers": None,
                    "source": "dataset:songs:name-derived-id",
                    "extracted_at": pa.scalar(0, pa.timestamp("us", tz="UTC")).as_py(),
                }
            ],
            schema=ARTISTS,
        ),
        "dataset-songs.parquet",
    )
    searches_before = len(apis.spotify.requests_to(r"^/v1/search$"))
    result = run_cli(extract_arguments(lake, "--refresh", dt="2026-11-25"))
    assert result.exit_code == EXIT_OK, result.stderr
    refreshed = read_rows(lake, "artists", dt="2026-11-25")
    assert sorted(row["artist_id"] for row in refreshed) == sorted([QUEEN, ABBA])
    assert len(apis.spotify.requests_to(r"^/v1/search$")) == searches_before
    assert len(apis.spotify.requests_to(rf"^/v1/artists/({QUEEN}|{ABBA})$")) == 2
    assert apis.spotify.requests_to(r"name-") == []


def test_refresh_of_a_lake_without_api_artists_is_a_usage_error(start_apis, run_cli, tmp_path):
    apis = start_apis()
    result = run_cli(extract_arguments(tmp_path / "empty-lake", "--refresh"))
    assert result.exit_code == EXIT_USAGE
    assert "--refresh found no artists" in result.stderr
    assert apis.spotify.requests == []


def test_killing_the_extractor_mid_write_leaves_no_partial_file(start_apis, run_cli, tmp_path):
    start_apis()
    arguments = extract_arguments(
        tmp_path / "probe", *[f"--artist={name}" for name in ("Daft Punk", "Queen", "ABBA")]
    )
    assert run_cli(arguments).exit_code == EXIT_OK
    (artists_file,) = (tmp_path / "probe" / "artists" / f"dt={DT}").glob("*.parquet")
    (tracks_file,) = (tmp_path / "probe" / "top_tracks" / f"dt={DT}").glob("*.parquet")
    small, large = artists_file.stat().st_size, tracks_file.stat().st_size
    assert large > small + 2000, (small, large)
    limit = (small + large) // 2

    # The same run in a child process whose files may not grow past `limit` bytes: the kernel
    # kills it (SIGXFSZ, restored to its default action) in the middle of writing top_tracks.
    lake = tmp_path / "lake"
    child = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from extract.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    arguments[arguments.index("--lake") + 1] = str(lake)
    killed = subprocess.run(
        [sys.executable, "-c", child, *arguments],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr
    assert len(list((lake / "artists" / f"dt={DT}").glob("*.parquet"))) == 1
    tracks_folder = lake / "top_tracks" / f"dt={DT}"
    assert list(tracks_folder.glob("*.parquet")) == []
    (temporary,) = tracks_folder.glob(".*.tmp")  # it was killed mid-write...
    assert 0 < temporary.stat().st_size <= limit
    assert not (lake / "audio_features").exists()
    assert not (lake / "_runs").exists()
    for path in lake.rglob("*.parquet"):  # ...and every visible file is whole
        pq.read_table(path)

    # A re-run completes the day; the killed run's artists are replaced, not duplicated.
    assert run_cli(arguments).exit_code == EXIT_OK
    assert Counter(row["artist_id"] for row in read_rows(lake, "artists")) == Counter(
        {DAFT_PUNK: 1, QUEEN: 1, ABBA: 1}
    )
    assert len(read_rows(lake, "top_tracks")) == 30
