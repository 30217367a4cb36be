"""The dbt sources describe exactly the lake tables that extract/schemas.py defines."""

from __future__ import annotations

import yaml

from extract.schemas import LAKE_TABLES
from tests.python.dbt_runner import PROJECT_ROOT

SOURCES_YML = PROJECT_ROOT / "models" / "staging" / "spotify" / "_spotify__sources.yml"


def source_tables() -> dict[str, list[str]]:
    document = yaml.safe_load(SOURCES_YML.read_text())
    [source] = [source for source in document["sources"] if source["name"] == "spotify"]
    return {
        table["name"]: [column["name"] for column in table["columns"]] for table in source["tables"]
    }


def test_sources_declare_every_lake_table() -> None:
    assert set(source_tables()) == set(LAKE_TABLES)


def test_source_columns_match_the_pyarrow_schemas_in_order() -> None:
    for table, columns in source_tables().items():
        # `dt` is the Hive partition column: in the folder name, not in the files.
        assert columns == [*LAKE_TABLES[table].names, "dt"], table


def test_every_source_column_is_described() -> None:
    document = yaml.safe_load(SOURCES_YML.read_text())
    for source in document["sources"]:
        for table in source["tables"]:
            assert table.get("description"), table["name"]
            for column in table["columns"]:
                assert column.get("description"), f"{table['name']}.{column['name']}"
