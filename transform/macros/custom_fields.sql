{#- Custom fields and axes travel as arrays of objects: users' `customFields` and
    `axisSections`. Each loader lands them its own way: target-duckdb as JSON,
    target-postgres as jsonb[], target-bigquery as a REPEATED RECORD. These macros read
    them alike: `array_items` joins each row to its items, `item_field` reads one key
    of an item as text (BigQuery: typed), to be cast by the model. -#}
{% macro array_items(relation, column, item) -%}
    {{ return(adapter.dispatch('array_items', 'lucca')(relation, column, item)) }}
{%- endmacro %}

{% macro default__array_items(relation, column, item) -%}
    cross join unnest(cast({{ relation }}.{{ col(column) }} as json[])) as {{ item }}_rows({{ item }})
{%- endmacro %}

{% macro postgres__array_items(relation, column, item) -%}
    cross join lateral unnest({{ relation }}.{{ col(column) }}) as {{ item }}_rows({{ item }})
{%- endmacro %}

{% macro bigquery__array_items(relation, column, item) -%}
    cross join unnest({{ relation }}.{{ col(column) }}) as {{ item }}
{%- endmacro %}

{% macro item_field(item, key) -%}
    {{ return(adapter.dispatch('item_field', 'lucca')(item, key)) }}
{%- endmacro %}

{% macro default__item_field(item, key) -%}
    json_extract_string({{ item }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__item_field(item, key) -%}
    ({{ item }} ->> '{{ key }}')
{%- endmacro %}

{% macro bigquery__item_field(item, key) -%}
    {{ item }}.{{ key }}
{%- endmacro %}

{#- A double-precision number: dbt's type_float is 4 bytes on DuckDB. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'lucca')()) }}
{%- endmacro %}

{% macro default__type_double() -%} double {%- endmacro %}

{% macro postgres__type_double() -%} double precision {%- endmacro %}

{% macro bigquery__type_double() -%} float64 {%- endmacro %}

{#- A wide view of one tenant's custom fields: one row per person, one column per
    field, named after the field. A multi-valued field lists its values in order,
    comma-separated; a list field shows the entry's label. It reads the tenant's
    fields from stg_custom_fields when it runs. -#}
{% macro custom_fields_wide(tenant) -%}
    {%- set fields = [] -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select field_id, field_name, field_type, is_multi_value from "
            ~ ref('stg_custom_fields') ~ " where tenant = '" ~ tenant | replace("'", "''")
            ~ "' order by field_id"
        ) -%}
        {%- set fields = found.rows -%}
    {%- endif -%}
    {%- set names = [] -%}
    select
        tenant,
        employee_id
    {%- for field_id, field_name, field_type, is_multi_value in fields %}
        {%- set name = (field_name or field_id) | replace('"', "'") -%}
        {%- set name = name if name not in names else name ~ ' (' ~ field_id ~ ')' -%}
        {%- do names.append(name) %},
        {%- set this_field = "field_id = '" ~ field_id | replace("'", "''") ~ "'" %}
        {%- if is_multi_value %}
        {{ dbt.listagg(
            "case when " ~ this_field ~ " then " ~ custom_field_text() ~ " end",
            "', '",
            "order by position"
        ) }}
        {%- elif field_type == 'number' or field_type == 'integer' %}
        max(case when {{ this_field }} then number_value end)
        {%- elif field_type == 'date' %}
        max(case when {{ this_field }} then date_value end)
        {%- elif field_type == 'boolean' %}
        max(case when {{ this_field }} then case when boolean_value then 1 else 0 end end) = 1
        {%- else %}
        max(case when {{ this_field }} then {{ custom_field_text() }} end)
        {%- endif %} as {{ adapter.quote(name) }}
    {%- endfor %}
    from {{ ref('custom_field_values') }}
    where tenant = '{{ tenant | replace("'", "''") }}'
    group by tenant, employee_id
{%- endmacro %}

{#- A value as text, whatever its type: the label of a list entry, else the value. -#}
{% macro custom_field_text() -%}
    coalesce(list_entry_label, text_value, cast(number_value as {{ dbt.type_string() }}),
        cast(date_value as {{ dbt.type_string() }}),
        cast(boolean_value as {{ dbt.type_string() }}), raw_value)
{%- endmacro %}

{#- `dbt run-operation create_custom_fields_wide_view --args '{tenant: acme.ilucca.net}'`:
    the tenant's wide view, `custom_fields_wide__<tenant>` in the analytics schema of the
    target (`<target schema>_analytics`, as the marts) unless `view` names it. Run it again after a field is added or renamed in Lucca. -#}
{% macro create_custom_fields_wide_view(tenant, view=none) -%}
    {%- set name = view or 'custom_fields_wide__' ~ modules.re.sub('[^a-z0-9]+', '_', tenant | lower) -%}
    {%- set relation = api.Relation.create(
        database=target.database, schema=generate_schema_name('analytics', none),
        identifier=name, type='view'
    ) -%}
    {%- do run_query(create_view_as(relation, custom_fields_wide(tenant))) -%}
    {#- PostgreSQL keeps an operation's statements in a transaction of its own. -#}
    {%- if target.type == 'postgres' %}{% do run_query('commit') %}{% endif -%}
    {{ log('Created ' ~ relation, info=true) }}
{%- endmacro %}
