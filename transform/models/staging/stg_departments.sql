-- The department tree as Lucca gives it, with the tap's derived parent and level.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as department_id,
    {{ col('name') }} as department_name,
    {{ col('code') }} as department_code,
    cast({{ col('parentDepartmentId') }} as {{ dbt.type_bigint() }}) as parent_department_id,
    cast({{ col('level') }} as {{ dbt.type_int() }}) as level,
    {{ col('isActive') }} as is_active,
    cast({{ col('headId') }} as {{ dbt.type_bigint() }}) as head_user_id,
    cast({{ col('sortOrderInSiblings') }} as {{ dbt.type_int() }}) as sort_order_in_siblings,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('lastModifiedAt') }} as {{ dbt.type_timestamp() }}) as last_modified_at
from {{ source('lucca', 'departments') }}
{{ current_rows() }}
