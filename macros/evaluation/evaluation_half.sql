{#-
    The quality evaluation's fixed split of the artists into two halves by a hash of the
    key: `tuning` when the first hex digit of md5(artist_id) is 0-7, `held_out` otherwise.
    Options are tuned on one half and reported on the other (benchmarks/evaluate_quality.py).
-#}
{% macro evaluation_half(artist_id) -%}
    case
        when substr({{ md5_hex(artist_id) }}, 1, 1) in ('0', '1', '2', '3', '4', '5', '6', '7')
            then 'tuning'
        else 'held_out'
    end
{%- endmacro %}
