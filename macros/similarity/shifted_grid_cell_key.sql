{#-
    The cell key of `artist` (a relation with grid_coordinate_1 .. grid_coordinate_g) on the
    grid shifted by half a cell on every grid dimension, at the level of `levels` (a
    relation with cell_scale and last_cell): the cell numbered i spans (i - 0.5) /
    cell_scale to (i + 0.5) / cell_scale, the first from 0, the last to 1.
-#}
{% macro shifted_grid_cell_key(artist, levels) -%}
    {%- set cells = [] -%}
    {%- for dimension in range(1, grid_dimension_count(similarity_features()) + 1) -%}
        {%- set shifted_coordinate = "(" ~ artist ~ ".grid_coordinate_" ~ dimension ~ " + 0.5 / " ~ levels ~ ".cell_scale)" -%}
        {%- do cells.append(grid_cell(shifted_coordinate, levels ~ ".cell_scale", levels ~ ".last_cell")) -%}
    {%- endfor -%}
    {{ grid_cell_key(cells) }}
{%- endmacro %}
