{#-
    The similarity options, each read from its var and checked, so a typo fails the
    compile with a one-line message instead of silently choosing a default:
    - similarity_normalisation: how each averaged feature is put on a common footing,
      `z_score` ((value - mean) / standard deviation) or `min_max` ((value - min) /
      (max - min), the original method);
    - similarity_distance: `euclidean` (straight-line distance between the vectors) or
      `cosine` (the angle between them: Euclidean distance between unit-length vectors);
    - min_related_track_count: the fewest tracks with valid audio features an artist needs
      to be offered as somebody's related artist (a whole number, at least 1).
-#}
{% macro similarity_normalisation() %}
    {{ return(var_choice("similarity_normalisation", ["z_score", "min_max"])) }}
{% endmacro %}


{% macro similarity_distance() %}
    {{ return(var_choice("similarity_distance", ["euclidean", "cosine"])) }}
{% endmacro %}


{#- The var `name`, which must be one of `choices`; otherwise a one-line compile error. -#}
{% macro var_choice(name, choices) %}
    {%- set choice = var(name) -%}
    {%- if choice not in choices -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be " ~ choices | join(" or ") ~ ", got '" ~ choice ~ "'") }}
    {%- endif -%}
    {{ return(choice) }}
{% endmacro %}


{% macro min_related_track_count() %}
    {%- set count = var("min_related_track_count") -%}
    {%- if count is not integer or count is sameas true or count is sameas false or count < 1 -%}
        {{ exceptions.raise_compiler_error("var min_related_track_count must be a whole number of at least 1, got '" ~ count ~ "'") }}
    {%- endif -%}
    {{ return(count) }}
{% endmacro %}


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


{#-
    An order-independent average: the values are summed as exact decimals (18 decimal
    places), so any order of addition (parallel aggregation, another thread count) gives the
    same sum, and only the finished sum is converted to double. A plain avg() over doubles
    can differ in its last bit from one run to the next.
-#}
{% macro exact_average(value) -%}
    cast(sum(cast({{ value }} as decimal(38, 18))) as double) / cast(count({{ value }}) as double)
{%- endmacro %}
