"""The reference for the scale benchmark: exact k nearest artists with scikit-learn's KD-tree.

Reads the normalised artist vectors (a parquet of artist_id and the feature columns, as
exported from dim_artists), finds each artist's ``top_k`` nearest other artists and writes
them as parquet (artist_id, related_artist_id, distance, similarity_rank). Same contract as
fct_related_artists: Euclidean distance, ties broken by related_artist_id, identical
vectors are neighbours at distance 0, nobody is their own neighbour.

The KD-tree (``NearestNeighbors(algorithm="kd_tree")``, default single-threaded query)
finds the top_k + 2 nearest points (itself, top_k others, one more); distances are then
recomputed the way the SQL computes them (squared differences summed in feature order, then
the square root) so ties compare bit-for-bit, and every artist whose last returned point
may tie with its top_k-th neighbour is re-queried by radius so that no tied point is missed.

    .venv/bin/python -m benchmarks.reference_knn VECTORS.parquet OUT.parquet --top-k 3
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.neighbors import NearestNeighbors


def sql_distances(points: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """sqrt(sum over features, in order, of (left - right)^2), as the SQL computes it."""
    squared = np.zeros(left.shape)
    for feature in range(points.shape[1]):
        difference = points[left, feature] - points[right, feature]
        squared += difference * difference
    return np.sqrt(squared)


def nearest_neighbours(points: np.ndarray, top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """(neighbour indices, distances), each n x min(top_k, n - 1); rows sorted by
    (distance, index). Indices follow the rows of ``points``, which the caller sorted by id
    so that the index order is the id order."""
    count = len(points)
    keep = min(top_k, count - 1)
    if keep <= 0:
        return np.zeros((count, 0), dtype=np.int64), np.zeros((count, 0))
    asked = min(keep + 2, count)  # itself, keep others and one more to rule out ties
    index = NearestNeighbors(n_neighbors=asked, algorithm="kd_tree").fit(points)
    kd_distances, found = index.kneighbors(points)
    rows = np.repeat(np.arange(count)[:, None], asked, axis=1)
    distances = sql_distances(points, rows, found)
    distances[found == rows] = np.inf  # never itself
    order = np.lexsort((found, distances), axis=1)
    found = np.take_along_axis(found, order, axis=1)
    distances = np.take_along_axis(distances, order, axis=1)
    # Points beyond the asked ones are at least as far as the last returned one: a row is
    # complete unless that last point could tie with (or beat) the keep-th distance.
    kth = distances[:, keep - 1]
    margin = 1e-9 * np.maximum(kth, 1.0)
    doubtful = np.flatnonzero(kd_distances[:, -1] <= kth + margin)
    for row in doubtful:
        [candidates] = index.radius_neighbors(
            points[row : row + 1], radius=float(kth[row] + margin[row]), return_distance=False
        )
        candidates = candidates[candidates != row]
        candidate_distances = sql_distances(points, np.full(len(candidates), row), candidates)
        best = np.lexsort((candidates, candidate_distances))[:keep]
        found[row, :keep] = candidates[best]
        distances[row, :keep] = candidate_distances[best]
    return found[:, :keep], distances[:, :keep]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vectors", help="parquet: artist_id and the normalised features")
    parser.add_argument("output", help="parquet to write the nearest artists to")
    parser.add_argument("--top-k", type=int, default=3)
    arguments = parser.parse_args(argv)
    if arguments.top_k < 1:
        print("reference_knn: --top-k must be at least 1", file=sys.stderr)
        return 2
    table = pq.read_table(arguments.vectors)
    table = table.sort_by("artist_id")
    artist_ids = table.column("artist_id").to_numpy(zero_copy_only=False)
    features = [name for name in table.column_names if name != "artist_id"]
    points = np.column_stack(
        [table.column(name).to_numpy(zero_copy_only=False) for name in features]
    ).astype(np.float64)
    found, distances = nearest_neighbours(points, arguments.top_k)
    keep = found.shape[1]
    result = pa.table(
        {
            "artist_id": np.repeat(artist_ids, keep),
            "related_artist_id": artist_ids[found.ravel()],
            "distance": distances.ravel(),
            "similarity_rank": np.tile(np.arange(1, keep + 1, dtype=np.int32), len(points)),
        }
    )
    pq.write_table(result, arguments.output)
    print(
        f"reference_knn: {len(points)} artists, {len(features)} features, top {keep}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
