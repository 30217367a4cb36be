"""The command line: artist lists, usage errors, the progress bar, and the fakes' own
schema check.
"""

from __future__ import annotations

import pytest

from tests.python.api_extract.extraction import (
    ABBA,
    DAFT_PUNK,
    EXIT_OK,
    EXIT_USAGE,
    METALLICA,
    QUEEN,
    extract_arguments,
    read_rows,
)
from tests.python.fakes.openapi import OpenApiValidator


def test_artists_file_mixes_names_ids_uris_and_links(start_apis, run_cli, tmp_path):
    apis = start_apis()
    artists_file = tmp_path / "artists.txt"
    artists_file.write_text(
        "# the nightly list\n"
        "Queen\n"
        "\n"
        f"spotify:artist:{ABBA}\n"
        f"https://open.spotify.com/artist/{METALLICA}?si=abc\n"
        "  queen  \n"
        f"{DAFT_PUNK}\n",
        encoding="utf-8",
    )
    lake = tmp_path / "lake"
    result = run_cli(extract_arguments(lake, "--artists-file", str(artists_file)))
    assert result.exit_code == EXIT_OK, result.stderr
    landed = {row["artist_id"] for row in read_rows(lake, "artists")}
    assert landed == {QUEEN, ABBA, METALLICA, DAFT_PUNK}
    assert len(apis.spotify.requests_to(r"^/v1/search$")) == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--artist-id", "not-an-id"], "is not a Spotify artist id"),
        (["--artist", "Queen", "--dt", "2026-13-01"], "--dt must be a date"),
        (["--artist", "Queen", "--market", "USA"], "--market must be a two-letter"),
        ([], "name at least one artist"),
        (["--artists-file", "missing.txt"], "cannot read --artists-file"),
    ],
)
def test_usage_errors_exit_2_with_one_line(start_apis, run_cli, tmp_path, arguments, message):
    apis = start_apis()
    result = run_cli(["api", *arguments, "--lake", str(tmp_path / "lake")])
    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert apis.spotify.requests == []
    assert not (tmp_path / "lake").exists()


def test_progress_bar_shows_for_more_than_a_handful_of_artists(
    start_apis, run_cli, tmp_path, catalog
):
    start_apis()
    names = ["Daft Punk", "Queen", "ABBA", "BLACKPINK", "Metallica", "Queen Naija"]
    many = run_cli(extract_arguments(tmp_path / "many", *[f"--artist={name}" for name in names]))
    assert many.exit_code == EXIT_OK, many.stderr
    assert "artists" in many.stderr and "6/6" in many.stderr
    few = run_cli(extract_arguments(tmp_path / "few", "--artist", "Queen"))
    assert "1/1" not in few.stderr


def test_the_fake_servers_schemas_can_fail():
    """The schema check that guards every fake response does reject a wrong one."""
    validator = OpenApiValidator()
    search = validator.response_pointer("/search", 200)
    assert validator.errors(search, {"artists": {"items": []}})  # paging fields missing
    features = validator.response_pointer("/audio-features", 200)
    assert validator.errors(features, {"audio_features": [None]}) == []
    assert validator.errors(features, {"audio_features": [{"key": 12}]})
    albums = validator.response_pointer("/artists/x/albums", 200)
    assert validator.errors(
        albums,
        {
            "href": "h",
            "items": [{}],
            "limit": 1,
            "next": None,
            "offset": 0,
            "previous": None,
            "total": 1,
        },
    )
