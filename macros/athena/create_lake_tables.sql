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
