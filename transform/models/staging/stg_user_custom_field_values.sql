-- Legacy API: each custom-field value of each user, one row per user, field and value,
-- from the users' customFields (typed by the tap from the fields' definitions). They
-- come with the user's row, so an incremental sync keeps them as current as it.
select
    users.tenant,
    cast(users.{{ col('id') }} as {{ dbt.type_bigint() }}) as user_id,
    cast({{ item_field('item', 'id') }} as {{ dbt.type_string() }}) as value_id,
    cast({{ item_field('item', 'fieldId') }} as {{ dbt.type_string() }}) as field_id,
    cast({{ item_field('item', 'position') }} as {{ dbt.type_int() }}) as position,
    cast({{ item_field('item', 'textValue') }} as {{ dbt.type_string() }}) as text_value,
    cast({{ item_field('item', 'numberValue') }} as {{ type_double() }}) as number_value,
    cast({{ item_field('item', 'dateValue') }} as date) as date_value,
    cast({{ item_field('item', 'booleanValue') }} as {{ dbt.type_boolean() }}) as boolean_value,
    cast({{ item_field('item', 'listEntryId') }} as {{ dbt.type_string() }}) as list_entry_id,
    cast({{ item_field('item', 'listEntryLabel') }} as {{ dbt.type_string() }}) as list_entry_label,
    cast({{ item_field('item', 'rawValue') }} as {{ dbt.type_string() }}) as raw_value
from {{ source('lucca', 'users') }} as users
{{ array_items('users', 'customFields', 'item') }}
{{ current_rows() }}
