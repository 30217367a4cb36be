{#-
    The var similarity_distance, checked: `euclidean` (straight-line distance between the
    vectors) or `cosine` (the angle between them: Euclidean distance between unit-length
    vectors).
-#}
{% macro similarity_distance() %}
    {{ return(var_choice("similarity_distance", ["euclidean", "cosine"])) }}
{% endmacro %}
