{#-
    A distance bound with the search's margin: relative 1e-9, plus 1e-12. It absorbs the
    last-bit differences between a distance summed over all features and the face or box
    distances summed in another order or over fewer dimensions, so a comparison with it
    can only keep more cells or candidates, never lose one of an artist's top_k.
-#}
{% macro bound_with_margin(bound) -%}
    {{ bound }} * (1.0 + 1e-9) + 1e-12
{%- endmacro %}
