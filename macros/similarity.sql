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


{#-
    Each artist's `top_k` nearest other artists, as a select statement over the CTE
    `vectors` (artist_id plus `<feature>_normalised` columns). Returns artist_id,
    related_artist_id, distance and similarity_rank (1 = nearest). Never pairs an artist
    with itself; ties are broken by related_artist_id; identical vectors are neighbours at
    distance 0.

    The engines get different plans for the same answer:
    - default (Athena/Trino): a self-join ranked with row_number() and filtered in an outer
      query, which Trino executes as a streaming TopNRanking per artist;
    - duckdb: a top-k aggregate (min_by with n), which keeps k rows per artist instead of
      materialising and sorting all n^2 pairs.
-#}
{% macro nearest_artists(vectors, features, top_k) %}
    {{ return(adapter.dispatch("nearest_artists")(vectors, features, top_k)) }}
{% endmacro %}


{% macro default__nearest_artists(vectors, features, top_k) %}
    select
        ranked_pairs.artist_id,
        ranked_pairs.related_artist_id,
        ranked_pairs.distance,
        ranked_pairs.similarity_rank
    from (
        select
            pairs.artist_id,
            pairs.related_artist_id,
            pairs.distance,
            row_number() over (
                partition by pairs.artist_id
                order by pairs.distance asc, pairs.related_artist_id asc
            ) as similarity_rank
        from (
            select
                artist.artist_id,
                candidate.artist_id as related_artist_id,
                {{ euclidean_distance("artist", "candidate", features) }} as distance
            from {{ vectors }} as artist
            cross join {{ vectors }} as candidate
            where artist.artist_id <> candidate.artist_id
        ) as pairs
    ) as ranked_pairs
    where ranked_pairs.similarity_rank <= {{ top_k }}
{% endmacro %}


{% macro duckdb__nearest_artists(vectors, features, top_k) %}
    select
        nearest.artist_id,
        nearest.neighbour.related_artist_id as related_artist_id,
        nearest.neighbour.distance as distance,
        nearest.similarity_rank
    from (
        select
            neighbour_lists.artist_id,
            unnest(neighbour_lists.neighbours) as neighbour,
            generate_subscripts(neighbour_lists.neighbours, 1) as similarity_rank
        from (
            select
                pairs.artist_id,
                min_by(
                    struct_pack(pairs.related_artist_id, pairs.distance),
                    struct_pack(pairs.distance, pairs.related_artist_id),
                    {{ top_k }}
                ) as neighbours
            from (
                select
                    artist.artist_id,
                    candidate.artist_id as related_artist_id,
                    {{ euclidean_distance("artist", "candidate", features) }} as distance
                from {{ vectors }} as artist
                cross join {{ vectors }} as candidate
                where artist.artist_id <> candidate.artist_id
            ) as pairs
            group by pairs.artist_id
        ) as neighbour_lists
    ) as nearest
{% endmacro %}
