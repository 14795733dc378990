-- Legacy API: the sections of every analytical axis, e.g. each cost center.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as section_id,
    {{ col('code') }} as section_code,
    {{ col('name') }} as section_name,
    cast({{ col('axisId') }} as {{ dbt.type_bigint() }}) as axis_id,
    {{ col('axisName') }} as axis_name,
    {{ col('active') }} as is_active
from {{ source('lucca', 'axis_sections') }}
{{ current_rows() }}
