{#-
    The features that define similarity, from the `similarity_features` var, checked:
    a non-empty list of distinct audio feature names.
-#}
{% macro similarity_features() %}
    {%- set features = var("similarity_features") -%}
    {%- if features is string -%}
        {%- set features = features.split(",") | map("trim") | list -%}
    {%- endif -%}
    {%- set known = audio_feature_names() -%}
    {%- if features | length == 0 -%}
        {{ exceptions.raise_compiler_error("var similarity_features is empty: name at least one of " ~ known | join(", ")) }}
    {%- endif -%}
    {%- for feature in features -%}
        {%- if feature not in known -%}
            {{ exceptions.raise_compiler_error("var similarity_features: unknown feature '" ~ feature ~ "'; choose from " ~ known | join(", ")) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if features | unique | list | length != features | length -%}
        {{ exceptions.raise_compiler_error("var similarity_features lists a feature twice: " ~ features | join(", ")) }}
    {%- endif -%}
    {{ return(features) }}
{% endmacro %}
