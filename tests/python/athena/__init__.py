"""Checking the Athena SQL of this project without an AWS account, one module per job.

- ``dbt_offline``: ``compile_athena`` / ``render_lake_ddl``, the offline dbt steps (no AWS
  call can succeed: dummy credentials, no instance metadata), and the manifest's models in
  build order and its data tests.
- ``lake_ddl``: the raw tables' ``create external table`` statements, parsed
  (``parse_lake_ddl``), and the Athena type of a parquet column (``athena_ddl_type``).
- ``static_types``: ``static_schema``, the column types of the raw tables (from the DDL) and
  of every model (inferred by sqlglot, in dependency order, with Trino's decimal literals).
- ``portability``: ``duckdb_only_syntax``, DuckDB-only syntax in SQL meant for Athena, and
  divisions that Trino computes differently (integers truncate, decimals keep their scale).
- ``on_duckdb``: ``AthenaOnDuckDB``, the compiled Athena SQL transpiled by sqlglot and run on
  DuckDB over a local lake, with the relation names Athena would use.
- ``compare``: ``compare_tables``, the same rows (in any order), floats within a tolerance.
"""
