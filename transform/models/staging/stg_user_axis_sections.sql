-- Legacy API: each user's section on each analytical axis (users' axisSections), one
-- row per user and axis, whatever the axis ids of the tenant.
select
    users.tenant,
    cast(users.{{ col('id') }} as {{ dbt.type_bigint() }}) as user_id,
    cast({{ item_field('item', 'axisId') }} as {{ dbt.type_bigint() }}) as axis_id,
    cast({{ item_field('item', 'axisName') }} as {{ dbt.type_string() }}) as axis_name,
    cast({{ item_field('item', 'sectionId') }} as {{ dbt.type_bigint() }}) as section_id,
    cast({{ item_field('item', 'sectionName') }} as {{ dbt.type_string() }}) as section_name
from {{ source('lucca', 'users') }} as users
{{ array_items('users', 'axisSections', 'item') }}
{{ current_rows() }}
