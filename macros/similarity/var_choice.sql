{#- The var `name`, which must be one of `choices`; otherwise a one-line compile error. -#}
{% macro var_choice(name, choices) %}
    {%- set choice = var(name) -%}
    {%- if choice not in choices -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be " ~ choices | join(" or ") ~ ", got '" ~ choice ~ "'") }}
    {%- endif -%}
    {{ return(choice) }}
{% endmacro %}
