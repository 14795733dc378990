-- Labels for contracts' terminationReasonId.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as termination_reason_id,
    {{ col('name') }} as termination_reason_name,
    {{ col('code') }} as termination_reason_code,
    {{ col('isArchived') }} as is_archived
from {{ source('lucca', 'contract_termination_reasons') }}
{{ current_rows() }}
