-- Absence per person, day and leave account, cancelled leaves left out. A leave is a
-- half-day: on an account counted in days it is half a day (days), on one counted in
-- hours it is its hours (hours). An account missing from leave_accounts counts in days.
-- Planned absences are here too (absence_date after today).
{{ config(enabled=var('absences', true)) }}
with leaves as (
    select
        leaves.tenant,
        leaves.user_id,
        leaves.leave_date,
        leaves.leave_account_id,
        leaves.hours,
        leaves.is_confirmed,
        accounts.leave_account_name,
        coalesce(accounts.counted_in, 'days') as counted_in
    from {{ ref('stg_leaves') }} as leaves
    left join {{ ref('stg_leave_accounts') }} as accounts
        on accounts.tenant = leaves.tenant
        and accounts.leave_account_id = leaves.leave_account_id
    where leaves.cancelled_at is null
)

select
    tenant,
    user_id,
    leave_date as absence_date,
    leave_account_id,
    leave_account_name,
    counted_in,
    count(*) as half_days,
    cast(case when counted_in = 'days' then 0.5 * count(*) end as {{ dbt.type_float() }}) as days,
    cast(case when counted_in = 'hours' then sum(hours) end as {{ dbt.type_float() }}) as hours,
    min(case when is_confirmed then 1 else 0 end) = 1 as is_confirmed
from leaves
group by tenant, user_id, leave_date, leave_account_id, leave_account_name, counted_in
