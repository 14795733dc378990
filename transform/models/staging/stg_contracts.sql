-- Work contracts. A contract is in force from starts_on to ends_on, both days included;
-- ends_on is null while it is open.
select
    tenant,
    cast({{ col('id') }} as {{ dbt.type_bigint() }}) as contract_id,
    cast({{ col('ownerId') }} as {{ dbt.type_bigint() }}) as user_id,
    {{ to_date(col('startsOn')) }} as starts_on,
    {{ to_date(col('endsOn')) }} as ends_on,
    {{ col('isApplicable') }} as is_applicable,
    {{ col('isArchived') }} as is_archived,
    cast({{ col('establishmentId') }} as {{ dbt.type_bigint() }}) as establishment_id,
    cast({{ col('typeId') }} as {{ dbt.type_bigint() }}) as contract_type_id,
    cast({{ col('spcId') }} as {{ dbt.type_bigint() }}) as occupation_category_id,
    cast({{ col('hiringTypeId') }} as {{ dbt.type_bigint() }}) as hiring_type_id,
    cast({{ col('terminationReasonId') }} as {{ dbt.type_bigint() }}) as termination_reason_id,
    cast({{ col('trialPeriodDays') }} as {{ dbt.type_int() }}) as trial_period_days,
    cast({{ col('renewedTrialPeriodDays') }} as {{ dbt.type_int() }}) as renewed_trial_period_days,
    {{ to_date(col('trialPeriodEndDate')) }} as trial_period_ends_on,
    {{ to_date(col('trialPeriodEndDate2')) }} as renewed_trial_period_ends_on,
    {{ col('externalId') }} as external_id,
    cast({{ col('createdAt') }} as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ col('lastModifiedAt') }} as {{ dbt.type_timestamp() }}) as last_modified_at
from {{ source('lucca', 'contracts') }}
{{ current_rows() }}
