-- New Lucca API: each custom-field value of each employee (employee-extensions, typed
-- by the tap from the fields' definitions).

select
    tenant,
    cast({{ col('employeeId') }} as {{ dbt.type_bigint() }}) as employee_id,
    {{ col('id') }} as value_id,
    {{ col('fieldId') }} as field_id,
    {{ col('textValue') }} as text_value,
    cast({{ col('numberValue') }} as {{ type_double() }}) as number_value,
    cast({{ col('dateValue') }} as date) as date_value,
    {{ col('booleanValue') }} as boolean_value,
    {{ col('listEntryId') }} as list_entry_id,
    {{ col('listEntryLabel') }} as list_entry_label,
    {{ col('rawValue') }} as raw_value
from {{ source('lucca_api', 'custom_field_values') }}
{{ current_rows() }}
