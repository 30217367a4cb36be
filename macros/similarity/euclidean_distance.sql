{#-
    The Euclidean distance between two rows' normalised feature vectors: the square root of
    the summed squared differences (not the Manhattan sum of absolute differences).
    Columns are named `<feature>_normalised`.
-#}
{% macro euclidean_distance(left, right, features) %}
    sqrt(
    {%- for feature in features %}
        ({{ left }}.{{ feature }}_normalised - {{ right }}.{{ feature }}_normalised)
        * ({{ left }}.{{ feature }}_normalised - {{ right }}.{{ feature }}_normalised)
        {%- if not loop.last %} +{% endif %}
    {%- endfor %}
    )
{% endmacro %}
