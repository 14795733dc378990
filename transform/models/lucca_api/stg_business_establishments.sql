-- New Lucca API: business establishments (legacy establishments, v3's "legal entity").
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as business_establishment_id,
    {{ col('name') }} as business_establishment_name,
    {{ col('remoteId') }} as remote_id,
    cast({{ reference_id('legalEntity') }} as {{ dbt.type_bigint() }}) as legal_entity_id,
    {{ col('isHeadquarters') }} as is_headquarters,
    {{ col('timezoneId') }} as timezone_id,
    {{ json_field('taxIdentificationNumber', 'format') }} as tax_identification_number_format,
    {{ json_field('taxIdentificationNumber', 'value') }} as tax_identification_number,
    {{ json_field('industryCode', 'format') }} as industry_code_format,
    {{ json_field('industryCode', 'value') }} as industry_code,
    {{ json_field('address', 'postalCode') }} as postal_code,
    {{ json_field('address', 'locality') }} as locality,
    {{ json_field('address', 'administrativeArea') }} as administrative_area,
    {{ json_field('address', 'countryCode') }} as country_code,
    {{ col('isArchived') }} as is_archived,
    cast({{ col('lastArchivedAt') }} as {{ dbt.type_timestamp() }}) as last_archived_at,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('lastUpdatedAt') }} as {{ dbt.type_timestamp() }}) as last_updated_at
from {{ source('lucca_api', 'business_establishments') }}
{{ current_rows() }}
