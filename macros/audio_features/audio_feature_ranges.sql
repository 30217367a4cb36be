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
