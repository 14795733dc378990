-- New Lucca API: job positions, each a stretch of an employment with one job title,
-- establishment, department and manager; from starts_on to ends_on, both included.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as job_position_id,
    cast({{ reference_id('employment') }} as {{ dbt.type_bigint() }}) as employment_id,
    cast({{ reference_id('employee') }} as {{ dbt.type_bigint() }}) as employee_id,
    cast({{ reference_id('businessEstablishment') }} as {{ dbt.type_bigint() }}) as business_establishment_id,
    cast({{ reference_id('department') }} as {{ dbt.type_bigint() }}) as department_id,
    cast({{ reference_id('manager') }} as {{ dbt.type_bigint() }}) as manager_id,
    {{ col('jobTitle') }} as job_title,
    cast({{ reference_id('jobQualification') }} as {{ dbt.type_bigint() }}) as job_qualification_id,
    cast({{ reference_id('occupationCategory') }} as {{ dbt.type_bigint() }}) as occupation_category_id,
    cast({{ reference_id('workingTimeArrangement') }} as {{ dbt.type_bigint() }}) as working_time_arrangement_id,
    {{ to_date(col('startsOn')) }} as starts_on,
    {{ to_date(col('endsOn')) }} as ends_on,
    {{ col('status') }} as status,
    {{ col('remoteId') }} as remote_id,
    {{ col('notes') }} as notes,
    {{ reference_id('document') }} as document_id,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('lastUpdatedAt') }} as {{ dbt.type_timestamp() }}) as last_updated_at
from {{ source('lucca_api', 'job_positions') }}
{{ current_rows() }}
