{#- One row per month (month_start, a DATE) from start_date's month to end_date's, with
    no recursion and no query at compile time: month offsets 0..999 come from three
    cross-joined digits. dbt's own date_spine asks the warehouse for the interval count
    while compiling, which a compile without credentials (BigQuery) cannot do. -#}
{% macro month_spine(start_date, end_date) -%}
    with digits as (
        {% for digit in range(10) -%}
        select {{ digit }} as digit{% if not loop.last %} union all{% endif %}
        {% endfor %}
    ),

    offsets as (
        select units.digit + 10 * tens.digit + 100 * hundreds.digit as month_offset
        from digits as units
        cross join digits as tens
        cross join digits as hundreds
    ),

    months as (
        select cast({{ dbt.dateadd('month', 'month_offset', dbt.date_trunc('month', start_date)) }} as date) as month_start
        from offsets
    )

    select month_start
    from months
    where month_start <= cast({{ dbt.date_trunc('month', end_date) }} as date)
{%- endmacro %}
