-- Establishments: what v3 calls a user's legal entity.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as establishment_id,
    {{ col('name') }} as establishment_name,
    {{ col('code') }} as establishment_code,
    cast({{ col('legalUnitId') }} as {{ dbt.type_bigint() }}) as legal_unit_id,
    {{ col('siret') }} as siret,
    {{ col('timeZoneId') }} as time_zone_id,
    {{ col('isArchived') }} as is_archived,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('lastModifiedAt') }} as {{ dbt.type_timestamp() }}) as last_modified_at
from {{ source('lucca', 'establishments') }}
{{ current_rows() }}
