{#-
    The largest possible distance between two vectors of the search space (the unit cube):
    sqrt(number of features) for Euclidean (the cube's diagonal); 1 for cosine, whose unit
    vectors are mapped by (v + 1) / 2 onto a sphere of diameter 1 inside the cube.
-#}
{% macro max_similarity_distance() %}
    {%- if similarity_distance() == "cosine" -%}
        {{ return("1.0") }}
    {%- endif -%}
    {{ return("sqrt(" ~ similarity_features() | length ~ ".0)") }}
{% endmacro %}
