-- A month's headcount, over all departments, is the number of accounts with a
-- contract in force on the day it is counted (its last day; today for this month).
with counted as (
    select tenant, month_end, sum(headcount) as headcount
    from {{ ref('headcount_by_department_month') }}
    group by tenant, month_end
),

expected as (
    select
        counted.tenant,
        counted.month_end,
        count(distinct contracts.user_id) as headcount
    from counted
    left join {{ ref('stg_contracts') }} as contracts
        on contracts.tenant = counted.tenant
        and contracts.starts_on <= case when counted.month_end > current_date then current_date else counted.month_end end
        and (
            contracts.ends_on is null
            or contracts.ends_on >= case when counted.month_end > current_date then current_date else counted.month_end end
        )
    group by counted.tenant, counted.month_end
)

select counted.tenant, counted.month_end, counted.headcount, expected.headcount as expected
from counted
inner join expected on expected.tenant = counted.tenant and expected.month_end = counted.month_end
where counted.headcount <> expected.headcount
