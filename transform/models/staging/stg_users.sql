-- Every employee account: current, former and future. v3 dates are midnight
-- timestamps: they become DATEs here.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as user_id,
    {{ col('name') }} as user_name,
    {{ col('firstName') }} as first_name,
    {{ col('lastName') }} as last_name,
    {{ col('displayName') }} as display_name,
    {{ col('login') }} as login,
    {{ col('mail') }} as mail,
    {{ col('employeeNumber') }} as employee_number,
    {{ col('gender') }} as gender,
    {{ col('jobTitle') }} as job_title,
    cast({{ col('departmentId') }} as {{ dbt.type_bigint() }}) as department_id,
    cast({{ col('managerId') }} as {{ dbt.type_bigint() }}) as manager_id,
    cast({{ col('legalEntityId') }} as {{ dbt.type_bigint() }}) as establishment_id,
    cast({{ col('cspId') }} as {{ dbt.type_bigint() }}) as occupation_category_id,
    {{ to_date(col('birthDate')) }} as birth_date,
    {{ to_date(col('dtContractStart')) }} as contract_starts_on,
    {{ to_date(col('dtContractEnd')) }} as contract_ends_on,
    {{ to_date(col('seniorityDate')) }} as seniority_date,
    cast({{ col('fullTimeEquivalent') }} as {{ dbt.type_float() }}) as monthly_contract_hours,
    cast({{ col('manager2Id') }} as {{ dbt.type_bigint() }}) as second_manager_id,
    cast({{ col('lastAnnualReviewDate') }} as {{ dbt.type_timestamp() }}) as last_annual_review_at,
    cast({{ col('lastProfessionalReviewDate') }} as {{ dbt.type_timestamp() }}) as last_professional_review_at,
    cast({{ col('lastFixedWorkingDaysReviewDate') }} as {{ dbt.type_timestamp() }}) as last_fixed_working_days_review_at,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('modifiedAt') }} as {{ dbt.type_timestamp() }}) as modified_at
from {{ source('lucca', 'users') }}
{{ current_rows() }}
