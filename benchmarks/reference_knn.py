"""The reference for the scale benchmark: exact k nearest artists with scikit-learn's KD-tree.

Reads the normalised artist vectors (a parquet of artist_id and the feature columns, as
exported from dim_artists, optionally with a boolean ``is_recommendable`` column), finds
each artist's ``top_k`` nearest other artists and writes them as parquet (artist_id,
related_artist_id, distance, similarity_rank). Same contract as fct_related_artists:
Euclidean distance, ties broken by related_artist_id, identical vectors are neighbours at
distance 0, nobody is their own neighbour. With ``is_recommendable``, every artist gets
neighbours but only the recommendable ones (the candidates) are neighbours; an artist with
fewer than top_k other candidates gets all of them. Without it, everybody is a candidate.

The KD-tree (``NearestNeighbors(algorithm="kd_tree")`` fitted on the candidates, a
single-threaded query unless ``--jobs``, scikit-learn's ``n_jobs``, says otherwise) finds
the top_k + 2 nearest candidates of every artist (possibly itself, top_k others, one more);
distances are then recomputed the way the SQL computes them (squared differences summed in
feature order, then the square root) so ties compare bit-for-bit, and every artist whose
last returned point may tie with its top_k-th neighbour is re-queried by radius so that no
tied point is missed.

    .venv/bin/python -m benchmarks.reference_knn VECTORS.parquet OUT.parquet --top-k 3 [--jobs -1]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.neighbors import NearestNeighbors

CANDIDATES = "is_recommendable"  # optional column of the vectors: who may be found


def sql_distances(points: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """sqrt(sum over features, in order, of (left - right)^2), as the SQL computes it."""
    squared = np.zeros(left.shape)
    for feature in range(points.shape[1]):
        difference = points[left, feature] - points[right, feature]
        squared += difference * difference
    return np.sqrt(squared)


def nearest_neighbours(
    points: np.ndarray, top_k: int, candidates: np.ndarray | None = None, jobs: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(neighbour indices, distances), each n x width; rows sorted by (distance, index).
    Indices follow the rows of ``points``, which the caller sorted by id so that the index
    order is the id order.

    ``candidates`` (boolean, one per row; default: every row) says which rows may be
    found. Row i gets min(top_k, number of candidates other than i) neighbours; width is
    the largest of those, and a shorter row is padded at its end with index -1 and
    distance inf. Without ``candidates`` every row has width = min(top_k, n - 1)
    neighbours, as before."""
    count = len(points)
    if candidates is None:
        candidates = np.ones(count, dtype=bool)
    candidates = np.asarray(candidates, dtype=bool)
    if candidates.shape != (count,):
        raise ValueError("candidates must hold one boolean per point")
    candidate_rows = np.flatnonzero(candidates)  # ascending: candidate order is id order
    candidate_count = len(candidate_rows)
    own_share = 1 if candidates.all() else 0  # every row is a candidate: one fewer other
    width = min(top_k, candidate_count - own_share)
    if width <= 0:
        return np.zeros((count, 0), dtype=np.int64), np.zeros((count, 0))
    # Itself (when a candidate), width others and one more to rule out ties.
    asked = min(width + 2, candidate_count)
    index = NearestNeighbors(n_neighbors=asked, algorithm="kd_tree", n_jobs=jobs)
    index.fit(points[candidate_rows])
    kd_distances, found_candidates = index.kneighbors(points)
    found = candidate_rows[found_candidates]
    rows = np.repeat(np.arange(count)[:, None], asked, axis=1)
    distances = sql_distances(points, rows, found)
    distances[found == rows] = np.inf  # never itself
    order = np.lexsort((found, distances), axis=1)
    found = np.take_along_axis(found, order, axis=1)
    distances = np.take_along_axis(distances, order, axis=1)
    found[np.isinf(distances)] = -1  # itself, when every candidate was returned
    if asked < candidate_count:
        # Then every row has width = top_k real neighbours among the returned points, and
        # candidates beyond them are at least as far as the last returned one: a row is
        # complete unless that last point could tie with (or beat) the width-th distance.
        kth = distances[:, width - 1]
        margin = 1e-9 * np.maximum(kth, 1.0)
        doubtful = np.flatnonzero(kd_distances[:, -1] <= kth + margin)
        for row in doubtful:
            [nearby] = index.radius_neighbors(
                points[row : row + 1], radius=float(kth[row] + margin[row]), return_distance=False
            )
            nearby = candidate_rows[nearby]  # back to rows of points
            nearby = nearby[nearby != row]
            nearby_distances = sql_distances(points, np.full(len(nearby), row), nearby)
            best = np.lexsort((nearby, nearby_distances))[:width]
            found[row, :width] = nearby[best]
            distances[row, :width] = nearby_distances[best]
    # (Otherwise the KD-tree returned every candidate: nothing can be missing.)
    return found[:, :width], distances[:, :width]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vectors", help="parquet: artist_id and the normalised features")
    parser.add_argument("output", help="parquet to write the nearest artists to")
    parser.add_argument("--top-k", type=int, default=3)
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="threads of the query (scikit-learn's n_jobs; -1: every core; default one)",
    )
    arguments = parser.parse_args(argv)
    if arguments.top_k < 1:
        print("reference_knn: --top-k must be at least 1", file=sys.stderr)
        return 2
    table = pq.read_table(arguments.vectors)
    table = table.sort_by("artist_id")
    artist_ids = table.column("artist_id").to_numpy(zero_copy_only=False)
    features = [name for name in table.column_names if name not in ("artist_id", CANDIDATES)]
    points = np.column_stack(
        [table.column(name).to_numpy(zero_copy_only=False) for name in features]
    ).astype(np.float64)
    candidates = None
    if CANDIDATES in table.column_names:
        candidates = table.column(CANDIDATES).fill_null(False).to_numpy(zero_copy_only=False)
    found, distances = nearest_neighbours(points, arguments.top_k, candidates, arguments.jobs)
    keep = found.shape[1]
    present = found >= 0
    result = pa.table(
        {
            "artist_id": np.repeat(artist_ids, present.sum(axis=1)),
            "related_artist_id": artist_ids[found[present]],
            "distance": distances[present],
            "similarity_rank": np.broadcast_to(np.arange(1, keep + 1, dtype=np.int32), found.shape)[
                present
            ],
        }
    )
    pq.write_table(result, arguments.output)
    print(
        f"reference_knn: {len(points)} artists "
        f"({'all' if candidates is None else int(candidates.sum())} candidates), "
        f"{len(features)} features, top {keep}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
