-- Each work contract in the department its owner was in on its first day, with the
-- contract type's label. Lucca keeps no history of job titles: job_title is today's.
select
    contracts.tenant,
    contracts.contract_id,
    contracts.user_id,
    users.user_name,
    contracts.starts_on,
    contracts.ends_on,
    contract_types.contract_type_name as contract_type,
    placed.department_id,
    departments.department_name,
    users.job_title
from {{ ref('stg_contracts') }} as contracts
inner join {{ ref('stg_users') }} as users
    on users.tenant = contracts.tenant and users.user_id = contracts.user_id
left join {{ ref('user_departments') }} as placed
    on placed.tenant = contracts.tenant
    and placed.user_id = contracts.user_id
    and (placed.valid_from is null or placed.valid_from <= contracts.starts_on)
    and (placed.valid_until is null or placed.valid_until > contracts.starts_on)
left join {{ ref('stg_departments') }} as departments
    on departments.tenant = placed.tenant and departments.department_id = placed.department_id
left join {{ ref('stg_contract_types') }} as contract_types
    on contract_types.tenant = contracts.tenant
    and contract_types.contract_type_id = contracts.contract_type_id
