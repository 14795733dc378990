-- When each user was in which department: one row per period, from Lucca's change
-- log (user_history, attribute `departmentid`). The first logged value also holds
-- before it was logged; a user with no logged change was in their current
-- department all along.
CREATE OR REPLACE VIEW analytics.user_departments AS
WITH changes AS (
    SELECT
        tenant,
        ownerId AS user_id,
        CAST(value AS INTEGER) AS department_id,
        CAST(startsOn AS DATE) AS starts_on,
        ROW_NUMBER() OVER (PARTITION BY tenant, ownerId ORDER BY startsOn, id) AS position,
        LEAD(CAST(startsOn AS DATE)) OVER (
            PARTITION BY tenant, ownerId ORDER BY startsOn, id
        ) AS valid_until
    FROM lucca.user_history
    WHERE name = 'departmentid'
)
SELECT
    tenant,
    user_id,
    department_id,
    CASE WHEN position = 1 THEN NULL ELSE starts_on END AS valid_from,
    valid_until
FROM changes
UNION ALL
SELECT
    users.tenant,
    users.id,
    CAST(users.departmentId AS INTEGER),
    CAST(NULL AS DATE),
    CAST(NULL AS DATE)
FROM lucca.users AS users
WHERE NOT EXISTS (
    SELECT 1 FROM changes
    WHERE changes.tenant = users.tenant AND changes.user_id = users.id
);
