-- New Lucca API: employments (work contracts). In force from starts_on to ends_on,
-- both days included; ends_on is null while open. Lucca nests the days: start.date, end.date.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as employment_id,
    cast({{ reference_id('employee') }} as {{ dbt.type_bigint() }}) as employee_id,
    cast({{ reference_id('legalEntity') }} as {{ dbt.type_bigint() }}) as legal_entity_id,
    cast({{ reference_id('template') }} as {{ dbt.type_bigint() }}) as employment_template_id,
    {{ to_date(json_field('start', 'date')) }} as starts_on,
    {{ to_date(json_field('end', 'date')) }} as ends_on,
    {{ col('status') }} as status,
    {{ col('remoteId') }} as remote_id,
    {{ reference_id('document') }} as document_id,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('lastUpdatedAt') }} as {{ dbt.type_timestamp() }}) as last_updated_at
from {{ source('lucca_api', 'employments') }}
{{ current_rows() }}
