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
