-- Each department period of a contract starts on or after the contract and ends
-- on or before it, and never ends before it starts.
select periods.*
from {{ ref('contract_department_periods') }} as periods
inner join {{ ref('stg_contracts') }} as contracts
    on contracts.tenant = periods.tenant and contracts.contract_id = periods.contract_id
where periods.starts_on < contracts.starts_on
    or (periods.ends_on is not null and periods.ends_on < periods.starts_on)
    or (contracts.ends_on is not null and (periods.ends_on is null or periods.ends_on > contracts.ends_on))
