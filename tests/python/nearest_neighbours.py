"""An independent exact k-nearest-neighbours computation to check the mart against.

Brute force in numpy over the same normalised vectors the mart reads from dim_artists.
Squared differences are summed in feature order and then square-rooted, as the SQL does, so
equal distances are bit-for-bit equal on both sides and ties break the same way (distance,
then related_artist_id).
"""

from __future__ import annotations

import pathlib

import duckdb
import numpy as np


def exact_nearest_neighbours(
    artist_ids: list[str],
    vectors: np.ndarray,
    top_k: int,
    candidates: np.ndarray | None = None,
    chunk_rows: int = 512,
) -> dict[str, list[tuple[str, float]]]:
    """Each artist's ``top_k`` nearest other candidates as ``[(related_id, distance), ...]``.

    ``candidates`` (booleans, one per artist; default: everybody) says who may be found as a
    neighbour; every artist gets neighbours. With fewer than ``top_k`` other candidates an
    artist gets all of them.
    """
    order = np.argsort(np.array(artist_ids, dtype=object), kind="stable")
    ids = [artist_ids[index] for index in order]
    points = vectors[order]
    is_candidate = (
        np.ones(len(ids), dtype=bool) if candidates is None else np.asarray(candidates)[order]
    )
    count = len(ids)
    result: dict[str, list[tuple[str, float]]] = {}
    for start in range(0, count, chunk_rows):
        stop = min(start + chunk_rows, count)
        squared = np.zeros((stop - start, count))
        for feature in range(points.shape[1]):
            difference = points[start:stop, feature, None] - points[None, :, feature]
            squared += difference * difference
        distances = np.sqrt(squared)
        distances[np.arange(stop - start), np.arange(start, stop)] = np.inf  # never itself
        distances[:, ~is_candidate] = np.inf  # only candidates are found
        for row in range(stop - start):
            row_distances = distances[row]
            keep = min(top_k, int(np.isfinite(row_distances).sum()))
            if keep == 0:
                result[ids[start + row]] = []
                continue
            # ids are sorted, so a stable sort by distance breaks ties by related id.
            kth = np.partition(row_distances, keep - 1)[keep - 1]
            found = np.flatnonzero(row_distances <= kth)
            ranked = found[np.argsort(row_distances[found], kind="stable")][:keep]
            result[ids[start + row]] = [
                (ids[index], float(row_distances[index])) for index in ranked
            ]
    return result


Neighbours = dict[str, list[tuple[str, float]]]


def read_related_artists(duckdb_path: pathlib.Path) -> Neighbours:
    """fct_related_artists of a built warehouse, as ``{artist: [(related, distance), ...]}``."""
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        rows = connection.execute(
            "select artist_id, related_artist_id, distance from fct_related_artists "
            "order by artist_id, similarity_rank"
        ).fetchall()
    result: Neighbours = {}
    for artist_id, related_id, distance in rows:
        result.setdefault(artist_id, []).append((related_id, distance))
    return result


def read_normalised_vectors(
    duckdb_path: pathlib.Path, features: list[str]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The artist ids, normalised vectors and recommendable flags the mart reads from
    dim_artists."""
    columns = ", ".join(f"{feature}_normalised" for feature in features)
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        rows = connection.execute(
            f"select artist_id, is_recommendable, {columns} from dim_artists "
            "where has_similarity_vector order by artist_id"
        ).fetchall()
    return (
        [row[0] for row in rows],
        np.array([row[2:] for row in rows], dtype=np.float64),
        np.array([row[1] for row in rows], dtype=bool),
    )


def exact_mart(duckdb_path: pathlib.Path, features: list[str], top_k: int) -> Neighbours:
    """What fct_related_artists must hold: brute force over the warehouse's own vectors."""
    artist_ids, vectors, candidates = read_normalised_vectors(duckdb_path, features)
    return exact_nearest_neighbours(artist_ids, vectors, top_k, candidates)


def assert_same_neighbours(actual: Neighbours, expected: Neighbours) -> None:
    """Same artists, same related artists in the same order, distances within 1e-9.

    Artists with no neighbour at all (a lone artist) have no rows in the mart.
    """
    expected = {artist_id: pairs for artist_id, pairs in expected.items() if pairs}
    assert actual.keys() == expected.keys()
    differing = [
        artist_id
        for artist_id, pairs in expected.items()
        if [related for related, _ in actual[artist_id]] != [related for related, _ in pairs]
        or any(
            abs(got - want) > 1e-9
            for (_, got), (_, want) in zip(actual[artist_id], pairs, strict=True)
        )
    ]
    assert differing == [], differing[:10]
