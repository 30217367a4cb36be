"""How good are the related artists? Precision@k against the sample's playlist labels.

The TidyTuesday sample labels every row with a playlist genre (6 values) and subgenre (24);
the importer carries them into the lake (artists.genres, marked ``playlist_genre:`` and
``playlist_subgenre:``) and dim_artists gives each artist its majority label. For every
variant of the similarity options this script builds the marts with those vars, runs
``analyses/related_artists_precision.sql`` and prints, per variant:

- precision@k: the share of an artist's related artists that carry the artist's label;
- for every labelled artist and for artists with 5 or more tracks;
- on the tuning half and on the held-out half of a fixed hash split of the artists
  (macro evaluation_half): the variant with the best tuning-half genre precision for
  artists with 5+ tracks is the one to choose; its held-out figures are the honest ones;
- random: the precision that related artists drawn at random from the same candidates
  would have (the expectation, not a sample).

Then a few known artists with their related artists (and each one's track count and
genre) under the original method and under the project's defaults.

The labels are read only by the analysis: the similarity search never sees them.

    .venv/bin/python -m benchmarks.evaluate_quality            # every variant, ~2 minutes
    .venv/bin/python -m benchmarks.evaluate_quality --variants original,default
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import sys
from dataclasses import dataclass, field

import duckdb

from benchmarks.dbt_workspace import PROJECT_ROOT, DbtWorkspace
from benchmarks.similarity_methods import ORIGINAL_METHOD, project_similarity_vars
from extract.cli import main as extract_main
from extract.schemas import AUDIO_FEATURE_COLUMNS

PROGRAM = "evaluate_quality"
# The first model the similarity vars change; a variant rebuilds it and everything after it.
FIRST_VARIED_MODEL = "dim_similarity_features"
SAMPLE_PARQUET = PROJECT_ROOT / "data" / "tidytuesday" / "spotify_songs.parquet"
ANALYSIS = "related_artists_precision"
PARTITION = "2026-11-24"
KNOWN_ARTISTS = (
    "Queen",
    "BLACKPINK",
    "Daft Punk",
    "Ed Sheeran",
    "Metallica",
    "Drake",
    "Bad Bunny",
    "Taylor Swift",
)
SIX_FEATURES = list(ORIGINAL_METHOD["similarity_features"])
EIGHT_FEATURES = [*SIX_FEATURES, "valence", "tempo"]
ALL_FEATURES = list(AUDIO_FEATURE_COLUMNS)


def options(
    normalisation: str, distance: str, features: list[str], min_tracks: int
) -> dict[str, object]:
    return {
        "similarity_normalisation": normalisation,
        "similarity_distance": distance,
        "similarity_features": features,
        "min_related_track_count": min_tracks,
    }


def project_defaults() -> dict[str, object]:
    """The similarity vars as dbt_project.yml sets them (top_k aside: precision is @top_k)."""
    defaults = project_similarity_vars()
    defaults.pop("top_k")
    return defaults


ORIGINAL = options("min_max", "euclidean", SIX_FEATURES, 1)
VARIANTS: dict[str, dict[str, object]] = {
    "original": ORIGINAL,
    "z_score": options("z_score", "euclidean", SIX_FEATURES, 1),
    "cosine": options("min_max", "cosine", SIX_FEATURES, 1),
    "z_score+8": options("z_score", "euclidean", EIGHT_FEATURES, 1),
    "z_score+8 cosine": options("z_score", "cosine", EIGHT_FEATURES, 1),
    "z_score+8 min4": options("z_score", "euclidean", EIGHT_FEATURES, 4),
    "z_score+8 cosine min4": options("z_score", "cosine", EIGHT_FEATURES, 4),
    "z_score+8 min8": options("z_score", "euclidean", EIGHT_FEATURES, 8),
    "z_score+8 cosine min8": options("z_score", "cosine", EIGHT_FEATURES, 8),
    "z_score+8 cosine min12": options("z_score", "cosine", EIGHT_FEATURES, 12),
    "z_score+11 min8": options("z_score", "euclidean", ALL_FEATURES, 8),
    "min_max+8 min8": options("min_max", "euclidean", EIGHT_FEATURES, 8),
}


@dataclass
class VariantResult:
    """One variant's precision figures and its answers for the known artists."""

    name: str
    variables: dict[str, object]
    # (evaluation_half, label_kind, artist_subset) -> (artist_count, precision, random)
    figures: dict[tuple[str, str, str], tuple[int, float, float]] = field(default_factory=dict)
    known_artists: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)

    def precision(self, half: str, kind: str, subset: str) -> float:
        return self.figures[(half, kind, subset)][1]

    def random(self, half: str, kind: str, subset: str) -> float:
        return self.figures[(half, kind, subset)][2]


@dataclass(frozen=True)
class Warehouse(DbtWorkspace):
    """A lake of the committed sample and one DuckDB file, rebuilt per variant."""

    def dbt(self, *arguments: str, program: str = "evaluate_quality") -> str:
        return super().dbt(*arguments, "--quiet", program=program)

    def import_sample(self) -> None:
        arguments = ["dataset", str(SAMPLE_PARQUET), "--lake", str(self.lake), "--dt", PARTITION]
        if extract_main([*arguments, "--name", "tidytuesday"]) != 0:
            raise SystemExit("evaluate_quality: importing the committed sample failed")

    def analysis_sql(self) -> str:
        self.dbt("compile", "--select", ANALYSIS)
        path = self.root / "target" / "compiled" / "spotify_warehouse" / "analyses"
        return (path / f"{ANALYSIS}.sql").read_text()


def evaluate(
    warehouse: Warehouse, analysis_sql: str, name: str, variables: dict[str, object]
) -> VariantResult:
    """Build the marts with ``variables``, then measure them with ``analysis_sql``."""
    # What the similarity vars change, which every variant rebuilds: the normalisation
    # parameters (dim_similarity_features), dim_artists that reads them and the similarity
    # chain after it (not the answers' mart: it is not measured, and needs the seeds).
    warehouse.dbt(
        "run",
        "--select",
        f"{FIRST_VARIED_MODEL}+",
        "--exclude",
        "fct_artist_recommendations",
        "--vars",
        json.dumps(variables),
    )
    result = VariantResult(name, variables)
    with duckdb.connect(str(warehouse.database), read_only=True) as connection:
        check_built_with(connection, name, variables)
        for half, kind, subset, count, precision, random in connection.execute(
            analysis_sql
        ).fetchall():
            result.figures[(half, kind, subset)] = (count, precision, random)
        for artist_name in KNOWN_ARTISTS:
            result.known_artists[artist_name] = connection.execute(
                """
                select related.artist_name, related.track_count, related.playlist_genre
                from dim_artists as artist
                inner join fct_related_artists as pairs on artist.artist_id = pairs.artist_id
                inner join dim_artists as related on pairs.related_artist_id = related.artist_id
                where artist.artist_name = ?
                order by pairs.similarity_rank
                """,
                [artist_name],
            ).fetchall()
    return result


def check_built_with(
    connection: duckdb.DuckDBPyConnection, name: str, variables: dict[str, object]
) -> None:
    """Stop unless the marts were built with ``variables``: dim_similarity_features records
    the similarity vars of its build (a variant measured on another's parameters would
    print plausible, wrong figures)."""
    [(features, normalisation, distance, min_tracks)] = connection.execute(
        """
        select
            list(feature_name order by feature_position),
            any_value(similarity_normalisation),
            any_value(similarity_distance),
            any_value(min_related_track_count)
        from dim_similarity_features
        """
    ).fetchall()
    built = {
        "similarity_features": features,
        "similarity_normalisation": normalisation,
        "similarity_distance": distance,
        "min_related_track_count": min_tracks,
    }
    wanted = {key: variables[key] for key in built}
    if built != wanted:
        raise SystemExit(f"{PROGRAM}: variant {name} was built with {built}, not {wanted}")


def precision_table(results: list[VariantResult], chosen: str) -> str:
    """One row per variant: tuning-half figure used to choose, then held-out figures."""
    lines = [
        "| variant | tuning: genre, 5+ tracks | held-out: genre, all | held-out: genre, 5+ "
        "tracks | held-out: subgenre, all | held-out: subgenre, 5+ tracks |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        mark = " **(chosen)**" if result.name == chosen else ""
        lines.append(
            f"| {result.name}{mark} "
            f"| {result.precision('tuning', 'playlist_genre', '5+ tracks'):.3f} "
            f"| {result.precision('held_out', 'playlist_genre', 'all'):.3f} "
            f"| {result.precision('held_out', 'playlist_genre', '5+ tracks'):.3f} "
            f"| {result.precision('held_out', 'playlist_subgenre', 'all'):.3f} "
            f"| {result.precision('held_out', 'playlist_subgenre', '5+ tracks'):.3f} |"
        )
    first = results[0]
    lines.append(
        f"| random related artists ({first.name}'s candidates) "
        f"| {first.random('tuning', 'playlist_genre', '5+ tracks'):.3f} "
        f"| {first.random('held_out', 'playlist_genre', 'all'):.3f} "
        f"| {first.random('held_out', 'playlist_genre', '5+ tracks'):.3f} "
        f"| {first.random('held_out', 'playlist_subgenre', 'all'):.3f} "
        f"| {first.random('held_out', 'playlist_subgenre', '5+ tracks'):.3f} |"
    )
    counts = {
        subset: first.figures[("held_out", "playlist_genre", subset)][0]
        for subset in ("all", "5+ tracks")
    }
    lines.append("")
    lines.append(
        f"Held-out half: {counts['all']:,} labelled artists, {counts['5+ tracks']:,} with 5+ "
        "tracks. Random = the expected precision of related artists drawn uniformly from "
        "the same variant's candidates."
    )
    return "\n".join(lines)


def known_artists_table(before: VariantResult, after: VariantResult) -> str:
    def answer(pairs: list[tuple[str, int, str]]) -> str:
        return "; ".join(f"{name} ({tracks}, {genre})" for name, tracks, genre in pairs) or "-"

    lines = [
        f"| artist | {before.name} | {after.name} |",
        "|---|---|---|",
    ]
    for artist_name in KNOWN_ARTISTS:
        lines.append(
            f"| {artist_name} | {answer(before.known_artists[artist_name])} "
            f"| {answer(after.known_artists[artist_name])} |"
        )
    lines.append("")
    lines.append("Each related artist: (tracks in its profile, its majority playlist genre).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--variants",
        default=",".join(["default", *VARIANTS]),
        help="comma-separated variant names (default: all); 'default' = dbt_project.yml",
    )
    parser.add_argument("--work", default="/tmp/related-artists-quality", help="work folder")
    parser.add_argument("--output", default=None, help="also write the report to this file")
    arguments = parser.parse_args(argv)
    variants = {"default": project_defaults(), **VARIANTS}
    names = [name.strip() for name in arguments.variants.split(",") if name.strip()]
    unknown = [name for name in names if name not in variants]
    if unknown:
        print(
            f"evaluate_quality: unknown variant {', '.join(unknown)}; "
            f"choose from {', '.join(variants)}",
            file=sys.stderr,
        )
        return 2
    if "original" not in names:
        names.insert(0, "original")

    root = pathlib.Path(arguments.work)
    shutil.rmtree(root, ignore_errors=True)
    warehouse = Warehouse(root=root, lake=root / "lake")
    warehouse.write_profiles()
    warehouse.import_sample()
    # Everything the variants share: staging, the profiles, the grid's levels.
    warehouse.dbt("run", "--exclude", f"{FIRST_VARIED_MODEL}+", "fct_artist_tracks")
    analysis_sql = warehouse.analysis_sql()

    results = []
    for index, name in enumerate(names, start=1):
        print(f"[{PROGRAM}] {index}/{len(names)} {name}", file=sys.stderr, flush=True)
        results.append(evaluate(warehouse, analysis_sql, name, variants[name]))
    by_name = {result.name: result for result in results}
    # Among the variants run, including the defaults (the first best wins a tie). Rounded:
    # DuckDB's parallel avg() may differ in the last bits between two builds of the same
    # vars (default and "z_score+8 cosine min8"), which would pick either at random.
    chosen = max(
        results,
        key=lambda r: round(r.precision("tuning", "playlist_genre", "5+ tracks"), 9),
    )
    defaults = project_defaults()
    matches = chosen.variables == defaults
    report = "\n\n".join(
        [
            "## Precision@3 by variant (choose on the tuning half, report the held-out half)",
            precision_table(results, chosen.name),
            f"Best on the tuning half: **{chosen.name}** ({json.dumps(chosen.variables)}). "
            + (
                "The project's defaults (dbt_project.yml) are this variant."
                if matches
                else f"The project's defaults differ: {json.dumps(defaults)}."
            ),
            "## Known artists: the original method and the project's defaults",
            known_artists_table(
                by_name["original"],
                by_name.get("default") or evaluate(warehouse, analysis_sql, "default", defaults),
            ),
        ]
    )
    print(report)
    if arguments.output:
        pathlib.Path(arguments.output).write_text(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
