-- Headcount at each month's end by department, with the month's hires and leavers.
-- A person counts in a month when one of their contracts is in force on its last day
-- (counted_on; for the current month, today: future hires wait until they start), in
-- the department they were in that day. Each Lucca account counts: a person with two
-- accounts counts twice in `headcount`, once in `people_headcount` (accounts sharing
-- a mail are one person).
with calendar as (
    select
        month_start,
        cast({{ dbt.last_day('month_start', 'month') }} as date) as month_end
    from (
        {{ month_spine("cast('" ~ var('calendar_start') ~ "' as date)", 'current_date') }}
    ) as months
),

tenants as (
    select tenant, min(starts_on) as first_day
    from {{ ref('stg_contracts') }}
    group by tenant
),

periods as (
    select
        tenants.tenant,
        calendar.month_start,
        calendar.month_end,
        case when calendar.month_end > current_date then current_date else calendar.month_end end
            as counted_on
    from calendar
    inner join tenants on calendar.month_end >= tenants.first_day
),

employed as (
    select distinct periods.tenant, periods.month_end, periods.counted_on, contracts.user_id
    from periods
    inner join {{ ref('stg_contracts') }} as contracts
        on contracts.tenant = periods.tenant
        and contracts.starts_on <= periods.counted_on
        and (contracts.ends_on is null or contracts.ends_on >= periods.counted_on)
),

movements as (
    select tenant, user_id, contract_starts_on as on_day, 1 as hires, 0 as leavers
    from {{ ref('stg_users') }}
    where contract_starts_on is not null
    union all
    select tenant, user_id, contract_ends_on, 0, 1
    from {{ ref('stg_users') }}
    where contract_ends_on is not null
),

events as (
    select tenant, month_end, user_id, counted_on as on_day, 1 as headcount, 0 as hires, 0 as leavers
    from employed
    union all
    select periods.tenant, periods.month_end, movements.user_id, movements.on_day, 0, movements.hires, movements.leavers
    from movements
    inner join periods
        on periods.tenant = movements.tenant
        and movements.on_day between periods.month_start and periods.month_end
),

placed as (
    select
        events.*,
        user_departments.department_id,
        coalesce(users.monthly_contract_hours / {{ var('full_time_monthly_hours') }}, 1.0) as fte,
        coalesce(lower(users.mail), cast(users.user_id as {{ dbt.type_string() }})) as person_key
    from events
    inner join {{ ref('stg_users') }} as users
        on users.tenant = events.tenant and users.user_id = events.user_id
    left join {{ ref('user_departments') }} as user_departments
        on user_departments.tenant = events.tenant
        and user_departments.user_id = events.user_id
        and (user_departments.valid_from is null or user_departments.valid_from <= events.on_day)
        and (user_departments.valid_until is null or user_departments.valid_until > events.on_day)
)

select
    tenant,
    month_end,
    department_id,
    sum(headcount) as headcount,
    count(distinct case when headcount = 1 then person_key end) as people_headcount,
    cast(sum(headcount * fte) as {{ dbt.type_numeric() }}) as fte_headcount,
    sum(hires) as hires,
    sum(leavers) as leavers
from placed
group by tenant, month_end, department_id
