-- Labels for contracts' hiringTypeId.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as hiring_type_id,
    {{ col('name') }} as hiring_type_name,
    {{ col('code') }} as hiring_type_code,
    {{ col('isArchived') }} as is_archived
from {{ source('lucca', 'contract_hiring_types') }}
{{ current_rows() }}
