-- Absenteeism per department and month, up to the current month (see the model's docs
-- for the definition): the absent days of the people in the department on the days
-- they were away, over its headcount at the month's end times the month's working days.
{{ config(enabled=var('absences', true)) }}
with absences as (
    select
        person_days.tenant,
        cast({{ dbt.date_trunc('month', 'person_days.absence_date') }} as date) as month_start,
        user_departments.department_id,
        person_days.days,
        person_days.hours
    from {{ ref('absences_by_person_day') }} as person_days
    left join {{ ref('user_departments') }} as user_departments
        on user_departments.tenant = person_days.tenant
        and user_departments.user_id = person_days.user_id
        and (user_departments.valid_from is null or user_departments.valid_from <= person_days.absence_date)
        and (user_departments.valid_until is null or user_departments.valid_until > person_days.absence_date)
    where person_days.absence_date <= cast({{ dbt.last_day('current_date', 'month') }} as date)
),

facts as (
    select
        tenant,
        cast({{ dbt.date_trunc('month', 'month_end') }} as date) as month_start,
        department_id,
        headcount,
        cast(0 as {{ dbt.type_float() }}) as absent_days,
        cast(0 as {{ dbt.type_float() }}) as absent_hours
    from {{ ref('headcount_by_department_month') }}
    union all
    select tenant, month_start, department_id, 0, coalesce(days, 0), coalesce(hours, 0)
    from absences
),

per_department as (
    select
        tenant,
        month_start,
        department_id,
        sum(headcount) as headcount,
        sum(absent_days) as absent_days,
        sum(absent_hours) as absent_hours
    from facts
    group by tenant, month_start, department_id
),

days as (
    select
        months.month_start,
        cast({{ dbt.dateadd('day', 'offsets.day_offset', 'months.month_start') }} as date) as calendar_day
    from (select distinct month_start from per_department) as months
    cross join ({{ day_offsets(31) }}) as offsets
),

working_days as (
    select month_start, count(*) as working_days
    from days
    where calendar_day <= cast({{ dbt.last_day('month_start', 'month') }} as date)
        and {{ is_working_day('calendar_day') }}
    group by month_start
)

select
    per_department.tenant,
    cast({{ dbt.last_day('per_department.month_start', 'month') }} as date) as month_end,
    per_department.department_id,
    per_department.headcount,
    working_days.working_days,
    per_department.absent_days,
    per_department.absent_hours,
    case
        when per_department.headcount > 0
            then per_department.absent_days / (per_department.headcount * working_days.working_days)
    end as absence_rate
from per_department
inner join working_days on working_days.month_start = per_department.month_start
