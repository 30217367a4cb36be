"""``spotify-extract dataset``: a public tracks-with-audio-features file into the lake.

``command`` (arguments, the import, its summary), ``reader`` (the CSV or parquet file),
``parsing`` (the file's columns as typed roles), ``artist_identity`` (who each row belongs to,
and the ids derived from names) and ``tables`` (the three lake tables, built by the DuckDB
statements in ``sql/``, linted with sqlfluff under this folder's ``.sqlfluff``).
"""
