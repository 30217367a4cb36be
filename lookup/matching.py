"""Which artist a typed name means: by id, by name, by folded name, by alias.

The order, first that finds someone wins:
1. an artist id, exactly;
2. artist names: every artist whose folded name equals the folded query (``lookup.names``),
   or, for a query that folds to nothing ("!!!"), whose name equals it exactly;
3. aliases (the seed ``artist_aliases``), the same way, each naming an artist by its exact
   name.
Several artists found: the one spelt exactly as typed first, then the one with most tracks,
then the smallest artist id; the others are listed with the answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from lookup.names import fold


@dataclass(frozen=True)
class Candidate:
    artist_id: str
    artist_name: str
    track_count: int


@dataclass(frozen=True)
class Match:
    """The artist chosen for a query, how it was found, and the others it could mean."""

    chosen: Candidate
    found_by: str  # "id", "name" or "alias"
    others: list[Candidate] = field(default_factory=list)
    alias: str | None = None


@dataclass
class NameIndex:
    """Every artist name and alias of a warehouse, exact and folded, read once."""

    by_id: dict[str, Candidate]
    by_name: dict[str, list[Candidate]]
    by_folded_name: dict[str, list[Candidate]]
    alias_names: dict[str, str]  # alias -> artist_name
    folded_alias_names: dict[str, list[tuple[str, str]]]  # folded alias -> (alias, name)

    @classmethod
    def build(
        cls,
        artists: Iterable[tuple[str, str, int, str]],
        aliases: Iterable[tuple[str, str, str]],
    ) -> NameIndex:
        """From (artist_id, artist_name, track_count, folded name) and (alias, folded alias,
        artist_name) rows; the folded forms are ``lookup.names.fold``'s, computed by whoever
        stored them (the serving file carries them, ``read`` folds here)."""
        index = cls({}, defaultdict(list), defaultdict(list), {}, defaultdict(list))
        for artist_id, artist_name, track_count, folded_name in artists:
            candidate = Candidate(artist_id, artist_name, int(track_count or 0))
            index.by_id[artist_id] = candidate
            index.by_name[artist_name].append(candidate)
            index.by_folded_name[folded_name].append(candidate)
        for alias, folded_alias, artist_name in aliases:
            index.alias_names[alias] = artist_name
            index.folded_alias_names[folded_alias].append((alias, artist_name))
        return index

    @classmethod
    def read(cls, connection: duckdb.DuckDBPyConnection) -> NameIndex:
        """Every artist of ``dim_artists`` and every alias of the seed, folded here."""
        rows = connection.execute(
            "select artist_id, artist_name, coalesce(track_count, 0) from dim_artists"
        ).fetchall()
        return cls.build(
            ((artist_id, name, count, fold(name)) for artist_id, name, count in rows),
            ((alias, fold(alias), name) for alias, name in read_aliases(connection)),
        )

    def match(self, query: str) -> Match | None:
        """The artist ``query`` (already trimmed) means, or None."""
        if query in self.by_id:
            return Match(self.by_id[query], "id")
        names = self.same_names(query)
        if names:
            return choose(query, names, "name")
        folded = fold(query)
        aliases = ([(query, self.alias_names[query])] if query in self.alias_names else []) or (
            self.folded_alias_names.get(folded, []) if folded else []
        )
        for alias, artist_name in sorted(aliases):
            named = self.same_names(artist_name)
            if named:
                match = choose(artist_name, named, "alias")
                return Match(match.chosen, "alias", match.others, alias)
        return None

    def same_names(self, query: str) -> list[Candidate]:
        folded = fold(query)
        if not folded:
            return list(self.by_name.get(query, []))
        return list(self.by_folded_name.get(folded, []))


def choose(query: str, candidates: list[Candidate], found_by: str) -> Match:
    ordered = sorted(
        candidates,
        key=lambda candidate: (
            candidate.artist_name != query,
            -candidate.track_count,
            candidate.artist_id,
        ),
    )
    return Match(ordered[0], found_by, ordered[1:])


def read_aliases(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The seed's (alias, artist_name) rows; none when the warehouse was built without it."""
    [(present,)] = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'main' and table_name = 'artist_aliases'"
    ).fetchall()
    if not present:
        return []
    return connection.execute("select alias, artist_name from artist_aliases").fetchall()
