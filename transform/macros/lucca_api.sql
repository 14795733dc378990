{#- A value inside a new-API object column, e.g. json_field('start', 'date') for
    `start.date`, or a reference's id. target-duckdb and target-postgres land objects as
    JSON (the value comes as text); target-bigquery (denormalized) as STRUCT columns. -#}
{% macro json_field(column, field) -%}
    {{ return(adapter.dispatch('json_field', 'lucca')(column, field)) }}
{%- endmacro %}

{% macro default__json_field(column, field) -%}
    json_extract_string({{ col(column) }}, '$.{{ field }}')
{%- endmacro %}

{% macro postgres__json_field(column, field) -%}
    ({{ col(column) }}::jsonb #>> '{ {{- field | replace('.', ',') -}} }')
{%- endmacro %}

{% macro bigquery__json_field(column, field) -%}
    {{ col(column) }}{% for part in field.split('.') %}.{{ adapter.quote(part) }}{% endfor %}
{%- endmacro %}

{#- The id of a new-API reference (`{"id", "type", "url"}`). -#}
{% macro reference_id(column) -%}
    {{ json_field(column, 'id') }}
{%- endmacro %}
