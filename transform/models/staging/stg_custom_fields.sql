-- Each tenant's custom fields, as both API generations land them (one shape): the
-- legacy user properties of the extension category, or the new API's
-- employee-extension-definitions.
select
    tenant,
    {{ col('id') }} as field_id,
    {{ col('name') }} as field_name,
    {{ col('type') }} as field_type,
    {{ col('format') }} as value_format,
    {{ col('isMultivalue') }} as is_multi_value,
    {{ col('isArchived') }} as is_archived,
    {{ col('multipleValueSorting') }} as multiple_value_sorting
from {{ source('lucca', 'custom_fields') }}
{{ current_rows() }}
