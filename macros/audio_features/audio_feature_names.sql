{#- The names of the audio features, in a fixed order. -#}
{% macro audio_feature_names() %}
    {{ return(audio_feature_ranges().keys() | list) }}
{% endmacro %}
