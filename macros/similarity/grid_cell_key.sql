{#-
    The cell key of a list of per-dimension cell indexes (SQL expressions, grid dimension
    1 first): the indexes as the digits of grid_cell_key_base(), one bigint per cell.
    `first_dimension` numbers the first index given, so a key can be built up one
    dimension at a time (the search walk adds one dimension's digit per step).
-#}
{% macro grid_cell_key(cells, first_dimension=1) -%}
    {%- for cell in cells -%}
        ({{ cell }}) * {{ grid_cell_key_base() ** (first_dimension + loop.index0 - 1) }}
        {%- if not loop.last %} + {% endif -%}
    {%- endfor -%}
{%- endmacro %}
