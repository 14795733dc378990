-- Lucca holds one leave per half-day: no one is away more than a morning and an
-- afternoon on any day, whatever the accounts.
{{ config(enabled=var('absences', true)) }}
select tenant, user_id, absence_date, sum(half_days) as half_days
from {{ ref('absences_by_person_day') }}
group by tenant, user_id, absence_date
having sum(half_days) > 2
