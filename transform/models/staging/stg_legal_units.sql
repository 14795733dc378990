-- Legal units: the companies (SIREN level) establishments belong to.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as legal_unit_id,
    {{ col('name') }} as legal_unit_name,
    {{ col('code') }} as legal_unit_code,
    {{ col('siren') }} as siren,
    {{ col('countryCode') }} as country_code,
    {{ col('currencyCode') }} as currency_code,
    {{ col('isArchived') }} as is_archived,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('lastModifiedAt') }} as {{ dbt.type_timestamp() }}) as last_modified_at
from {{ source('lucca', 'legal_units') }}
{{ current_rows() }}
