{#-
    The levels of the search grid over the unit cube, coarsest first, as
    [cell_scale, last_cell] pairs: a level has `cell_scale` cells per unit, numbered
    0 .. last_cell on each grid dimension. The scales are 2^p and 1.5 * 2^p (1, 1.5, 2, 3,
    4, 6, ... up to grid_cell_key_base() cells a side), so a search radius never gets a
    cell more than 1.5 times wider than itself. Level 0, one cell, holds everybody.
-#}
{% macro grid_levels() %}
    {%- set levels = [] -%}
    {%- for power in range(11) -%}
        {%- for step in [1.0, 1.5] -%}
            {%- set scale = (2 ** power) * step -%}
            {%- if scale <= grid_cell_key_base() -%}
                {%- do levels.append([scale, (scale | round(0, "ceil") | int) - 1]) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(levels) }}
{% endmacro %}
