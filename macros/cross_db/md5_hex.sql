{#- The lower-case hex md5 of a string. -#}
{% macro md5_hex(value) %}
    {{ return(adapter.dispatch("md5_hex")(value)) }}
{% endmacro %}


{% macro default__md5_hex(value) -%}
    lower(to_hex(md5(to_utf8({{ value }}))))
{%- endmacro %}


{% macro duckdb__md5_hex(value) -%}
    md5({{ value }})
{%- endmacro %}
