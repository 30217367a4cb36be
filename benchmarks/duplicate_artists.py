"""Duplicate artists in a built warehouse: artists of dim_artists with identical profiles.

Two artists are duplicates when their track counts and every averaged audio feature of
dim_artists (the columns with a ``_normalised`` twin) are equal. ``duplicate_statistics``
counts such pairs and how fct_related_artists relates them (at distance exactly 0.0, at
another distance, or not at all where the list had room); ``copy_pairs`` counts the pairs
the lake generator made on purpose.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

import duckdb
import numpy as np


@dataclass
class DuplicateStatistics:
    """Pairs of artists with identical audio profiles, and how the mart relates them."""

    pairs: int  # unordered pairs of artists whose averaged audio features are all equal
    relatable_pairs: int  # ... of which at least one is recommendable (can be found)
    related_at_zero: int  # ... related (either way) at distance exactly 0.0
    related_elsewhere: int  # ... related at any other distance (a bug)
    missed: int  # a recommendable twin absent from a list that has a non-zero distance


# The five counts of DuplicateStatistics, in order. Placeholders: {in_space} and
# {recommendable} (boolean expressions over dim_artists), {features} (the averaged feature
# columns) and {same_profile} (the join condition of two identical profiles a and b).
DUPLICATE_STATISTICS_SQL = """
with profiles as (
    select
        artist_id,
        {in_space} and {recommendable} as recommendable,
        track_count,
        {features}
    from dim_artists
    where has_audio_features
),

pairs as (
    select
        a.artist_id as first_id,
        b.artist_id as second_id,
        a.recommendable as first_recommendable,
        b.recommendable as second_recommendable
    from profiles as a
    inner join profiles as b
        on a.artist_id < b.artist_id and {same_profile}
),

links as (
    select
        pairs.first_id,
        pairs.second_id,
        bool_or(related.distance = 0.0) as at_zero,
        bool_or(related.distance <> 0.0) as elsewhere
    from pairs
    inner join fct_related_artists as related
        on
            (related.artist_id = pairs.first_id
             and related.related_artist_id = pairs.second_id)
            or (related.artist_id = pairs.second_id
                and related.related_artist_id = pairs.first_id)
    group by pairs.first_id, pairs.second_id
),

room as (
    -- Artists whose list has room for another artist at distance 0.
    select artist_id
    from fct_related_artists
    group by artist_id
    having max(distance) > 0.0
),

directed as (
    select first_id as artist_id, second_id as twin_id, second_recommendable
    from pairs
    union all
    select second_id, first_id, first_recommendable
    from pairs
),

missed as (
    select count(*) as missed
    from directed
    inner join room on directed.artist_id = room.artist_id
    where
        directed.second_recommendable
        and not exists (
            select 1
            from fct_related_artists as related
            where
                related.artist_id = directed.artist_id
                and related.related_artist_id = directed.twin_id
        )
)

select
    (select count(*) from pairs),
    (select count(*) from pairs where first_recommendable or second_recommendable),
    (select count(*) from links where at_zero),
    (select count(*) from links where elsewhere),
    (select missed from missed)
"""


def duplicate_statistics(database: pathlib.Path) -> DuplicateStatistics:
    """Duplicates in a built warehouse: artists of dim_artists with identical profiles."""
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = [row[0] for row in connection.execute("describe dim_artists").fetchall()]
        [row] = connection.execute(duplicate_statistics_sql(columns)).fetchall()
    return DuplicateStatistics(*[int(value) for value in row])


def duplicate_statistics_sql(columns: list[str]) -> str:
    """DUPLICATE_STATISTICS_SQL for a dim_artists with ``columns`` (older models lack some)."""
    features = [name for name in columns if f"{name}_normalised" in columns]
    # Models before is_recommendable: everybody with audio features may be found.
    recommendable = "is_recommendable" if "is_recommendable" in columns else "true"
    in_space = (
        "has_similarity_vector" if "has_similarity_vector" in columns else "has_audio_features"
    )
    same_profile = " and ".join(f"a.{name} = b.{name}" for name in ["track_count", *features])
    return DUPLICATE_STATISTICS_SQL.format(
        in_space=in_space,
        recommendable=recommendable,
        features=", ".join(features),
        same_profile=same_profile,
    )


def copy_pairs(sources: dict[int, int]) -> int:
    """Unordered pairs of identical artists that {copy: original} makes: each original and
    its copies form a group of identical artists."""
    group_sizes = np.bincount(np.array(list(sources.values()), dtype=np.int64)) + 1
    group_sizes = group_sizes[group_sizes > 1]
    return int((group_sizes * (group_sizes - 1) // 2).sum())
