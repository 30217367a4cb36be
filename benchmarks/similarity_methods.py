"""The similarity methods the benchmarks compare, as dbt vars.

- ``ORIGINAL_METHOD``: the original course project's method (min-max, Euclidean, the six
  first features, everybody may be recommended), reachable by vars;
- ``project_similarity_vars()``: the defaults of ``dbt_project.yml``.
"""

from __future__ import annotations

import copy
import pathlib

import yaml

from extract.schemas import AUDIO_FEATURE_COLUMNS

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
SIMILARITY_VARS = (
    "similarity_features",
    "similarity_normalisation",
    "similarity_distance",
    "min_related_track_count",
    "top_k",
)
# Every audio feature a similarity vector may use (macro audio_feature_names), in its order.
AUDIO_FEATURES = AUDIO_FEATURE_COLUMNS
ORIGINAL_METHOD: dict[str, object] = {
    "similarity_features": [
        "danceability",
        "energy",
        "loudness",
        "speechiness",
        "acousticness",
        "instrumentalness",
    ],
    "similarity_normalisation": "min_max",
    "similarity_distance": "euclidean",
    "min_related_track_count": 1,
    "top_k": 3,
}


def original_method() -> dict[str, object]:
    """A copy of ORIGINAL_METHOD, safe to change."""
    return copy.deepcopy(ORIGINAL_METHOD)


def project_similarity_vars(project_root: pathlib.Path = PROJECT_ROOT) -> dict[str, object]:
    """The similarity vars as ``dbt_project.yml`` sets them."""
    project_vars = yaml.safe_load((project_root / "dbt_project.yml").read_text())["vars"]
    return {name: project_vars[name] for name in SIMILARITY_VARS}
