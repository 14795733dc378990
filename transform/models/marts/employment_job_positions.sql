-- New Lucca API: one row per employment (work contract) and per job position in force
-- during it, with the job title, department, establishment and manager of that stretch of time.
-- valid_from/valid_to are days, both included; valid_to is null while open.
-- Built only for a new-API load (`--vars '{new_api: true}'`): a legacy load has no
-- employments nor job positions.
{{ config(enabled=var('new_api', false)) }}

select
    employments.tenant,
    employments.employment_id,
    employments.employee_id,
    positions.job_position_id,
    positions.job_title,
    positions.department_id,
    departments.department_name,
    positions.business_establishment_id,
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
from {{ ref('stg_employments') }} as employments
inner join {{ ref('stg_job_positions') }} as positions
    on positions.tenant = employments.tenant
    and positions.employment_id = employments.employment_id
    and (employments.ends_on is null or positions.starts_on <= employments.ends_on)
    and (positions.ends_on is null or positions.ends_on >= employments.starts_on)
left join {{ ref('stg_departments') }} as departments
    on departments.tenant = positions.tenant
    and departments.department_id = positions.department_id
