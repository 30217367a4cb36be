{#-
    The cell index of `value`, a normalised coordinate in [0, 1], on the grid level of
    `cell_scale` cells a side numbered 0 .. `last_cell`: x = 1 stays in the last cell.
-#}
{% macro grid_cell(value, cell_scale, last_cell) -%}
    least(cast(floor({{ value }} * {{ cell_scale }}) as bigint), {{ last_cell }})
{%- endmacro %}
