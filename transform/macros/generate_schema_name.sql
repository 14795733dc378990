{#- A model's `schema` config is the schema's whole name (`staging`, `analytics`), not a
    suffix to the target's: the same names on every warehouse. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
