-- Lucca Absences' leaves: one row per half-day, as Lucca holds them. Cancelled leaves
-- keep their cancelled_at (a loader that honours deletes marks them, and staging then
-- leaves them out). Off with var absences: false, for tenants without the module.
{{ config(enabled=var('absences', true)) }}
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_string() }}) as leave_id,
    cast({{ col('ownerId') }} as {{ dbt.type_bigint() }}) as user_id,
    {{ to_date(col('date')) }} as leave_date,
    {{ col('isAm') }} as is_morning,
    cast({{ col('leaveAccountId') }} as {{ dbt.type_bigint() }}) as leave_account_id,
    cast({{ col('leavePeriodId') }} as {{ dbt.type_bigint() }}) as leave_period_id,
    cast({{ col('hours') }} as {{ dbt.type_float() }}) as hours,
    {{ col('isConfirmed') }} as is_confirmed,
    {{ col('isActive') }} as is_active,
    {{ col('comment') }} as comment,
    cast({{ col('creationDate') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('confirmationDate') }} as {{ dbt.type_timestamp() }}) as confirmed_at,
    cast({{ col('cancellationDate') }} as {{ dbt.type_timestamp() }}) as cancelled_at,
    cast({{ col('cancellationUserId') }} as {{ dbt.type_bigint() }}) as cancelled_by_user_id,
    cast({{ col('changedAt') }} as {{ dbt.type_timestamp() }}) as changed_at
from {{ source('lucca', 'leaves') }}
{{ current_rows() }}
