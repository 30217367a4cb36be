"""Time ``spotify-extract api`` for many artists against the fake servers with real latency.

    .venv/bin/python -m benchmarks.time_api_extract [--artists 50] [--latency 0.05]

Run from the repository root. Starts the test suite's fake Spotify and ReccoBeats servers
(``tests/python/fakes``) on 127.0.0.1 (every answer delayed by --latency seconds), generates
a catalogue of --artists artists (each with three albums of four tracks and three singles),
and extracts them all by name into a temporary lake, once as an Extended Quota app (top
tracks, Spotify's audio features) and once as a Development Mode app (latest releases,
ReccoBeats). Prints, per mode, the wall time and the requests made, in total and per artist.
Nothing outside the temporary folder is touched.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pathlib
import tempfile
import time

from extract.cli import main as extract_main
from tests.python.fakes.catalog import Catalog
from tests.python.fakes.reccobeats import FakeReccoBeats, reccobeats_environment
from tests.python.fakes.spotify import FakeSpotify, spotify_environment


def time_mode(catalog: Catalog, development_mode: bool, latency: float, folder: str) -> dict:
    with (
        FakeSpotify(catalog, development_mode=development_mode, latency=latency) as spotify,
        FakeReccoBeats(catalog, latency=latency) as reccobeats,
    ):
        os.environ.update(spotify_environment(spotify))
        os.environ.update(reccobeats_environment(reccobeats))
        artists_file = pathlib.Path(folder) / "artists.txt"
        artists_file.write_text("\n".join(a.name for a in catalog.artists.values()) + "\n")
        lake = pathlib.Path(folder) / ("lake-development" if development_mode else "lake-extended")
        started = time.monotonic()
        with contextlib.redirect_stderr(io.StringIO()):
            exit_code = extract_main(
                [
                    "api",
                    "--artists-file",
                    str(artists_file),
                    "--lake",
                    str(lake),
                    "--dt",
                    "2026-11-24",
                ]
            )
        elapsed = time.monotonic() - started
        assert not spotify.schema_errors and not reccobeats.schema_errors
    (manifest_path,) = (lake / "_runs" / "dt=2026-11-24").glob("*.json")
    manifest = json.loads(manifest_path.read_text())
    return {"exit_code": exit_code, "seconds": elapsed, "manifest": manifest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    arguments = parser.parse_args()
    catalog = Catalog.generated(arguments.artists, releases=6, tracks_per_release=4)
    os.environ.pop("LAKE_URI", None)
    print(f"{arguments.artists} artists, {arguments.latency * 1000:.0f} ms per request")
    with tempfile.TemporaryDirectory() as folder:
        for development_mode in (False, True):
            outcome = time_mode(catalog, development_mode, arguments.latency, folder)
            manifest = outcome["manifest"]
            requests = manifest["requests"]["requests"]
            total = manifest["requests"]["requests_total"]
            label = "Development Mode" if development_mode else "Extended Quota"
            print(
                f"{label:16}: exit {outcome['exit_code']}, {outcome['seconds']:.1f} s wall, "
                f"{total} requests ({', '.join(f'{k} {v}' for k, v in requests.items())}), "
                f"{total / arguments.artists:.2f} per artist; "
                f"{manifest['counts']['tracks']} tracks, "
                f"{manifest['counts']['features_found']} with features"
            )


if __name__ == "__main__":
    main()
