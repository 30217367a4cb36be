"""The names the skill benchmarks ask for: a seeded mix of how people type an artist.

Drawn from the artists of a warehouse (its mart ``fct_artist_recommendations``) or of a
serving file (the same rows), in the shares of ``DEFAULT_MIX``:

- ``exact``: an artist's name as stored (``Daft Punk``);
- ``folded``: the name as typed without care, lower-cased, upper-cased, accents stripped or
  spaces dropped (``daft punk``, ``Beyonce``, ``DaftPunk``): it folds (``lookup.names.fold``)
  to the stored name's form, so it is found by name, through the folded index;
- ``alias``: one of the artist's aliases (the seed ``artist_aliases``, e.g. ``블랙핑크``);
- ``misspelt``: the name with one typing slip (two letters swapped, one dropped, doubled or
  replaced) that matches no artist nor alias: the "did you mean" path, the closest names by
  Jaro-Winkler over every name;
- ``unknown``: a made-up name matching nobody (the same "did you mean" path).

``exact``, ``folded`` and ``alias`` expect an answer (related artists), ``misspelt`` and
``unknown`` a "not found" with suggestions. Artists are drawn uniformly with replacement;
with no aliases in the data, the alias share is drawn as exact names instead.
"""

from __future__ import annotations

import random
import string
import unicodedata
from collections import Counter
from dataclasses import dataclass

import duckdb
import pyarrow.parquet as pq

from lookup.names import checked_query, fold
from lookup.serving_file import MART

# Shares of each kind of name, summing to 1.
DEFAULT_MIX = {"exact": 0.50, "folded": 0.20, "alias": 0.10, "misspelt": 0.15, "unknown": 0.05}
ANSWERED_KINDS = ("exact", "folded", "alias")
FUZZY_KINDS = ("misspelt", "unknown")
DEFAULT_SEED = 20261201
SYLLABLES = ("ka", "zu", "ri", "mo", "te", "la", "vin", "dor", "quo", "brel")
SYLLABLES += ("sha", "nix", "tal", "po", "gru", "fen", "yas", "od", "lum", "cor")


@dataclass(frozen=True)
class Artist:
    artist_name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class AskedName:
    kind: str  # a key of DEFAULT_MIX
    text: str

    @property
    def expects_answer(self) -> bool:
        return self.kind in ANSWERED_KINDS


def artists_from_serving_file(path: str) -> list[Artist]:
    """Every artist of a serving file (``spotify-related export``), in the file's order."""
    table = pq.read_table(path, columns=["artist_name", "aliases"])
    return [
        Artist(name, tuple(aliases or []))
        for name, aliases in zip(
            table["artist_name"].to_pylist(), table["aliases"].to_pylist(), strict=True
        )
    ]


def artists_from_warehouse(database_path: str) -> list[Artist]:
    """Every artist of the DuckDB warehouse's mart, ordered by artist_id (the file's order)."""
    with duckdb.connect(database_path, read_only=True) as connection:
        rows = connection.execute(
            f"select artist_name, aliases from {MART} order by artist_id"
        ).fetchall()
    return [Artist(name, tuple(aliases or [])) for name, aliases in rows]


def parse_mix(text: str) -> dict[str, float]:
    """``exact=0.5,folded=0.2,...`` (any subset of the kinds, normalised to sum to 1)."""
    shares = {}
    for part in text.split(","):
        kind, _, value = part.partition("=")
        kind = kind.strip()
        if kind not in DEFAULT_MIX:
            raise ValueError(f"unknown kind of name {kind!r}: one of {', '.join(DEFAULT_MIX)}")
        shares[kind] = float(value)
    total = sum(shares.values())
    if total <= 0 or any(share < 0 for share in shares.values()):
        raise ValueError(f"the shares must be 0 or more and not all 0: {text!r}")
    return {kind: share / total for kind, share in shares.items()}


def describe_mix(mix: dict[str, float]) -> str:
    """``50% exact, 20% folded, ...``."""
    return ", ".join(f"{share:.0%} {kind}" for kind, share in mix.items() if share > 0)


def draw_names(
    artists: list[Artist],
    count: int,
    seed: int = DEFAULT_SEED,
    mix: dict[str, float] | None = None,
) -> list[AskedName]:
    """``count`` names in ``mix``'s shares (the counts rounded, the order shuffled), the
    same for the same artists and seed."""
    mix = mix or DEFAULT_MIX
    rng = random.Random(seed)
    drawer = NameDrawer(artists, rng)
    kinds = kind_counts(mix, count)
    names = [drawer.draw(kind) for kind, number in kinds.items() for _ in range(number)]
    rng.shuffle(names)
    return names


def kind_counts(mix: dict[str, float], count: int) -> dict[str, int]:
    """How many names of each kind: the shares of ``count``, rounded by largest remainder."""
    exact = {kind: share * count for kind, share in mix.items()}
    counts = {kind: int(value) for kind, value in exact.items()}
    by_remainder = sorted(exact, key=lambda kind: exact[kind] - counts[kind], reverse=True)
    for kind in by_remainder[: count - sum(counts.values())]:
        counts[kind] += 1
    return counts


def count_kinds(names: list[AskedName]) -> dict[str, int]:
    """How many names of each kind, in DEFAULT_MIX's order."""
    counts = Counter(name.kind for name in names)
    return {kind: counts[kind] for kind in DEFAULT_MIX if counts[kind]}


class NameDrawer:
    """Draws one name of a kind at a time from ``artists`` (see the module docstring)."""

    def __init__(self, artists: list[Artist], rng: random.Random) -> None:
        if not artists:
            raise ValueError("no artists to draw names from")
        self.rng = rng
        self.artists = artists
        # Names that fold to nothing ("!!!") match only exactly: not used for variants.
        self.foldable = [artist for artist in artists if fold(artist.artist_name)]
        self.aliased = [artist for artist in artists if artist.aliases]
        self.known = {fold(artist.artist_name) for artist in artists} | {
            fold(alias) for artist in artists for alias in artist.aliases
        }

    def draw(self, kind: str) -> AskedName:
        if kind == "alias" and not self.aliased:
            kind = "exact"
        return AskedName(kind, getattr(self, kind)())

    def exact(self) -> str:
        return self.rng.choice(self.artists).artist_name

    def alias(self) -> str:
        return self.rng.choice(self.rng.choice(self.aliased).aliases)

    def folded(self) -> str:
        for _ in range(100):
            name = self.rng.choice(self.foldable).artist_name
            variants = {variant for variant in folded_variants(name) if variant != name}
            if variants:
                return self.rng.choice(sorted(variants))
        return self.rng.choice(self.foldable).artist_name.lower()

    def misspelt(self) -> str:
        for _ in range(1000):
            name = self.rng.choice(self.foldable).artist_name
            slipped = with_typo(name, self.rng)
            if slipped and self.unmatched(slipped):
                return slipped
        raise ValueError("could not misspell a name so that it matches nobody")

    def unknown(self) -> str:
        for _ in range(1000):
            words = [
                "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3)))
                for _ in range(self.rng.randint(1, 2))
            ]
            made_up = " ".join(word.capitalize() for word in words)
            if self.unmatched(made_up):
                return made_up
        raise ValueError("could not make up a name that matches nobody")

    def unmatched(self, text: str) -> bool:
        """``text`` is a valid query that folds to no artist's name nor alias."""
        try:
            checked_query(text)
        except ValueError:
            return False
        folded = fold(text)
        return bool(folded) and folded not in self.known


def folded_variants(name: str) -> list[str]:
    """Ways of typing ``name`` that fold to the same form (lookup.names.fold)."""
    stripped = "".join(
        char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char)
    )
    candidates = [name.lower(), name.upper(), stripped, stripped.lower(), name.replace(" ", "")]
    return [text for text in candidates if text.strip() and fold(text) == fold(name)]


def with_typo(name: str, rng: random.Random) -> str | None:
    """``name`` with one slip at a letter: swapped with the next, dropped, doubled or
    replaced by a lower-case letter; None for a name too short to misspell."""
    letters = [index for index, char in enumerate(name) if char.isalpha()]
    if len(letters) < 4:
        return None
    index = rng.choice(letters[:-1])
    slip = rng.choice(("swap", "drop", "double", "replace"))
    if slip == "swap":
        return name[:index] + name[index + 1] + name[index] + name[index + 2 :]
    if slip == "drop":
        return name[:index] + name[index + 1 :]
    if slip == "double":
        return name[:index] + name[index] + name[index:]
    return name[:index] + rng.choice(string.ascii_lowercase) + name[index + 1 :]
