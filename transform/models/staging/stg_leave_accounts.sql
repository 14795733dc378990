-- Lucca Absences' leave accounts: the types of absence. counted_in says how a leave on
-- the account counts: 'hours' when Lucca's unit is hours (the new API's `workingHours`
-- too), else 'days'.
{{ config(enabled=var('absences', true)) }}
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as leave_account_id,
    {{ col('name') }} as leave_account_name,
    {{ col('unit') }} as unit,
    case when lower({{ col('unit') }}) in ('hours', 'workinghours') then 'hours' else 'days' end
        as counted_in,
    {{ col('isActive') }} as is_active
from {{ source('lucca', 'leave_accounts') }}
{{ current_rows() }}
