-- New Lucca API: one row per employment (work contract) and per job position in force
-- during it, with the job title, department and manager of that stretch of time.
-- valid_from/valid_to are days, both included; valid_to is null while open.
-- Built only for a new-API load (`--vars '{new_api: true}'`): a legacy load has no
-- employments nor job positions.
{{ config(enabled=var('new_api', false)) }}

with employments as (
    select
        tenant,
        cast({{ col('id') }} as {{ dbt.type_bigint() }}) as employment_id,
        cast({{ reference_id('employee') }} as {{ dbt.type_bigint() }}) as employee_id,
        cast({{ col('startsOn') }} as date) as starts_on,
        cast({{ col('endsOn') }} as date) as ends_on
    from {{ source('lucca_api', 'employments') }}
    -- The tap emits a resource deleted in Lucca with _sdc_deleted_at set.
    where {{ col('_sdc_deleted_at') }} is null
),

positions as (
    select
        tenant,
        cast({{ col('id') }} as {{ dbt.type_bigint() }}) as job_position_id,
        cast({{ reference_id('employment') }} as {{ dbt.type_bigint() }}) as employment_id,
        {{ col('jobTitle') }} as job_title,
        cast({{ reference_id('department') }} as {{ dbt.type_bigint() }}) as department_id,
        cast({{ reference_id('manager') }} as {{ dbt.type_bigint() }}) as manager_id,
        cast({{ col('startsOn') }} as date) as starts_on,
        cast({{ col('endsOn') }} as date) as ends_on
    from {{ source('lucca_api', 'job_positions') }}
    where {{ col('_sdc_deleted_at') }} is null
)

select
    employments.tenant,
    employments.employment_id,
    employments.employee_id,
    positions.job_position_id,
    positions.job_title,
    positions.department_id,
    departments.department_name,
    positions.manager_id,
    case
        when positions.starts_on > employments.starts_on then positions.starts_on
        else employments.starts_on
    end as valid_from,
    case
        when positions.ends_on is null then employments.ends_on
        when employments.ends_on is null or positions.ends_on < employments.ends_on
            then positions.ends_on
        else employments.ends_on
    end as valid_to
from employments
inner join positions
    on positions.tenant = employments.tenant
    and positions.employment_id = employments.employment_id
    and (employments.ends_on is null or positions.starts_on <= employments.ends_on)
    and (positions.ends_on is null or positions.ends_on >= employments.starts_on)
left join {{ ref('stg_departments') }} as departments
    on departments.tenant = positions.tenant
    and departments.department_id = positions.department_id
