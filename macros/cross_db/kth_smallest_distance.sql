{#-
    Per artist_number of `pairs` (artist_number, distance): its `top_k`-th smallest
    distance, as (artist_number, distance). Artists with fewer than top_k pairs are left out.
-#}
{% macro kth_smallest_distance(pairs, top_k) %}
    {{ return(adapter.dispatch("kth_smallest_distance")(pairs, top_k)) }}
{% endmacro %}


{% macro default__kth_smallest_distance(pairs, top_k) %}
    select
        ranked_distances.artist_number,
        ranked_distances.distance
    from (
        select
            {{ pairs }}.artist_number,
            {{ pairs }}.distance,
            row_number() over (
                partition by {{ pairs }}.artist_number
                order by {{ pairs }}.distance asc
            ) as distance_rank
        from {{ pairs }}
    ) as ranked_distances
    where ranked_distances.distance_rank = {{ top_k }}
{% endmacro %}


{% macro duckdb__kth_smallest_distance(pairs, top_k) %}
    select
        smallest_distances.artist_number,
        list_max(smallest_distances.distances) as distance
    from (
        select
            {{ pairs }}.artist_number,
            min({{ pairs }}.distance, {{ top_k }}) as distances
        from {{ pairs }}
        group by {{ pairs }}.artist_number
    ) as smallest_distances
    where len(smallest_distances.distances) = {{ top_k }}
{% endmacro %}
