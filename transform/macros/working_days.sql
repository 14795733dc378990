{#- Whether a DATE is a working day: Monday to Friday. Lucca's holiday calendars are
    not read, so public holidays count as working days. -#}
{% macro is_working_day(column) -%}
    {{ return(adapter.dispatch('is_working_day', 'lucca')(column)) }}
{%- endmacro %}

{% macro default__is_working_day(column) -%}
    extract(isodow from {{ column }}) < 6
{%- endmacro %}

{% macro bigquery__is_working_day(column) -%}
    extract(dayofweek from {{ column }}) not in (1, 7)
{%- endmacro %}

{#- Rows day_offset 0 .. count - 1 (count up to 100), from cross-joined digits: no
    recursion and no query at compile time, like month_spine. -#}
{% macro day_offsets(count) -%}
    select tens.digit * 10 + units.digit as day_offset
    from ({% for digit in range(10) %}select {{ digit }} as digit{% if not loop.last %} union all {% endif %}{% endfor %}) as units
    cross join ({% for digit in range(10) %}select {{ digit }} as digit{% if not loop.last %} union all {% endif %}{% endfor %}) as tens
    where tens.digit * 10 + units.digit < {{ count }}
{%- endmacro %}
