"""An independent exact k-nearest-neighbours computation to check the mart against.

Brute force in numpy over the same normalised vectors the mart reads from dim_artists.
Squared differences are summed in feature order and then square-rooted, as the SQL does, so
equal distances are bit-for-bit equal on both sides and ties break the same way (distance,
then related_artist_id).
"""

from __future__ import annotations

import numpy as np


def exact_nearest_neighbours(
    artist_ids: list[str], vectors: np.ndarray, top_k: int, chunk_rows: int = 512
) -> dict[str, list[tuple[str, float]]]:
    """Each artist's ``top_k`` nearest other artists as ``[(related_id, distance), ...]``."""
    order = np.argsort(np.array(artist_ids, dtype=object), kind="stable")
    ids = [artist_ids[index] for index in order]
    points = vectors[order]
    count = len(ids)
    keep = min(top_k, count - 1)
    result: dict[str, list[tuple[str, float]]] = {}
    if keep <= 0:
        return {artist_id: [] for artist_id in ids}
    for start in range(0, count, chunk_rows):
        stop = min(start + chunk_rows, count)
        squared = np.zeros((stop - start, count))
        for feature in range(points.shape[1]):
            difference = points[start:stop, feature, None] - points[None, :, feature]
            squared += difference * difference
        distances = np.sqrt(squared)
        distances[np.arange(stop - start), np.arange(start, stop)] = np.inf  # never itself
        for row in range(stop - start):
            row_distances = distances[row]
            # ids are sorted, so a stable sort by distance breaks ties by related id.
            kth = np.partition(row_distances, keep - 1)[keep - 1]
            candidates = np.flatnonzero(row_distances <= kth)
            ranked = candidates[np.argsort(row_distances[candidates], kind="stable")][:keep]
            result[ids[start + row]] = [
                (ids[index], float(row_distances[index])) for index in ranked
            ]
    return result
