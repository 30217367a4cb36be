{#-
    The raw tables of the lake, for the Athena target.

        dbt run-operation create_lake_tables --target athena
        dbt run-operation create_lake_tables --target athena --args '{dry_run: true}'

    Creates the raw schema (the `spotify` source's schema: var `raw_schema`, env
    `ATHENA_RAW_SCHEMA`, default `spotify_raw`) and one external parquet table per lake table
    over `<lake_uri>/<table>/`, partitioned by `dt string`. Partition projection (type date,
    format yyyy-MM-dd, range `first_dt`..NOW) makes each new daily partition queryable as soon
    as its files land: no `MSCK REPAIR TABLE`, no Glue crawler.

    Safe to run any number of times: each table is dropped (if it exists) and created again,
    so the catalog always matches the columns below. Dropping an external table never touches
    its S3 data.

    Arguments (each also settable as a var):
    - lake_uri: the lake root, an s3:// URI (var `lake_uri`, env `LAKE_URI`): the same
      variable the DuckDB target reads the lake from;
    - first_dt: the first partition date Athena projects (var `lake_first_dt`, default
      2020-01-01). Keep it close to the first extraction: a query without a `dt` filter
      lists every projected day;
    - dry_run: print the statements instead of running them (needs no AWS connection).

    On any other target there is nothing to create: DuckDB reads the lake in place.
-#}
{% macro create_lake_tables(lake_uri=none, first_dt=none, dry_run=false) %}
    {{ return(adapter.dispatch("create_lake_tables")(lake_uri, first_dt, dry_run)) }}
{% endmacro %}


{% macro default__create_lake_tables(lake_uri, first_dt, dry_run) %}
    {{ log("create_lake_tables: nothing to do on the " ~ target.type ~ " target (it reads the lake in place through the sources' external_location)", info=true) }}
{% endmacro %}


{% macro athena__create_lake_tables(lake_uri, first_dt, dry_run) %}
    {%- set statements = lake_tables_ddl(lake_uri, first_dt) -%}
    {%- for statement in statements -%}
        {%- if dry_run -%}
            {{ print(statement ~ ";") }}
        {%- else -%}
            {{ log("create_lake_tables: " ~ statement.strip().splitlines()[0], info=true) }}
            {%- do run_query(statement) -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}


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


{#-
    The tables of the `spotify` source, as {name: relation}: the DDL creates exactly what
    the models read, under the schema the source resolves to.
-#}
{% macro lake_source_relations() %}
    {%- set relations = {} -%}
    {%- for node in graph.sources.values() if node.source_name == "spotify" -%}
        {%- do relations.update({
            node.name: api.Relation.create(
                database=node.database,
                schema=node.schema,
                identifier=node.identifier,
            )
        }) -%}
    {%- endfor -%}
    {{ return(relations) }}
{% endmacro %}


{#- The DDL statements (a list of strings) that create the raw schema and tables. -#}
{% macro lake_tables_ddl(lake_uri=none, first_dt=none) %}
    {%- set lake_uri = (lake_uri or var("lake_uri", env_var("LAKE_URI", ""))) | string | trim -%}
    {%- if not lake_uri.startswith("s3://") -%}
        {{ exceptions.raise_compiler_error("create_lake_tables: the lake must be an s3:// URI (arg or var lake_uri, env LAKE_URI); got '" ~ lake_uri ~ "'") }}
    {%- endif -%}
    {%- set lake_uri = lake_uri.rstrip("/") -%}
    {%- set first_dt = (first_dt or var("lake_first_dt", "2020-01-01")) | string -%}
    {%- if not modules.re.fullmatch("[0-9]{4}-[0-9]{2}-[0-9]{2}", first_dt) -%}
        {{ exceptions.raise_compiler_error("create_lake_tables: first_dt must be a yyyy-MM-dd date; got '" ~ first_dt ~ "'") }}
    {%- endif -%}

    {%- set columns_by_table = lake_table_columns() -%}
    {%- set sources = lake_source_relations() -%}
    {%- if sources.keys() | sort != columns_by_table.keys() | sort -%}
        {{ exceptions.raise_compiler_error("create_lake_tables: the spotify source declares " ~ sources.keys() | sort | join(", ") ~ " but lake_table_columns() knows " ~ columns_by_table.keys() | sort | join(", ")) }}
    {%- endif -%}
    {%- set schemas = sources.values() | map(attribute="schema") | unique | list -%}

    {%- set statements = [] -%}
    {%- for schema in schemas -%}
        {%- do statements.append("create database if not exists `" ~ schema ~ "`") -%}
    {%- endfor -%}
    {%- for table, columns in columns_by_table.items() -%}
        {%- set relation = sources[table] -%}
        {%- set qualified_name = "`" ~ relation.schema ~ "`.`" ~ relation.identifier ~ "`" -%}
        {%- set location = lake_uri ~ "/" ~ table ~ "/" -%}
        {%- do statements.append("drop table if exists " ~ qualified_name) -%}
        {%- set create_table -%}
create external table if not exists {{ qualified_name }} (
{%- for column, column_type in columns %}
    `{{ column }}` {{ column_type }}{% if not loop.last %},{% endif %}
{%- endfor %}
)
partitioned by (`dt` string)
stored as parquet
location '{{ location }}'
tblproperties (
    'projection.enabled' = 'true',
    'projection.dt.type' = 'date',
    'projection.dt.format' = 'yyyy-MM-dd',
    'projection.dt.range' = '{{ first_dt }},NOW',
    'projection.dt.interval' = '1',
    'projection.dt.interval.unit' = 'DAYS',
    'storage.location.template' = '{{ location }}dt=${dt}/'
)
        {%- endset -%}
        {%- do statements.append(create_table) -%}
    {%- endfor -%}
    {{ return(statements) }}
{% endmacro %}
