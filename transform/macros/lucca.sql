{#- A column of a landed table, named as the tap names it (camelCase). Quoted, so that
    PostgreSQL finds target-postgres's camelCase columns; DuckDB and BigQuery match
    column names without regard to case, so target-duckdb's lowercased ones match too. -#}
{% macro col(name) -%}
    {{ adapter.quote(name) }}
{%- endmacro %}

{#- The rows Lucca still has. A loader that honours ACTIVATE_VERSION without deleting
    (target-postgres with add_record_metadata on and hard_delete off) keeps the rows gone
    from Lucca and sets their _sdc_deleted_at: var soft_deletes (DBT_SOURCE_SOFT_DELETES,
    set by the dbt-postgres utility) leaves them out. -#}
{% macro current_rows() -%}
    {%- if var('soft_deletes') | string | lower == 'true' -%}
        where {{ col('_sdc_deleted_at') }} is null
    {%- endif -%}
{%- endmacro %}

{#- A Lucca date. v4 dates land as DATE; v3 dates are midnight timestamps
    ("2014-09-01T00:00:00") and land as TIMESTAMP: either way, the day. -#}
{% macro to_date(column) -%}
    cast({{ column }} as date)
{%- endmacro %}
