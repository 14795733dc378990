-- New Lucca API: every employee, active, upcoming and deactivated.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as employee_id,
    {{ col('givenName') }} as given_name,
    {{ col('familyName') }} as family_name,
    {{ col('email') }} as email,
    {{ col('employeeNumber') }} as employee_number,
    {{ col('remoteId') }} as remote_id,
    {{ col('status') }} as status,
    {{ col('phoneNumber') }} as phone_number,
    cast({{ json_field('birthDay', 'day') }} as {{ dbt.type_int() }}) as birth_day,
    cast({{ json_field('birthDay', 'month') }} as {{ dbt.type_int() }}) as birth_month,
    {{ reference_id('portrait') }} as portrait_id,
    cast({{ reference_id('applicableEmployment') }} as {{ dbt.type_bigint() }}) as applicable_employment_id,
    cast({{ reference_id('applicableJobPosition') }} as {{ dbt.type_bigint() }}) as applicable_job_position_id,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('lastUpdatedAt') }} as {{ dbt.type_timestamp() }}) as last_updated_at
from {{ source('lucca_api', 'employees') }}
{{ current_rows() }}
