{#-
    The audio features every lake source provides, with the range Spotify documents for
    each. Staging flags values outside these ranges; the intermediate profile averages them;
    the marts normalise them. Loudness is documented as "typically -60 to 0 dB": mastered
    tracks do exceed 0 dB slightly, so up to +5 dB is accepted.
-#}
{% macro audio_feature_ranges() %}
    {{ return({
        "danceability": [0, 1],
        "energy": [0, 1],
        "key": [-1, 11],
        "loudness": [-60, 5],
        "mode": [0, 1],
        "speechiness": [0, 1],
        "acousticness": [0, 1],
        "instrumentalness": [0, 1],
        "liveness": [0, 1],
        "valence": [0, 1],
        "tempo": [0, 300],
    }) }}
{% endmacro %}


{#- The names of the audio features, in a fixed order. -#}
{% macro audio_feature_names() %}
    {{ return(audio_feature_ranges().keys() | list) }}
{% endmacro %}


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


{#-
    A comma-separated list of the features of `relation` that are null or outside their
    documented range, or null when every feature is valid.
-#}
{% macro invalid_audio_features(relation) %}
    nullif(concat_ws(', '
    {%- for feature, bounds in audio_feature_ranges().items() %},
        case
            when {{ relation }}.{{ feature }} is null
                or {{ relation }}.{{ feature }} < {{ bounds[0] }}
                or {{ relation }}.{{ feature }} > {{ bounds[1] }}
                then '{{ feature }}'
        end
    {%- endfor %}
    ), '')
{% endmacro %}
