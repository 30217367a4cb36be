{#-
    Per artist_number of `pairs` (artist_number, related_artist_number, distance): the
    `top_k` rows of smallest (distance, related_artist_number), with similarity_rank
    1..top_k. The engines get different plans for the same answer:
    - default (Athena/Trino): row_number() filtered in an outer query, which Trino executes
      as a streaming TopNRanking per artist;
    - duckdb: a top-k aggregate (min_by with n), which keeps k rows per artist instead of
      sorting all pairs.
-#}
{% macro top_k_by_distance(pairs, top_k) %}
    {{ return(adapter.dispatch("top_k_by_distance")(pairs, top_k)) }}
{% endmacro %}


{% macro default__top_k_by_distance(pairs, top_k) %}
    select
        ranked_pairs.artist_number,
        ranked_pairs.related_artist_number,
        ranked_pairs.distance,
        ranked_pairs.similarity_rank
    from (
        select
            {{ pairs }}.artist_number,
            {{ pairs }}.related_artist_number,
            {{ pairs }}.distance,
            row_number() over (
                partition by {{ pairs }}.artist_number
                order by {{ pairs }}.distance asc, {{ pairs }}.related_artist_number asc
            ) as similarity_rank
        from {{ pairs }}
    ) as ranked_pairs
    where ranked_pairs.similarity_rank <= {{ top_k }}
{% endmacro %}


{% macro duckdb__top_k_by_distance(pairs, top_k) %}
    select
        nearest.artist_number,
        struct_extract(nearest.neighbour, 'related_artist_number') as related_artist_number,
        struct_extract(nearest.neighbour, 'distance') as distance,
        nearest.similarity_rank
    from (
        select
            neighbour_lists.artist_number,
            unnest(neighbour_lists.neighbours) as neighbour,
            generate_subscripts(neighbour_lists.neighbours, 1) as similarity_rank
        from (
            select
                {{ pairs }}.artist_number,
                min_by(
                    struct_pack({{ pairs }}.related_artist_number, {{ pairs }}.distance),
                    struct_pack({{ pairs }}.distance, {{ pairs }}.related_artist_number),
                    {{ top_k }}
                ) as neighbours
            from {{ pairs }}
            group by {{ pairs }}.artist_number
        ) as neighbour_lists
    ) as nearest
{% endmacro %}
