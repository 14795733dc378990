-- Each department with each of its ancestors and itself (distance 0): join on
-- ancestor_department_id to roll a figure up the tree.
with recursive ancestry as (
    select
        tenant,
        department_id,
        department_id as ancestor_department_id,
        parent_department_id as next_department_id,
        0 as distance
    from {{ ref('stg_departments') }}
    union all
    select
        ancestry.tenant,
        ancestry.department_id,
        parent.department_id,
        parent.parent_department_id,
        ancestry.distance + 1
    from ancestry
    inner join {{ ref('stg_departments') }} as parent
        on parent.tenant = ancestry.tenant
        and parent.department_id = ancestry.next_department_id
)
select
    tenant,
    department_id,
    ancestor_department_id,
    distance
from ancestry
