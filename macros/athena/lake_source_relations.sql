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
