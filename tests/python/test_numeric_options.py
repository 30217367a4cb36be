"""Every numeric option of spotify-extract and spotify-related: a bad value is one argparse
error line naming the option and exit 2, never a traceback; good values work end to end.

The numeric options (each parsed by a function of extract/cli_common.py):

    spotify-related --tracks N               whole number >= 0 (0 lists no tracks), no upper bound
    spotify-extract api --tracks-per-artist N  whole number >= 1, no upper bound

and the retry settings spotify-extract reads from the environment (EXTRACT_HTTP_TIMEOUT and
the others of extract/http_retry.py): finite numbers, 0 or more (the timeout above 0).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from extract import cli as extract_cli
from extract.cli_common import non_negative_int, positive_int
from extract.http_retry import RetryPolicy
from lookup import cli as lookup_cli
from lookup.queries import related_artists
from tests.python.dbt_runner import PROJECT_ROOT, DbtWorkspace
from tests.python.synthetic_lake import write_synthetic_lake

SPOTIFY_RELATED = Path(sys.executable).with_name("spotify-related")
NUMERIC_TYPES = {non_negative_int, positive_int}
BAD_WHOLE_NUMBERS = [
    pytest.param("abc", id="abc"),
    pytest.param("1.5", id="1.5"),
    pytest.param("1e3", id="1e3"),
    pytest.param("", id="empty"),
    pytest.param("9" * 5000, id="5000-digits"),  # more digits than Python's int() parses
]
TRACKS_PER_ARTIST = 3  # of every synthetic artist
LOOKUP_MART = ["--select", "+fct_artist_recommendations"]


def spotify_related(*arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a user would."""
    return subprocess.run(
        [str(SPOTIFY_RELATED), *arguments],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )


def assert_one_line_argparse_error(stderr: str, option: str) -> None:
    """Usage (argparse's normal preamble), then exactly one error line naming the option."""
    assert "Traceback" not in stderr
    lines = stderr.rstrip("\n").splitlines()
    errors = [line for line in lines if ": error: " in line]
    assert errors == [lines[-1]], stderr
    assert f"argument {option}: expected a whole number" in errors[0]
    assert len(errors[0]) < 200, "the bad value is shortened in the message"
    assert lines[0].startswith("usage: ")


# --- which options are numeric ------------------------------------------------------------


def parsers(parser: argparse.ArgumentParser):
    """The parser and every subcommand's parser below it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                yield from parsers(subparser)


def numeric_options() -> dict[tuple[str, str], object]:
    """(program, option) -> type function, for every option that takes a number."""
    found = {}
    for top in (extract_cli.build_parser(), lookup_cli.build_parser()):
        for parser in parsers(top):
            for action in parser._actions:
                if action.type in (int, float) or action.type in NUMERIC_TYPES:
                    found[(parser.prog, action.option_strings[0])] = action.type
    return found


def test_every_numeric_option_uses_a_checked_type() -> None:
    # A new option with a bare type=int (or float) fails here: bare int accepts -1, and only
    # says "invalid int value"; use (or add) a function in extract/cli_common.py instead.
    assert numeric_options() == {
        ("spotify-related", "--tracks"): non_negative_int,
        ("spotify-related", "--k"): positive_int,
        ("spotify-extract api", "--tracks-per-artist"): positive_int,
    }


# --- spotify-related --tracks -------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", *BAD_WHOLE_NUMBERS])
def test_related_bad_tracks_is_one_argparse_error(value: str, tmp_path: Path) -> None:
    # The warehouse is never opened: the error comes at argument-parsing time.
    result = spotify_related("BLACKPINK", "--tracks", value, "--db", str(tmp_path / "none.duckdb"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line_argparse_error(result.stderr, "--tracks")
    assert "no warehouse at" not in result.stderr


def test_related_bad_tracks_with_equals_sign() -> None:
    result = spotify_related("BLACKPINK", "--tracks=-1")
    assert result.returncode == 2
    assert_one_line_argparse_error(result.stderr, "--tracks")


def test_related_module_entry_point_rejects_bad_tracks() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lookup.cli", "BLACKPINK", "--tracks", "-1"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert_one_line_argparse_error(result.stderr, "--tracks")


def test_related_help_documents_tracks() -> None:
    result = spotify_related("--help")
    assert result.returncode == 0
    assert "--tracks N" in result.stdout
    assert "0 shows" in result.stdout


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four synthetic artists of three tracks each, built into a DuckDB warehouse."""
    workspace = DbtWorkspace.create(tmp_path_factory.mktemp("numeric_options"))
    profiles = {
        "a": {"energy": 0.1, "danceability": 0.2},
        "b": {"energy": 0.2, "danceability": 0.3},
        "c": {"energy": 0.8, "danceability": 0.7},
        "d": {"energy": 0.9, "danceability": 0.9},
    }
    extra_tracks = [
        (artist_id, f"track-{artist_id}-{number}", profile)
        for artist_id, profile in profiles.items()
        for number in range(2, TRACKS_PER_ARTIST + 1)
    ]
    write_synthetic_lake(workspace.lake_uri, profiles, extra_tracks=extra_tracks)
    variables = {
        "similarity_normalisation": "min_max",
        "similarity_distance": "euclidean",
        "min_related_track_count": 1,
    }
    # dbt seed and run, not build: only the lookup's mart is needed here; the models' data and
    # unit tests are test_pipeline.py's and test_mart_edge_cases.py's business.
    workspace.dbt(["seed"])
    workspace.dbt(["run", *LOOKUP_MART, "--vars", json.dumps(variables)])
    return workspace.duckdb_path


def test_related_tracks_zero_lists_no_tracks(tiny_warehouse: Path) -> None:
    result = spotify_related("Artist a", "--tracks", "0", "--db", str(tiny_warehouse))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Artists who sound like Artist a" in result.stdout
    assert "Artist b" in result.stdout
    assert "Song " not in result.stdout


@pytest.mark.parametrize(
    ("value", "shown"),
    [("2", 2), ("3", TRACKS_PER_ARTIST), ("100000000000000000000000", TRACKS_PER_ARTIST)],
)
def test_related_tracks_good_value(tiny_warehouse: Path, value: str, shown: int) -> None:
    # A number larger than DuckDB's BIGINT still just means "all of them".
    result = spotify_related("Artist a", "--tracks", value, "--db", str(tiny_warehouse))
    assert result.returncode == 0, result.stderr
    with duckdb.connect(str(tiny_warehouse), read_only=True) as connection:
        answer = related_artists(connection, "Artist a", int(value))
    assert answer.related
    assert all(len(related.tracks) == shown for related in answer.related)
    assert result.stdout.count("Song track-") == shown * len(answer.related)


def test_library_rejects_negative_track_counts(tiny_warehouse: Path) -> None:
    with duckdb.connect(str(tiny_warehouse), read_only=True) as connection:
        assert all(not related.tracks for related in related_artists(connection, "b", 0).related)
        with pytest.raises(ValueError, match="0 or more"):
            related_artists(connection, "Artist a", -1)


# --- spotify-extract api --tracks-per-artist ----------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", *BAD_WHOLE_NUMBERS])
def test_extract_bad_tracks_per_artist_is_one_argparse_error(run_cli, value: str) -> None:
    result = run_cli(["api", "--artist", "Queen", "--tracks-per-artist", value])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert_one_line_argparse_error(result.stderr, "--tracks-per-artist")


def test_extract_good_tracks_per_artist_parses() -> None:
    arguments = extract_cli.build_parser().parse_args(
        ["api", "--artist", "Queen", "--tracks-per-artist", "1"]
    )
    assert arguments.tracks_per_artist == 1
    default = extract_cli.build_parser().parse_args(["api", "--artist", "Queen"])
    assert default.tracks_per_artist == 10


# --- spotify-extract api: the EXTRACT_* retry settings -------------------------------------


@pytest.mark.parametrize("name", ["EXTRACT_HTTP_TIMEOUT", "EXTRACT_RETRY_MAX_DELAY"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "abc", "-1"])
def test_extract_bad_retry_setting_is_one_line(
    run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    # A timeout or a wait of nan or infinity would hang the run or break the backoff.
    monkeypatch.setenv("SPOTIPY_CLIENT_ID", "id")
    monkeypatch.setenv("SPOTIPY_CLIENT_SECRET", "secret")
    monkeypatch.setenv(name, value)
    lake = tmp_path / "lake"
    result = run_cli(["api", "--artist", "Queen", "--lake", lake])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert name in result.stderr and "Traceback" not in result.stderr
    assert not lake.exists()


def test_extract_good_retry_settings_are_read() -> None:
    policy = RetryPolicy.from_environment(
        {"EXTRACT_HTTP_TIMEOUT": "2.5", "EXTRACT_MAX_RETRIES": "0"}
    )
    assert (policy.timeout, policy.max_retries, policy.max_delay) == (2.5, 0, 30.0)
