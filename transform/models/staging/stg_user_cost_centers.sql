-- Legacy API: every user with their cost center, the section they have on the axis
-- whose name says it holds cost centers (var cost_center_axis_names), whatever its id;
-- null when the user has none, or the tenant no such axis.
with cost_center_axes as (
    select tenant, min(axis_id) as axis_id
    from {{ ref('stg_user_axis_sections') }}
    where lower(axis_name) in (
        {%- for name in var('cost_center_axis_names') %}
        '{{ name | lower | replace("'", "''") }}'{{ "," if not loop.last }}
        {%- endfor %}
    )
    group by tenant
),

cost_centers as (
    select user_sections.*
    from {{ ref('stg_user_axis_sections') }} as user_sections
    inner join cost_center_axes
        on cost_center_axes.tenant = user_sections.tenant
        and cost_center_axes.axis_id = user_sections.axis_id
)

select
    users.tenant,
    users.user_id,
    users.user_name,
    cost_centers.axis_id as cost_center_axis_id,
    cost_centers.section_id as cost_center_id,
    sections.section_code as cost_center_code,
    coalesce(sections.section_name, cost_centers.section_name) as cost_center_name
from {{ ref('stg_users') }} as users
left join cost_centers
    on cost_centers.tenant = users.tenant
    and cost_centers.user_id = users.user_id
left join {{ ref('stg_axis_sections') }} as sections
    on sections.tenant = cost_centers.tenant
    and sections.section_id = cost_centers.section_id
