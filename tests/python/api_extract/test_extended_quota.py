"""An app with Extended Quota: ``spotify-extract api`` lands top tracks and Spotify's own
audio features.
"""

from __future__ import annotations

from extract.schemas import AUDIO_FEATURE_COLUMNS
from tests.python.api_extract.extraction import (
    ABBA,
    DAFT_PUNK,
    EXIT_OK,
    EXIT_PARTIAL,
    QUEEN,
    extract_arguments,
    read_manifests,
    read_rows,
)
from tests.python.fakes.catalog import fake_id


def test_extended_quota_run_lands_top_tracks_and_spotify_features(
    start_apis, run_cli, tmp_path, catalog
):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = run_cli(
        extract_arguments(lake, "--artist", "Daft Punk", "--artist", "queen", "--artist-id", ABBA)
    )
    assert result.exit_code == EXIT_OK, result.stderr

    artists = {row["artist_id"]: row for row in read_rows(lake, "artists")}
    assert set(artists) == {DAFT_PUNK, QUEEN, ABBA}
    for artist_id, row in artists.items():
        known = catalog.artists[artist_id]
        assert (row["artist_name"], row["popularity"], row["followers"], row["genres"]) == (
            known.name,
            known.popularity,
            known.followers,
            known.genres,
        )
        assert row["source"] == "spotify"
        assert row["extracted_at"].tzinfo is not None

    tracks = read_rows(lake, "top_tracks")
    for artist_id in artists:
        expected = catalog.top_tracks(artist_id)
        landed = sorted(
            (row for row in tracks if row["artist_id"] == artist_id),
            key=lambda row: row["track_rank"],
        )
        assert [row["track_id"] for row in landed] == [track.id for track in expected]
        assert [row["track_rank"] for row in landed] == list(range(1, len(expected) + 1))
        for row, track in zip(landed, expected, strict=True):
            assert row["selection"] == "top_tracks"
            assert row["isrc"] == track.isrc
            assert row["popularity"] == track.popularity
            assert row["album_id"] == track.album_id
            assert row["spotify_url"] == f"https://open.spotify.com/track/{track.id}"

    features = {row["track_id"]: row for row in read_rows(lake, "audio_features")}
    landed_ids = {row["track_id"] for row in tracks}
    with_features = {tid for tid in landed_ids if catalog.tracks[tid].features is not None}
    assert set(features) == with_features
    assert landed_ids - with_features, "the catalogue should give at least one null entry"
    for track_id, row in features.items():
        known = catalog.tracks[track_id].features
        assert {name: row[name] for name in AUDIO_FEATURE_COLUMNS} == {
            name: known[name] for name in AUDIO_FEATURE_COLUMNS
        }
        assert row["time_signature"] == known["time_signature"]
        assert row["source"] == "spotify"

    (manifest,) = read_manifests(lake)
    assert manifest["app_mode"] == "extended_quota"
    assert manifest["fallbacks"] == [] and manifest["errors"] == []
    assert manifest["counts"] == {
        "artists_requested": 3,
        "artists_landed": 3,
        "artists_failed": 0,
        "artists_duplicate": 0,
        "tracks": len(tracks),
        "features_found": len(with_features),
        "features_missing": len(landed_ids - with_features),
        "features_failed": 0,
    }
    # Two searches, one artist by id, three top-track lists, one features batch, one token.
    assert manifest["requests"]["requests"] == {"spotify_api": 7, "spotify_auth": 1}
    assert len(apis.spotify.requests_to(r"^/v1/search$")) == 2
    assert len(apis.spotify.requests_to(r"/top-tracks$")) == 3
    assert len(apis.spotify.requests_to(r"^/v1/audio-features")) == 1
    assert apis.reccobeats.requests == []
    assert "queen -> Queen (1dfeR4HaWDbWqFHLkxsg1d), exact name match" in result.stderr


def test_name_resolution_takes_the_exact_match_else_the_first_result(start_apis, run_cli, tmp_path):
    start_apis()
    lake = tmp_path / "lake"
    # "daft punk" finds "Daft Punk Tribute Band" first; "daft" matches no name exactly.
    result = run_cli(extract_arguments(lake, "--artist", "daft punk", "--artist", "daft"))
    assert result.exit_code == EXIT_OK, result.stderr
    names = {row["artist_name"] for row in read_rows(lake, "artists")}
    assert names == {"Daft Punk", "Daft Punk Tribute Band"}
    assert "daft punk -> Daft Punk (4tZwfgrHOc3mvqYlEYSvVi), exact name match" in result.stderr
    assert "daft -> Daft Punk Tribute Band" in result.stderr
    assert "first of 2 results (no exact name match)" in result.stderr
    (manifest,) = read_manifests(lake)
    resolutions = {artist["input"]: artist["resolution"] for artist in manifest["artists"]}
    assert resolutions["daft"].startswith("first of 2 results")


def test_an_unknown_artist_is_reported_and_skipped_and_the_others_land(
    start_apis, run_cli, tmp_path
):
    start_apis()
    lake = tmp_path / "lake"
    unknown_id = fake_id("nobody")
    result = run_cli(
        extract_arguments(
            lake, "--artist", "Zzyzx Nobody", "--artist", "Queen", "--artist-id", unknown_id
        )
    )
    assert result.exit_code == EXIT_PARTIAL
    assert [row["artist_id"] for row in read_rows(lake, "artists")] == [QUEEN]
    assert "FAILED Zzyzx Nobody: no Spotify artist found for 'Zzyzx Nobody'" in result.stderr
    assert f"FAILED id {unknown_id}: no Spotify artist has the id {unknown_id}" in result.stderr
    (manifest,) = read_manifests(lake)
    assert manifest["counts"]["artists_failed"] == 2
    assert {error["artist"] for error in manifest["errors"]} == {"Zzyzx Nobody", f"id {unknown_id}"}
    assert manifest["exit_code"] == EXIT_PARTIAL


def test_the_same_artist_asked_twice_lands_once(start_apis, run_cli, tmp_path):
    apis = start_apis()
    lake = tmp_path / "lake"
    result = run_cli(
        extract_arguments(lake, "--artist", "Queen", "--artist", "QUEEN", "--artist-id", QUEEN)
    )
    assert result.exit_code == EXIT_OK, result.stderr
    assert [row["artist_id"] for row in read_rows(lake, "artists")] == [QUEEN]
    assert len(apis.spotify.requests_to(r"/top-tracks$")) == 1
    (manifest,) = read_manifests(lake)
    assert manifest["counts"]["artists_duplicate"] == 1
