"""An artist the warehouse does not have, placed among the artists it has, as a build would.

Three steps, each the warehouse's own:

1. ``profile_from_rows``: the artist's average audio features from its ``top_tracks`` and
   ``audio_features`` rows (the lake contract), as staging and
   ``int_artists_audio_profiled`` compute them: one row per track, only tracks whose every
   audio feature is present and within its documented range count, averages from exact
   decimal sums (the same SQL, on an in-memory DuckDB, so the same bits as a build).
2. ``normalised_vector``: the profile standardised with the warehouse's stored parameters
   (``dim_similarity_features``: each feature's min, max, mean and population standard
   deviation, the bounds of the map into the unit cube, and the options the warehouse was
   built with), made unit-length under cosine and mapped into the cube, as ``dim_artists``
   does. The parameters are not moved by the new artist: that is what a rebuild does.
3. ``nearest_artists``: an exact search among the warehouse's recommendable artists, the
   distance of the ``euclidean_distance`` macro (squared differences summed in
   ``similarity_features`` order, then the square root), ties broken by artist id, as
   ``fct_related_artists``.

Everything is read from the DuckDB connection given: ``dim_similarity_features`` (every
column), ``dim_artists`` (``artist_id``, ``artist_name``, ``is_recommendable`` and the
``<feature>_normalised`` columns). Nothing here talks to Spotify or writes anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

# The documented range of each audio feature, in the warehouse's order: the macro
# audio_feature_ranges (macros/audio_features/audio_feature_ranges.sql), which staging flags
# values outside of. tests/python/test_on_demand.py checks the two agree.
AUDIO_FEATURE_RANGES: dict[str, tuple[float, float]] = {
    "danceability": (0, 1),
    "energy": (0, 1),
    "key": (-1, 11),
    "loudness": (-60, 5),
    "mode": (0, 1),
    "speechiness": (0, 1),
    "acousticness": (0, 1),
    "instrumentalness": (0, 1),
    "liveness": (0, 1),
    "valence": (0, 1),
    "tempo": (0, 300),
}
PARAMETERS_MART = "dim_similarity_features"


class WarehouseParametersError(Exception):
    """The warehouse has no usable normalisation parameters (an older or empty build)."""


@dataclass(frozen=True)
class FeatureStatistics:
    """One similarity feature's statistics over the warehouse's profiled artists."""

    name: str
    min_value: float
    max_value: float
    mean_value: float
    standard_deviation: float


@dataclass(frozen=True)
class SimilarityParameters:
    """How the warehouse places an artist: one row of dim_similarity_features per feature."""

    features: tuple[FeatureStatistics, ...]  # in similarity_features order
    normalisation: str  # z_score or min_max
    distance: str  # cosine or euclidean
    min_related_track_count: int
    top_k: int
    coordinate_min: float
    coordinate_max: float

    @property
    def feature_names(self) -> list[str]:
        return [feature.name for feature in self.features]


@dataclass(frozen=True)
class ArtistProfile:
    """An artist's sound: how many tracks shaped it and every audio feature's average."""

    track_count: int
    features: dict[str, float]


@dataclass(frozen=True)
class Neighbour:
    """One of the warehouse's artists near the new one."""

    artist_id: str
    artist_name: str
    distance: float
    similarity_score: float


def read_similarity_parameters(connection: duckdb.DuckDBPyConnection) -> SimilarityParameters:
    """The warehouse's parameters from dim_similarity_features; WarehouseParametersError if
    the mart is missing (a build older than it) or empty (no artist has a profile)."""
    try:
        rows = connection.execute(
            f"""
            select
                feature_name,
                min_value,
                max_value,
                mean_value,
                standard_deviation,
                similarity_normalisation,
                similarity_distance,
                min_related_track_count,
                top_k,
                coordinate_min,
                coordinate_max
            from {PARAMETERS_MART}
            order by feature_position
            """
        ).fetchall()
    except duckdb.CatalogException:
        raise WarehouseParametersError(
            f"the warehouse has no {PARAMETERS_MART}: rebuild it (dbt build)"
        ) from None
    if not rows:
        raise WarehouseParametersError(f"{PARAMETERS_MART} is empty: no artist has a profile")
    unknown = [row[0] for row in rows if row[0] not in AUDIO_FEATURE_RANGES]
    if unknown:
        raise WarehouseParametersError(f"{PARAMETERS_MART} names unknown features: {unknown}")
    first = rows[0]
    return SimilarityParameters(
        features=tuple(FeatureStatistics(*row[:5]) for row in rows),
        normalisation=first[5],
        distance=first[6],
        min_related_track_count=first[7],
        top_k=first[8],
        coordinate_min=first[9],
        coordinate_max=first[10],
    )


def exact_average(column: str) -> str:
    """The macro exact_average: a sum of exact decimals, converted to double once."""
    return (
        f"cast(sum(cast({column} as decimal(38, 18))) as double) / cast(count({column}) as double)"
    )


def profile_sql() -> str:
    """Staging and int_artists_audio_profiled for one artist's fetched rows: the tracks
    (one row each), their latest features, only valid ones, averaged exactly."""
    features = list(AUDIO_FEATURE_RANGES)
    casts = ",\n".join(f"cast({name} as double) as {name}" for name in features)
    valid = "\n and ".join(
        f"{name} is not null and {name} >= {low} and {name} <= {high}"
        for name, (low, high) in AUDIO_FEATURE_RANGES.items()
    )
    averages = ",\n".join(f"{exact_average(name)} as {name}" for name in features)
    return f"""
        with tracks as (
            select distinct cast(track_id as varchar) as track_id
            from fetched_top_tracks
            where artist_id is not null and track_id is not null
        ),
        features as (
            select
                cast(track_id as varchar) as track_id,
                {casts},
                row_number() over (
                    partition by track_id order by extracted_at desc, source asc
                ) as recency_rank
            from fetched_audio_features
            where track_id is not null
        ),
        valid_features as (
            select * from features where recency_rank = 1 and {valid}
        )
        select count(*) as track_count, {averages}
        from tracks
        inner join valid_features on tracks.track_id = valid_features.track_id
    """


def profile_from_rows(top_tracks: pa.Table, audio_features: pa.Table) -> ArtistProfile | None:
    """The profile of one artist from its lake rows (``top_tracks`` of that artist only);
    None when none of its tracks has valid audio features."""
    with duckdb.connect() as connection:
        connection.register("fetched_top_tracks", top_tracks)
        connection.register("fetched_audio_features", audio_features)
        cursor = connection.execute(profile_sql())
        names = [column[0] for column in cursor.description]
        row = cursor.fetchone()
    values = dict(zip(names, row, strict=True))
    track_count = values.pop("track_count")
    if not track_count:
        return None
    return ArtistProfile(track_count=int(track_count), features=values)


def standardised_feature(value: float, statistics: FeatureStatistics, normalisation: str) -> float:
    """The macro standardised_feature: a feature that does not vary is 0 for everyone."""
    if normalisation == "z_score":
        spread = statistics.standard_deviation
        return (value - statistics.mean_value) / spread if spread != 0 else 0.0
    spread = statistics.max_value - statistics.min_value
    return (value - statistics.min_value) / spread if spread != 0 else 0.0


def normalised_vector(
    profile: ArtistProfile, parameters: SimilarityParameters
) -> tuple[float, ...] | None:
    """The profile in the warehouse's search space (dim_artists' ``<feature>_normalised``,
    in similarity_features order); None under cosine for a vector of all zeros (it has no
    direction). Coordinates may fall outside [0, 1]: the new artist may lie outside the
    warehouse's bounds, which do not move for it."""
    standardised = [
        standardised_feature(profile.features[feature.name], feature, parameters.normalisation)
        for feature in parameters.features
    ]
    if parameters.distance == "cosine":
        squares = standardised[0] * standardised[0]
        for value in standardised[1:]:
            squares = squares + value * value
        length = math.sqrt(squares)
        if length == 0:
            return None
        return tuple((value / length + 1.0) / 2.0 for value in standardised)
    spread = parameters.coordinate_max - parameters.coordinate_min
    return tuple(
        (value - parameters.coordinate_min) / spread if spread != 0 else 0.0
        for value in standardised
    )


def similarity_score(distance: float, parameters: SimilarityParameters) -> float:
    """The macro similarity_score: 1 - d^2 under cosine, 1 - d / sqrt(n) under Euclidean."""
    if parameters.distance == "cosine":
        return max(0.0, 1.0 - distance * distance)
    return max(0.0, 1.0 - distance / math.sqrt(float(len(parameters.features))))


def nearest_artists(
    connection: duckdb.DuckDBPyConnection,
    vector: Sequence[float],
    parameters: SimilarityParameters,
    k: int,
    exclude_artist_id: str | None = None,
) -> list[Neighbour]:
    """The ``k`` recommendable artists of dim_artists nearest to ``vector``, nearest first,
    ties by artist id; never ``exclude_artist_id`` (the artist itself, if the warehouse
    already has it under another name)."""
    names = parameters.feature_names
    if len(vector) != len(names):
        raise ValueError(f"a vector of {len(names)} coordinates expected, got {len(vector)}")
    differences = [
        f"($coordinate_{position} - {name}_normalised)" for position, name in enumerate(names)
    ]
    squares = " + ".join(f"{difference} * {difference}" for difference in differences)
    rows = connection.execute(
        f"""
        select artist_id, artist_name, sqrt({squares}) as distance
        from dim_artists
        where is_recommendable and artist_id is distinct from $exclude_artist_id
        order by distance asc, artist_id asc
        limit $k
        """,
        {
            **{f"coordinate_{position}": value for position, value in enumerate(vector)},
            "exclude_artist_id": exclude_artist_id,
            "k": k,
        },
    ).fetchall()
    return [
        Neighbour(artist_id, artist_name, distance, similarity_score(distance, parameters))
        for artist_id, artist_name, distance in rows
    ]
