-- Each department with its path of names from the top and its depth (1 at the top).
-- The tree is a few levels deep: a recursive CTE stays far below any recursion limit.
with recursive tree as (
    select
        tenant,
        department_id,
        department_name,
        parent_department_id,
        is_active,
        cast(department_name as {{ dbt.type_string() }}) as path,
        1 as depth,
        cast({{ dbt.concat(["'/'", "cast(department_id as " ~ dbt.type_string() ~ ")", "'/'"]) }} as {{ dbt.type_string() }}) as id_path
    from {{ ref('stg_departments') }}
    where parent_department_id is null
    union all
    select
        child.tenant,
        child.department_id,
        child.department_name,
        child.parent_department_id,
        child.is_active,
        cast({{ dbt.concat(["tree.path", "' > '", "child.department_name"]) }} as {{ dbt.type_string() }}),
        tree.depth + 1,
        cast({{ dbt.concat(["tree.id_path", "cast(child.department_id as " ~ dbt.type_string() ~ ")", "'/'"]) }} as {{ dbt.type_string() }})
    from {{ ref('stg_departments') }} as child
    inner join tree
        on child.tenant = tree.tenant
        and child.parent_department_id = tree.department_id
)
select
    tenant,
    department_id,
    department_name,
    parent_department_id,
    is_active,
    path,
    depth,
    id_path
from tree
