-- Legacy API: the tenant's analytical axes (cost centers, projects…).
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as axis_id,
    {{ col('name') }} as axis_name
from {{ source('lucca', 'axes') }}
{{ current_rows() }}
