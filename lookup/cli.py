"""``spotify-related``: an artist's nearest artists by sound, and what to play.

    spotify-related "Daft Punk" Queen 블랙핑크 --tracks 3 --k 2 [--json]
    spotify-related serve [--host 127.0.0.1] [--port 8080]     (lookup/skill_command.py)
    spotify-related export [--to URI]                          (lookup/export_command.py)

reads the mart fct_artist_recommendations of the DuckDB warehouse (``--db``, default
``DUCKDB_PATH`` or ``target/spotify.duckdb``). Which artist a typed name means:
``lookup/matching.py`` (docs/lookup.md). An artist named "serve" or "export" is asked for
after ``--``: ``spotify-related -- serve``.

``--tracks N`` is a whole number, 0 or more (default 3): 0 lists no tracks; more than the
warehouse keeps per artist (its recommendation_track_count, default 10) lists all it keeps.
``--k N`` shows the N nearest, 1 up to the top_k the warehouse was built with (default: all
of them). ``--json`` prints one JSON
document, ``{"answers": [...], "errors": [...]}`` (its shape: docs/lookup.md). A bad value is
an argparse error: usage, one error line, exit 2.

Exit codes: 0 every artist answered; 1 some artist could not be answered (unknown name, no
audio features); 2 bad arguments, ``--k`` above the warehouse's top_k, or no usable
warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict

import duckdb
from rich.console import Console
from rich.table import Table

from extract.cli_common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    non_negative_int,
    positive_int,
    print_error,
)
from lookup.answer import Answer, ArtistLookupError
from lookup.on_demand import DISABLED, NO_CREDENTIALS, REJECTED, PendingFetch, answer_on_demand
from lookup.on_demand_options import OnDemandOptions, OptionsError
from lookup.queries import connect, default_database_path
from lookup.serving_index import ServingIndex

PROGRAM = "spotify-related"
# On-demand outcomes not worth a word next to "no artist named ...": it was not tried.
QUIET_REASONS = {NO_CREDENTIALS, DISABLED, REJECTED}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="Print an artist's nearest artists by sound, with a few of their tracks.",
    )
    parser.add_argument("artists", nargs="+", metavar="ARTIST", help="artist name or id")
    parser.add_argument(
        "--db",
        default=None,
        help="DuckDB warehouse (default: DUCKDB_PATH or target/spotify.duckdb)",
    )
    parser.add_argument(
        "--tracks",
        type=non_negative_int,
        default=3,
        metavar="N",
        help="tracks shown per related artist, 0 or more (default 3; 0 shows none; at most "
        "the warehouse's recommendation_track_count are kept)",
    )
    parser.add_argument(
        "--k",
        type=positive_int,
        default=None,
        metavar="N",
        help="related artists shown per artist, 1 up to the warehouse's top_k (default: all)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document (shape: docs/lookup.md) instead of tables",
    )
    return parser


def render_match(answer: Answer, typed: str, console: Console) -> None:
    """How the typed name was understood, when not as written: an alias, or other artists
    that share the (folded) name."""
    if answer.found_by == "alias":
        console.print(f"{typed.strip()!r} is an alias of {answer.artist_name}", highlight=False)
    if answer.others:
        others = ", ".join(
            f"{other.artist_name} ({other.artist_id}, {tracks(other.track_count)})"
            for other in answer.others
        )
        console.print(
            f"{len(answer.others) + 1} artists match {typed.strip()!r}: answering for "
            f"{answer.artist_name} ({answer.artist_id}, {tracks(answer.track_count)}); "
            f"also {others}",
            highlight=False,
        )


def tracks(count: int) -> str:
    return f"{count} track" if count == 1 else f"{count} tracks"


def render(answer: Answer, console: Console) -> None:
    """One table per artist: each related artist, then one line per track to play."""
    table = Table(
        title=f"Artists who sound like {answer.artist_name} "
        f"(profile of {answer.track_count} tracks)",
        title_justify="left",
    )
    table.add_column("#", justify="right", no_wrap=True, min_width=1)
    table.add_column(
        "related artist", no_wrap=True, overflow="ellipsis", min_width=14, max_width=24
    )
    table.add_column("distance", justify="right", no_wrap=True, min_width=8)
    table.add_column("similarity", justify="right", no_wrap=True, min_width=10)
    table.add_column("play", no_wrap=True, overflow="ellipsis", min_width=24, max_width=40)
    for related in answer.related:
        lines = [
            track.track_name + (f" ({track.release_date[:4]})" if track.release_date else "")
            for track in related.tracks
        ] or ["-"]
        table.add_row(
            str(related.similarity_rank),
            related.artist_name,
            f"{related.distance:.4f}",
            f"{related.similarity_score:.3f}",
            lines[0],
            end_section=len(lines) == 1,
        )
        for index, line in enumerate(lines[1:], start=2):
            table.add_row("", "", "", "", line, end_section=index == len(lines))
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        from lookup.skill_command import main as serve

        return serve(argv[1:])
    if argv[:1] == ["export"]:
        from lookup.export_command import main as export

        return export(argv[1:])
    arguments = build_parser().parse_args(argv)
    try:
        return answer_all(arguments)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as a pipeline expects.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED


def answer_all(arguments: argparse.Namespace) -> int:
    """Answer every artist asked for: tables, or one JSON document with --json."""
    # Wide enough for the table when piped (a terminal's own width is used otherwise).
    console = Console(width=None if sys.stdout.isatty() else 100)
    try:
        connection = connect(arguments.db or default_database_path())
    except (ArtistLookupError, duckdb.Error) as error:
        print_error(PROGRAM, str(error))
        return EXIT_USAGE
    try:
        on_demand = OnDemandOptions.for_command_line()
    except OptionsError as error:
        print_error(PROGRAM, str(error))
        return EXIT_USAGE
    with connection:
        index = ServingIndex.from_warehouse(connection)
        return answer_names(index, arguments, console, OnDemand(connection, on_demand))


class OnDemand:
    """The command line's on-demand path (docs/on-demand.md): a name the warehouse lacks,
    fetched from Spotify and answered now; what it lands, reported when landed."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, options: OnDemandOptions) -> None:
        self.connection = connection
        self.options = options
        self.fetches: list[PendingFetch] = []

    def answer(self, name: str, tracks: int, k: int | None) -> tuple[Answer | None, str]:
        """The answer (or None) and one line saying how it went."""
        result = answer_on_demand(self.connection, name, tracks, self.options, k=k)
        if result.fetch is not None:
            self.fetches.append(result.fetch)
        return result.answer, result.message if result.reason not in QUIET_REASONS else ""

    def report_landings(self) -> None:
        """Wait for what is being landed, and say where it went (or why not)."""
        for fetch in self.fetches:
            fetch.wait()
            if fetch.landed is not None:
                print(
                    f"{PROGRAM}: landed {fetch.query!r} in {self.options.lake_uri} for the "
                    "next build",
                    file=sys.stderr,
                )
            elif fetch.not_landed:
                print(f"{PROGRAM}: {fetch.query!r} not landed: {fetch.not_landed}", file=sys.stderr)


def answer_names(
    index: ServingIndex, arguments: argparse.Namespace, console: Console, on_demand: OnDemand
) -> int:
    if arguments.k is not None and arguments.k > index.top_k:
        print_error(
            PROGRAM,
            f"--k {arguments.k} is more than the warehouse keeps ({index.top_k} related artists "
            f"per artist): rebuild with dbt build --vars '{{top_k: {arguments.k}}}'",
        )
        return EXIT_USAGE
    answers, errors = [], []
    for name in arguments.artists:
        try:
            answer = index.answer(name, arguments.tracks, arguments.k)
        except ArtistLookupError as error:
            fetched, how = (
                on_demand.answer(name, arguments.tracks, arguments.k)
                if error.suggestions
                else (None, "")
            )
            if fetched is None:
                message = f"{error}; on demand: {how}" if how else str(error)
                print_error(PROGRAM, message)
                errors.append({"query": name, "error": message})
                continue
            print_error(PROGRAM, how)
            answer = fetched
        answers.append((name, answer))
        if not arguments.json:
            render_match(answer, name, console)
            render(answer, console)
    if arguments.json:
        document = {
            "answers": [answer_document(name, answer) for name, answer in answers],
            "errors": errors,
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
    on_demand.report_landings()
    return EXIT_FAILED if errors else EXIT_OK


def answer_document(query: str, answer: Answer) -> dict:
    """One answer as JSON: the query, the artist, how it was found, and its related
    artists with their tracks (docs/lookup.md shows the shape)."""
    return {"query": query, **asdict(answer)}


if __name__ == "__main__":
    sys.exit(main())
