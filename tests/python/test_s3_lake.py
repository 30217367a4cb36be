"""The lake on S3: extract with ``LAKE_URI=s3://...`` into moto (server mode, 127.0.0.1), read it
back with DuckDB through fsspec (no httpfs download), and ``dbt build --target duckdb`` from it.

The extractor talks to the fake Spotify (Development Mode, the 2026 default) and ReccoBeats
servers; S3 is moto's real HTTP protocol, reached through ``AWS_ENDPOINT_URL`` like any S3.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest
import yaml

from extract.cli import main as extract_main
from tests.python.dbt_runner import PROJECT_ROOT, DbtWorkspace
from tests.python.fakes.catalog import Catalog
from tests.python.fakes.reccobeats import FakeReccoBeats, reccobeats_environment
from tests.python.fakes.spotify import FakeSpotify, spotify_environment
from tests.python.moto_s3 import s3

DT = "2026-11-24"
BUCKET = "spotify-lake"
LAKE_URI = f"s3://{BUCKET}/lake"
ARTISTS = {"Daft Punk": "4tZwfgrHOc3mvqYlEYSvVi", "Queen": "1dfeR4HaWDbWqFHLkxsg1d"}
ARTISTS["ABBA"] = "0LcJLqbBmaGUft1e9Mm8HV"


@pytest.fixture(scope="module")
def extracted_lake(s3_environment):
    """Three artists extracted twice (the same day) into the S3 lake; the servers' logs."""
    catalog = Catalog.standard()
    with (
        FakeSpotify(catalog, development_mode=True) as spotify,
        FakeReccoBeats(catalog) as reccobeats,
    ):
        for name, value in {
            **spotify_environment(spotify),
            **reccobeats_environment(reccobeats),
            "EXTRACT_RETRY_BASE_DELAY": "0.01",
        }.items():
            s3_environment.setenv(name, value)
        s3_environment.setenv("LAKE_URI", LAKE_URI)  # the default of --lake
        arguments = ["api", *[f"--artist={name}" for name in ARTISTS], "--dt", DT]
        exit_codes = [extract_main(arguments), extract_main(arguments)]
        assert not spotify.schema_errors and not reccobeats.schema_errors
    return exit_codes


def test_extract_writes_the_lake_to_s3_without_duplicates(extracted_lake):
    assert extracted_lake == [0, 0]
    objects = sorted(s3().find(f"{BUCKET}/lake"))
    by_folder = Counter(path.split("/")[2] for path in objects)
    # One file per table (the second run replaced the first) and one manifest per run.
    assert by_folder == Counter({"artists": 1, "top_tracks": 1, "audio_features": 1, "_runs": 2})
    assert all(f"/dt={DT}/" in path for path in objects)


def test_duckdb_reads_the_s3_lake_through_fsspec(extracted_lake):
    connection = duckdb.connect()
    connection.register_filesystem(s3())
    artists = connection.sql(
        f"select artist_id, source, dt from read_parquet('{LAKE_URI}/artists/*/*.parquet', "
        "hive_partitioning = true, hive_types = {'dt': 'VARCHAR'}) order by artist_id"
    ).fetchall()
    assert artists == [
        (artist_id, "spotify:development_mode", DT) for artist_id in sorted(ARTISTS.values())
    ]
    tracks_per_artist = dict(
        connection.sql(
            f"select artist_id, count(*) from read_parquet('{LAKE_URI}/top_tracks/*/*.parquet') "
            "group by artist_id"
        ).fetchall()
    )
    assert tracks_per_artist == dict.fromkeys(ARTISTS.values(), 10)


def duckdb_profile_registers_s3() -> bool:
    profile = yaml.safe_load((PROJECT_ROOT / "profiles.example.yml").read_text())
    output = profile["spotify_warehouse"]["outputs"]["duckdb"]
    return any(spec.get("fs") == "s3" for spec in output.get("filesystems") or [])


def test_dbt_build_reads_the_same_s3_lake(extracted_lake, tmp_path: Path):
    assert duckdb_profile_registers_s3(), "the duckdb target must register s3 via fsspec"
    workspace = DbtWorkspace.create(tmp_path / "dbt", lake_uri=LAKE_URI)
    workspace.dbt(["build"])
    connection = duckdb.connect(str(workspace.duckdb_path), read_only=True)
    artists = connection.sql(
        "select artist_id, record_source, has_audio_features, track_count from dim_artists "
        "order by artist_id"
    ).fetchall()
    # track_count counts tracks with audio features: one of Daft Punk's has none anywhere.
    track_counts = {ARTISTS["Daft Punk"]: 9, ARTISTS["Queen"]: 10, ARTISTS["ABBA"]: 10}
    assert artists == [
        (artist_id, "spotify:development_mode", True, track_counts[artist_id])
        for artist_id in sorted(ARTISTS.values())
    ]
    related = connection.sql(
        "select artist_id, count(*) from fct_related_artists group by artist_id"
    ).fetchall()
    assert dict(related) == dict.fromkeys(ARTISTS.values(), 2)
