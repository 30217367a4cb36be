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
