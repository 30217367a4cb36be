"""The quality evaluation measures each variant on marts built with that variant's vars.

Its variants once rebuilt only ``dim_artists+`` and so kept the defaults' normalisation
parameters (``dim_similarity_features``): the variants of other features printed plausible,
wrong figures. ``check_built_with`` now stops such a run.
"""

from __future__ import annotations

import duckdb
import pytest

from benchmarks.evaluate_quality import VARIANTS, check_built_with, project_defaults
from tests.python.dbt_runner import DbtWorkspace


def test_a_variant_measured_on_another_variants_marts_stops_the_run(
    sample_warehouse: DbtWorkspace,
) -> None:
    with duckdb.connect(str(sample_warehouse.duckdb_path), read_only=True) as connection:
        check_built_with(connection, "default", project_defaults())
        with pytest.raises(SystemExit, match=r"variant z_score\+11 min8 was built with"):
            check_built_with(connection, "z_score+11 min8", VARIANTS["z_score+11 min8"])
        with pytest.raises(SystemExit, match=r"variant z_score\+8 min8 was built with"):
            check_built_with(connection, "z_score+8 min8", VARIANTS["z_score+8 min8"])
