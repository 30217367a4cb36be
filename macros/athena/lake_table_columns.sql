{#-
    The Athena (Hive DDL) type of every column of each lake table, in file order. They must
    match the pyarrow schemas in extract/schemas.py exactly: tests/python/test_athena_ddl.py
    derives the expected columns from those schemas and compares.
-#}
{% macro lake_table_columns() %}
    {{ return({
        "artists": [
            ("artist_id", "string"),
            ("artist_name", "string"),
            ("genres", "array<string>"),
            ("popularity", "int"),
            ("followers", "bigint"),
            ("source", "string"),
            ("extracted_at", "timestamp"),
        ],
        "top_tracks": [
            ("artist_id", "string"),
            ("track_id", "string"),
            ("track_name", "string"),
            ("track_rank", "int"),
            ("selection", "string"),
            ("popularity", "int"),
            ("album_id", "string"),
            ("album_name", "string"),
            ("release_date", "string"),
            ("duration_ms", "bigint"),
            ("is_explicit", "boolean"),
            ("isrc", "string"),
            ("spotify_url", "string"),
            ("extracted_at", "timestamp"),
        ],
        "audio_features": [
            ("track_id", "string"),
            ("danceability", "double"),
            ("energy", "double"),
            ("key", "int"),
            ("loudness", "double"),
            ("mode", "int"),
            ("speechiness", "double"),
            ("acousticness", "double"),
            ("instrumentalness", "double"),
            ("liveness", "double"),
            ("valence", "double"),
            ("tempo", "double"),
            ("time_signature", "int"),
            ("duration_ms", "bigint"),
            ("source", "string"),
            ("extracted_at", "timestamp"),
        ],
    }) }}
{% endmacro %}
