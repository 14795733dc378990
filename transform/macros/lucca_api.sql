{#- The id of a new-API reference (`{"id", "type", "url"}`), landed as a JSON object. -#}
{% macro reference_id(column) -%}
    {{ return(adapter.dispatch('reference_id', 'lucca')(column)) }}
{%- endmacro %}

{% macro default__reference_id(column) -%}
    json_extract_string({{ col(column) }}, '$.id')
{%- endmacro %}

{% macro postgres__reference_id(column) -%}
    ({{ col(column) }}::jsonb ->> 'id')
{%- endmacro %}

{% macro bigquery__reference_id(column) -%}
    json_value({{ col(column) }}, '$.id')
{%- endmacro %}
