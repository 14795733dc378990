-- Socio-professional categories: labels for contracts' spcId.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as occupation_category_id,
    {{ col('name') }} as occupation_category_name,
    {{ col('code') }} as occupation_category_code,
    {{ col('isArchived') }} as is_archived
from {{ source('lucca', 'occupation_categories') }}
{{ current_rows() }}
