-- Every custom-field value of every person, in one long table shared by every tenant:
-- one row per tenant, person, field and value (a multi-valued field's values in order,
-- `position` 0, 1…), typed from the field's definition, a list entry with its label,
-- the value as Lucca sent it in raw_value. Legacy API by default; with
-- `--vars '{new_api: true}'`, the new API's employee-extensions, whose order the
-- field's multipleValueHandling gives (by value, ascending or descending).
with field_values as (
{%- if var('new_api', false) %}
    select
        field_values.*,
        row_number() over (
            partition by field_values.tenant, field_values.employee_id, field_values.field_id
            order by
                field_values.number_value,
                field_values.date_value,
                field_values.text_value,
                field_values.list_entry_id,
                field_values.value_id
        ) - 1 as ascending_position,
        count(*) over (
            partition by field_values.tenant, field_values.employee_id, field_values.field_id
        ) as value_count
    from {{ ref('stg_employee_custom_field_values') }} as field_values
{%- else %}
    select
        user_values.*,
        user_values.user_id as employee_id
    from {{ ref('stg_user_custom_field_values') }} as user_values
{%- endif %}
)

select
    field_values.tenant,
    field_values.employee_id,
    field_values.field_id,
    fields.field_name,
    fields.field_type,
{%- if var('new_api', false) %}
    case
        when fields.multiple_value_sorting = 'descending'
            then field_values.value_count - 1 - field_values.ascending_position
        else field_values.ascending_position
    end as position,
{%- else %}
    field_values.position,
{%- endif %}
    field_values.value_id,
    field_values.text_value,
    field_values.number_value,
    field_values.date_value,
    field_values.boolean_value,
    field_values.list_entry_id,
    field_values.list_entry_label,
    field_values.raw_value
from field_values
left join {{ ref('stg_custom_fields') }} as fields
    on fields.tenant = field_values.tenant
    and fields.field_id = field_values.field_id
