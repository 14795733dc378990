-- Each department with its full path of names from the top, and its depth.
-- Portable: WITH RECURSIVE and CONCAT run as written on DuckDB and BigQuery.
CREATE OR REPLACE VIEW analytics.department_tree AS
WITH RECURSIVE tree AS (
    SELECT
        tenant,
        id AS department_id,
        name AS department_name,
        isActive AS is_active,
        CAST(NULL AS INTEGER) AS parent_department_id,
        CAST(name AS VARCHAR) AS path,
        1 AS depth
    FROM lucca.departments
    WHERE parentDepartmentId IS NULL
    UNION ALL
    SELECT
        child.tenant,
        child.id,
        child.name,
        child.isActive,
        CAST(child.parentDepartmentId AS INTEGER),
        CONCAT(tree.path, ' > ', child.name),
        tree.depth + 1
    FROM lucca.departments AS child
    JOIN tree
        ON child.tenant = tree.tenant
        AND child.parentDepartmentId = tree.department_id
)
SELECT * FROM tree;
