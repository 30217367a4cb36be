"""Answers from the recommendations: a typed name -> its artist, related artists and tracks.

One ``ServingIndex`` holds the rows of ``fct_artist_recommendations`` (from the DuckDB
warehouse for the command line, from the serving file for the skill server and the
serverless handler, ``lookup/serving_file.py``) with the names read once into a
``NameIndex`` (``lookup/matching.py``). A name that matches nobody gets the closest names,
computed in SQL by an in-memory DuckDB over the names (Jaro-Winkler, ignoring case and
accents). Safe to share between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import duckdb
import pyarrow as pa

from lookup.answer import Answer, ArtistLookupError, RelatedArtist, Track
from lookup.matching import NameIndex
from lookup.names import QueryRejected, checked_query
from lookup.serving_file import (
    MART,
    NAME_COLUMNS,
    most_related,
    read_serving_file,
    warehouse_recommendations,
    with_folded_names,
)

SUGGESTION_COUNT = 3
CLOSEST_NAMES = """
    select artist_name
    from artist_names
    order by jaro_winkler_similarity(comparable_name, lower(strip_accents($name))) desc, artist_name
    limit $limit
"""


# The related artists of one artist id, as the mart stores them (a list of dicts).
RelatedOf = Callable[[str], list[dict]]


class ServingIndex:
    """The recommendations of one build: names indexed once, related artists on request.

    ``names`` holds the mart's NAME_COLUMNS with their folded forms; ``related_of`` gives an
    artist's related artists (from the serving file's table in memory, or one query of the
    warehouse); ``top_k`` is how many the build keeps per artist.
    """

    def __init__(self, names: pa.Table, related_of: RelatedOf, top_k: int) -> None:
        self.related_of = related_of
        self.top_k = top_k
        artist_ids = names["artist_id"].to_pylist()
        artist_names = names["artist_name"].to_pylist()
        self.answerable = {
            artist_id: (has_features, has_vector)
            for artist_id, has_features, has_vector in zip(
                artist_ids,
                names["has_audio_features"].to_pylist(),
                names["has_similarity_vector"].to_pylist(),
                strict=True,
            )
        }
        aliases = (
            (alias, folded, name)
            for name, typed, folds in zip(
                artist_names,
                names["aliases"].to_pylist(),
                names["folded_aliases"].to_pylist(),
                strict=True,
            )
            for alias, folded in zip(typed or [], folds or [], strict=True)
        )
        self.names = NameIndex.build(
            zip(
                artist_ids,
                artist_names,
                names["track_count"].to_pylist(),
                names["folded_name"].to_pylist(),
                strict=True,
            ),
            aliases,
        )
        self.database = duckdb.connect()
        self.database.register("served_names", names.select(["artist_name"]))
        self.database.execute(
            "create table artist_names as select artist_name, "
            "lower(strip_accents(artist_name)) as comparable_name from served_names"
        )
        self.database.unregister("served_names")
        self.cursors = threading.local()

    @classmethod
    def from_table(cls, table: pa.Table) -> ServingIndex:
        """From the serving file's table (every column in memory)."""
        row_of = {artist_id: row for row, artist_id in enumerate(table["artist_id"].to_pylist())}
        related = table["related_artists"]
        return cls(
            table.drop_columns(["related_artists"]),
            lambda artist_id: related[row_of[artist_id]].as_py() or [],
            most_related(table),
        )

    @classmethod
    def from_file(cls, uri: str) -> ServingIndex:
        return cls.from_table(read_serving_file(uri))

    @classmethod
    def from_warehouse(cls, connection: duckdb.DuckDBPyConnection) -> ServingIndex:
        """From the DuckDB warehouse: the names read now, each artist's related artists
        when asked for (``connection`` must stay open while answering)."""
        names = with_folded_names(warehouse_recommendations(connection, NAME_COLUMNS))
        [(top_k,)] = connection.execute(
            f"select coalesce(max(len(related_artists)), 0) from {MART}"
        ).fetchall()

        def related_of(artist_id: str) -> list[dict]:
            rows = connection.execute(
                f"select related_artists from {MART} where artist_id = $artist_id",
                {"artist_id": artist_id},
            ).fetchall()
            return (rows[0][0] if rows else None) or []

        return cls(names, related_of, int(top_k))

    @property
    def artist_count(self) -> int:
        return len(self.answerable)

    def answer(self, typed: str, tracks_per_artist: int = 3, k: int | None = None) -> Answer:
        """The answer for the artist ``typed`` means, its ``k`` nearest (default all kept)
        with ``tracks_per_artist`` tracks each; an ArtistLookupError says why there is none
        (with suggestions when the name matched nobody)."""
        if tracks_per_artist < 0:
            raise ValueError(f"tracks_per_artist must be 0 or more, got {tracks_per_artist}")
        try:
            query = checked_query(typed)
        except QueryRejected as error:
            raise ArtistLookupError(str(error)) from error
        match = self.names.match(query)
        if match is None:
            suggestions = self.closest_names(query)
            raise ArtistLookupError(
                f"no artist named {query!r} in the warehouse (closest: {', '.join(suggestions)})",
                suggestions,
            )
        has_features, has_vector = self.answerable[match.chosen.artist_id]
        name = match.chosen.artist_name
        if not has_features:
            raise ArtistLookupError(
                f"{name} has no tracks with audio features, so no related artists"
            )
        if not has_vector:
            raise ArtistLookupError(
                f"{name}'s standardised sound profile is all zeros, which has no "
                "direction under the cosine distance, so no related artists"
            )
        related = self.related_of(match.chosen.artist_id)
        return Answer(
            match.chosen.artist_id,
            name,
            match.chosen.track_count,
            [related_artist(item, tracks_per_artist) for item in related[:k]],
            match.found_by,
            match.alias,
            match.others,
        )

    def closest_names(self, query: str, limit: int = SUGGESTION_COUNT) -> list[str]:
        """The ``limit`` artist names closest to ``query``, for a "did you mean"."""
        cursor = getattr(self.cursors, "cursor", None)
        if cursor is None:  # one cursor a thread: the server's threads ask side by side
            cursor = self.cursors.cursor = self.database.cursor()
        rows = cursor.execute(CLOSEST_NAMES, {"name": query, "limit": limit}).fetchall()
        return [row[0] for row in rows]


def related_artist(item: dict, tracks_per_artist: int) -> RelatedArtist:
    return RelatedArtist(
        similarity_rank=item["similarity_rank"],
        artist_id=item["artist_id"],
        artist_name=item["artist_name"],
        distance=item["distance"],
        similarity_score=item["similarity_score"],
        tracks=[
            Track(
                track["track_name"],
                track["album_name"],
                track["release_date"],
                track["spotify_url"],
            )
            for track in (item["tracks"] or [])[:tracks_per_artist]
        ],
    )
