{#-
    The var min_related_track_count, checked: the fewest tracks with valid audio features an
    artist needs to be offered as somebody's related artist (a whole number, at least 1).
-#}
{% macro min_related_track_count() %}
    {%- set count = var("min_related_track_count") -%}
    {%- if count is not integer or count is sameas true or count is sameas false or count < 1 -%}
        {{ exceptions.raise_compiler_error("var min_related_track_count must be a whole number of at least 1, got '" ~ count ~ "'") }}
    {%- endif -%}
    {{ return(count) }}
{% endmacro %}
