{#-
    Where the Athena target writes each table model, one `<model> <s3 location>` line each:

        dbt run-operation athena_table_locations --target athena

    Computed by dbt-athena itself from the profile (s3_data_dir, s3_data_naming) and each
    model's config, without calling AWS: use it to scope IAM policies to the right prefixes
    and to check that two environments (schemas) never write to the same place. With
    s3_data_naming `schema_table_unique` the last path segment is a fresh UUID per build.
-#}
{% macro athena_table_locations() %}
    {%- if target.type != "athena" -%}
        {{ exceptions.raise_compiler_error("athena_table_locations: run it with --target athena") }}
    {%- endif -%}
    {%- for node in graph.nodes.values() | sort(attribute="name")
        if node.resource_type == "model" and node.config.materialized in ("table", "incremental") -%}
        {%- set relation = api.Relation.create(
            database=node.database,
            schema=node.schema,
            identifier=node.alias,
            type="table",
        ) -%}
        {%- set location = adapter.generate_s3_location(
            relation,
            node.config.get("s3_data_dir") or target.s3_data_dir,
            node.config.get("s3_data_naming") or target.s3_data_naming,
            target.s3_tmp_table_dir,
            node.config.get("external_location"),
            false,
        ) -%}
        {{ print(node.name ~ " " ~ location) }}
    {%- endfor -%}
{% endmacro %}
