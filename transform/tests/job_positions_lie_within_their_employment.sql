{{ config(enabled=var('new_api', false)) }}
-- Every stretch starts no later than it ends.
select *
from {{ ref('employment_job_positions') }}
where valid_to is not null and valid_to < valid_from
