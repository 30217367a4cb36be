{#-
    The var similarity_normalisation, checked (a typo fails the compile with a one-line
    message instead of silently choosing a default): how each averaged feature is put on a
    common footing, `z_score` ((value - mean) / standard deviation) or `min_max`
    ((value - min) / (max - min), the original method).
-#}
{% macro similarity_normalisation() %}
    {{ return(var_choice("similarity_normalisation", ["z_score", "min_max"])) }}
{% endmacro %}
