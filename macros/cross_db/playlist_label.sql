{#-
    The artist's majority label of one kind from a `genres` list (array of strings), or
    null. Dataset imports mark the playlist labels they carry as `playlist_genre:<label>`
    and `playlist_subgenre:<label>`, each kind ordered by the number of the artist's rows
    (most first, ties alphabetically), so the first entry of a kind is the artist's
    majority label. `kind` is `playlist_genre` or `playlist_subgenre`. Spotify's own genres
    carry no mark and are never read here.

    These labels are the ground truth of the quality evaluation
    (analyses/related_artists_precision.sql): the similarity search never reads them.
-#}
{% macro playlist_label(genres, kind) %}
    {{ return(adapter.dispatch("playlist_label")(genres, kind)) }}
{% endmacro %}


{% macro default__playlist_label(genres, kind) -%}
    substr(
        element_at(filter({{ genres }}, label -> starts_with(label, '{{ kind }}:')), 1),
        {{ kind | length + 2 }}
    )
{%- endmacro %}


{% macro duckdb__playlist_label(genres, kind) -%}
    substr(
        list_filter({{ genres }}, lambda label: starts_with(label, '{{ kind }}:'))[1],
        {{ kind | length + 2 }}
    )
{%- endmacro %}
