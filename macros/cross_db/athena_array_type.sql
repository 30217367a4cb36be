{#-
    Athena's (Trino's) type of an array of `element_type` (an Athena type, e.g. varchar or
    athena_row_type(fields)): `array(element_type)`. Only Athena's SQL spells it (see
    athena_row_type).
-#}
{% macro athena_array_type(element_type) -%}
    array({{ element_type }})
{%- endmacro %}
