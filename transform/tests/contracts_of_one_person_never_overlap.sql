-- Two contracts of one account never share a day.
select earlier.tenant, earlier.contract_id, later.contract_id as overlapping_contract_id
from {{ ref('stg_contracts') }} as earlier
inner join {{ ref('stg_contracts') }} as later
    on later.tenant = earlier.tenant
    and later.user_id = earlier.user_id
    and later.contract_id <> earlier.contract_id
    and later.starts_on >= earlier.starts_on
    and (earlier.ends_on is null or later.starts_on <= earlier.ends_on)
