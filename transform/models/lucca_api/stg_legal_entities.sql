-- New Lucca API: legal entities, the companies (legacy legal units).
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as legal_entity_id,
    {{ col('legalName') }} as legal_name,
    {{ col('remoteId') }} as remote_id,
    {{ col('countryCode') }} as country_code,
    {{ col('currencyCode') }} as currency_code,
    {{ json_field('taxIdentificationNumber', 'format') }} as tax_identification_number_format,
    {{ json_field('taxIdentificationNumber', 'value') }} as tax_identification_number,
    {{ json_field('industryCode', 'format') }} as industry_code_format,
    {{ json_field('industryCode', 'value') }} as industry_code,
    {{ col('isArchived') }} as is_archived,
    cast({{ col('lastArchivedAt') }} as {{ dbt.type_timestamp() }}) as last_archived_at,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('lastUpdatedAt') }} as {{ dbt.type_timestamp() }}) as last_updated_at
from {{ source('lucca_api', 'legal_entities') }}
{{ current_rows() }}
