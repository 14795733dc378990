-- Who was in which department when: one row per user and period, from Lucca's change
-- log (attribute `departmentid`). The first logged value also holds before it was
-- logged (valid_from null); a user with no logged change has been in their current
-- department all along. A period runs from valid_from (included) to valid_until
-- (excluded, null while it lasts).
with changes as (
    select
        tenant,
        user_id,
        cast(new_value as {{ dbt.type_bigint() }}) as department_id,
        starts_on,
        row_number() over (partition by tenant, user_id order by starts_on, history_id) as position,
        lead(starts_on) over (partition by tenant, user_id order by starts_on, history_id) as next_starts_on
    from {{ ref('stg_user_history') }}
    where attribute = 'departmentid'
)
select
    tenant,
    user_id,
    department_id,
    case when position = 1 then null else starts_on end as valid_from,
    next_starts_on as valid_until
from changes
union all
select
    users.tenant,
    users.user_id,
    users.department_id,
    cast(null as date),
    cast(null as date)
from {{ ref('stg_users') }} as users
where not exists (
    select 1
    from changes
    where changes.tenant = users.tenant and changes.user_id = users.user_id
)
