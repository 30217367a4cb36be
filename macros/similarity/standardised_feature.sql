{#-
    The artist's standardised `feature`: its average (`value`) on the chosen normalisation's
    scale, from the statistics relation's `<feature>_min`, `_max`, `_mean` and
    `_standard_deviation`. A feature that does not vary (max = min, standard deviation 0)
    carries no information: it is 0 for everyone.
-#}
{% macro standardised_feature(value, statistics, feature) -%}
    {%- if similarity_normalisation() == "z_score" -%}
    coalesce(
        ({{ value }} - {{ statistics }}.{{ feature }}_mean)
        / nullif({{ statistics }}.{{ feature }}_standard_deviation, 0),
        0.0
    )
    {%- else -%}
    coalesce(
        ({{ value }} - {{ statistics }}.{{ feature }}_min)
        / nullif({{ statistics }}.{{ feature }}_max - {{ statistics }}.{{ feature }}_min, 0),
        0.0
    )
    {%- endif -%}
{%- endmacro %}
