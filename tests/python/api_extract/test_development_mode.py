"""An app in Development Mode: ``spotify-extract api`` lands the latest releases as tracks
and takes audio features from ReccoBeats.
"""

from __future__ import annotations

import math

import pytest

from tests.python.api_extract.extraction import (
    ABBA,
    BLACKPINK,
    DAFT_PUNK,
    EXIT_OK,
    EXIT_PARTIAL,
    extract_arguments,
    read_manifests,
    read_rows,
    tracks_by_artist,
)


@pytest.mark.parametrize("top_tracks_status", [403, 404])
def test_development_mode_run_uses_latest_releases_and_reccobeats(
    start_apis, run_cli, tmp_path, catalog, top_tracks_status
):
    apis = start_apis(development_mode=True, top_tracks_status=top_tracks_status)
    lake = tmp_path / "lake"
    result = run_cli(
        extract_arguments(
            lake,
            "--artist",
            "Daft Punk",
            "--artist",
            "BLACKPINK",
            "--artist-id",
            ABBA,
            "--tracks-per-artist",
            "12",
        )
    )
    assert result.exit_code == EXIT_OK, result.stderr

    artists = read_rows(lake, "artists")
    assert {row["artist_id"] for row in artists} == {DAFT_PUNK, BLACKPINK, ABBA}
    assert all(row["source"] == "spotify:development_mode" for row in artists)
    assert all(row["popularity"] is None and row["followers"] is None for row in artists)

    tracks = read_rows(lake, "top_tracks")
    assert tracks_by_artist(tracks) == {
        # Newest release first; "Get Lucky" is taken from the album, not its older single.
        DAFT_PUNK: [
            "Lose Yourself to Dance",
            "Give Life Back to Music",
            "Get Lucky",
            "Instant Crush",
            "Doin' it Right",
            "Tron Legacy (End Titles)",
            "One More Time",
            "Aerodynamic",
            "Digital Love",
            "Homework - part 1",
            "Homework - part 2",
            "Homework - part 3",
        ],
        # "Typa Girl" on BLACKPINK's album is the guest's track only; the single repeats
        # "Shut Down".
        BLACKPINK: ["Pink Venom", "Shut Down"],
        # Twelve singles, newer than the album: two pages of ten; no compilation track.
        ABBA: [f"ABBA Single {number:02d}" for number in range(11, -1, -1)],
    }
    assert {row["selection"] for row in tracks} == {"latest_releases"}
    assert all(row["popularity"] is None for row in tracks)
    get_lucky = next(row for row in tracks if row["track_name"] == "Get Lucky")
    assert get_lucky["album_name"] == "Random Access Memories"
    assert get_lucky["release_date"] == "2013-05-17"

    # Detected once per run: one top-tracks and one audio-features refusal, whatever the count.
    assert len(apis.spotify.requests_to(r"/top-tracks$")) == 1
    assert len(apis.spotify.requests_to(r"^/v1/audio-features")) == 1
    assert all(int(r.query["limit"][0]) <= 10 for r in apis.spotify.requests_to(r"^/v1/search$"))
    abba_singles = [
        request.query["offset"][0]
        for request in apis.spotify.requests_to(rf"^/v1/artists/{ABBA}/albums$")
        if request.query["include_groups"] == ["single"]
    ]
    assert abba_singles == ["0", "10"]

    features = {row["track_id"]: row for row in read_rows(lake, "audio_features")}
    landed_ids = {row["track_id"] for row in tracks}
    unknown = {tid for tid in landed_ids if not catalog.tracks[tid].known_to_reccobeats}
    assert set(features) == landed_ids - unknown
    assert unknown == {catalog.track_by_name("Daft Punk", "Aerodynamic").id}
    assert {row["source"] for row in features.values()} == {"reccobeats"}
    assert all(row["time_signature"] is None for row in features.values())
    for track_id, row in features.items():
        assert row["duration_ms"] == catalog.tracks[track_id].duration_ms
    assert len(apis.reccobeats.requests) == math.ceil(len(landed_ids) / 40)

    (manifest,) = read_manifests(lake)
    assert manifest["app_mode"] == "development"
    assert manifest["track_selections"] == ["latest_releases"]
    assert manifest["features_source"]["used"] == ["reccobeats"]
    assert [fallback.split(":")[0] for fallback in manifest["fallbacks"]] == [
        "tracks",
        "audio features",
    ]
    assert manifest["counts"]["features_missing"] == 1
    assert f"top tracks refused (HTTP {top_tracks_status}): a Development Mode app" in (
        result.stderr
    )
    assert "using ReccoBeats instead" in result.stderr


def test_auto_features_fall_back_to_reccobeats_in_batches_of_40(
    start_apis, run_cli, tmp_path, catalog
):
    # An Extended Quota app refused audio features only (a real case since 2024-11-27).
    apis = start_apis(audio_features_forbidden=True)
    lake = tmp_path / "lake"
    names = ["Daft Punk", "Queen", "ABBA", "BLACKPINK", "Metallica"]
    result = run_cli(extract_arguments(lake, *[f"--artist={name}" for name in names]))
    assert result.exit_code == EXIT_OK, result.stderr

    landed_ids = {row["track_id"] for row in read_rows(lake, "top_tracks")}
    assert len(landed_ids) > 40
    batches = [request.query["ids"][0].split(",") for request in apis.reccobeats.requests]
    assert [len(batch) for batch in batches] == [40, len(landed_ids) - 40]
    assert set().union(*batches) == landed_ids

    # ReccoBeats answers in its own order under its own ids: mapped back through href.
    features = read_rows(lake, "audio_features")
    known = {tid for tid in landed_ids if catalog.tracks[tid].known_to_reccobeats}
    assert {row["track_id"] for row in features} == known
    for row in features:
        expected = catalog.tracks[row["track_id"]].features
        if expected is not None:
            assert row["danceability"] == expected["danceability"]
            assert row["tempo"] == expected["tempo"]
    assert len(apis.spotify.requests_to(r"^/v1/audio-features")) == 1
    (manifest,) = read_manifests(lake)
    assert manifest["app_mode"] == "extended_quota"
    assert len(manifest["fallbacks"]) == 1
    assert manifest["fallbacks"][0].startswith("audio features: spotify -> reccobeats")


def test_reccobeats_source_never_asks_spotify_for_features(start_apis, run_cli, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = run_cli(
        extract_arguments(lake, "--artist", "Queen", "--features-source", "reccobeats")
    )
    assert result.exit_code == EXIT_OK, result.stderr
    assert apis.spotify.requests_to(r"^/v1/audio-features") == []
    assert {row["source"] for row in read_rows(lake, "audio_features")} == {"reccobeats"}


def test_spotify_features_in_development_mode_land_tracks_and_report_the_error(
    start_apis, run_cli, tmp_path
):
    apis = start_apis(development_mode=True)
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen", "--features-source", "spotify"))
    assert result.exit_code == EXIT_PARTIAL
    assert len(read_rows(lake, "top_tracks")) == 10
    assert read_rows(lake, "audio_features") == []
    assert apis.reccobeats.requests == []
    assert "--features-source reccobeats" in result.stderr
    (manifest,) = read_manifests(lake)
    assert manifest["counts"]["features_failed"] == 10


def test_features_source_none_lands_tracks_without_features(start_apis, run_cli, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artist", "Queen", "--features-source", "none"))
    assert result.exit_code == EXIT_OK, result.stderr
    assert len(read_rows(lake, "top_tracks")) == 10
    assert not (lake / "audio_features").exists()
    assert apis.spotify.requests_to(r"^/v1/audio-features") == []
    assert apis.reccobeats.requests == []
