-- One row per contract and per department period in force during it: the part of the
-- contract spent in each department (both ends included; ends_on null while open).
-- Lucca keeps no history of job titles: job_title is the owner's title today.
select
    contracts.tenant,
    contracts.contract_id,
    contracts.user_id,
    placed.department_id,
    case
        when placed.valid_from is null or placed.valid_from < contracts.starts_on
            then contracts.starts_on
        else placed.valid_from
    end as starts_on,
    case
        when placed.valid_until is null then contracts.ends_on
        when contracts.ends_on is null
            or contracts.ends_on >= {{ dbt.dateadd('day', -1, 'placed.valid_until') }}
            then cast({{ dbt.dateadd('day', -1, 'placed.valid_until') }} as date)
        else contracts.ends_on
    end as ends_on,
    users.job_title
from {{ ref('stg_contracts') }} as contracts
inner join {{ ref('stg_users') }} as users
    on users.tenant = contracts.tenant and users.user_id = contracts.user_id
inner join {{ ref('user_departments') }} as placed
    on placed.tenant = contracts.tenant
    and placed.user_id = contracts.user_id
    and (placed.valid_until is null or placed.valid_until > contracts.starts_on)
    and (placed.valid_from is null or contracts.ends_on is null or placed.valid_from <= contracts.ends_on)
