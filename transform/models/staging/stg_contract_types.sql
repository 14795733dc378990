-- Labels for contracts' typeId (CDI, CDD…).
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as contract_type_id,
    {{ col('name') }} as contract_type_name,
    {{ col('code') }} as contract_type_code,
    {{ col('isArchived') }} as is_archived
from {{ source('lucca', 'contract_types') }}
{{ current_rows() }}
