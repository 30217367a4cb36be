{#-
    similarity_score from a distance in the search space, within [0, 1] for every option
    (1 = identical): Euclidean, 1 - distance / sqrt(number of features); cosine,
    (1 + cosine similarity) / 2, which is 1 - distance^2 because distance is half the chord
    between the unit vectors (chord^2 = 2 - 2 * cosine similarity).
-#}
{% macro similarity_score(distance) -%}
    {%- if similarity_distance() == "cosine" -%}
    greatest(0.0, 1.0 - {{ distance }} * {{ distance }})
    {%- else -%}
    greatest(0.0, 1.0 - {{ distance }} / {{ max_similarity_distance() }})
    {%- endif -%}
{%- endmacro %}
