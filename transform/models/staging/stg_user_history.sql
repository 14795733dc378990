-- Lucca's change log of a user's department (attribute `departmentid`), manager and
-- legal entity: each row is one attribute's value from starts_on on.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as history_id,
    cast({{ col('ownerId') }} as {{ dbt.type_bigint() }}) as user_id,
    {{ col('name') }} as attribute,
    {{ col('oldValue') }} as old_value,
    {{ col('value') }} as new_value,
    {{ to_date(col('startsOn')) }} as starts_on,
    cast({{ col('modifiedAt') }} as {{ dbt.type_timestamp() }}) as modified_at,
    cast({{ col('authorId') }} as {{ dbt.type_bigint() }}) as author_id,
    {{ col('modificationSource') }} as modification_source,
    {{ col('entryType') }} as entry_type
from {{ source('lucca', 'user_history') }}
{{ current_rows() }}
