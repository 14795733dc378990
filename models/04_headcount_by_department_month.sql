-- Headcount at each month's end by department, with the month's hires and leavers.
-- A person counts while one of their contracts covers the day; they are placed in the
-- department they were in that day. Months are named by their last day (LAST_DAY
-- exists on DuckDB and BigQuery alike).
CREATE OR REPLACE VIEW analytics.headcount_by_department_month AS
WITH RECURSIVE months AS (
    SELECT LAST_DAY(MIN(CAST(startsOn AS DATE))) AS month_end FROM lucca.contracts
    UNION ALL
    SELECT LAST_DAY(DATE_ADD(month_end, INTERVAL 1 DAY))
    FROM months
    WHERE month_end < CURRENT_DATE
),
employed AS (
    SELECT DISTINCT months.month_end, contracts.tenant, contracts.ownerId AS user_id
    FROM months
    JOIN lucca.contracts AS contracts
        ON CAST(contracts.startsOn AS DATE) <= months.month_end
        AND (contracts.endsOn IS NULL OR CAST(contracts.endsOn AS DATE) >= months.month_end)
),
movements AS (
    SELECT
        LAST_DAY(CAST(dtContractStart AS DATE)) AS month_end,
        tenant,
        id AS user_id,
        CAST(dtContractStart AS DATE) AS on_day,
        1 AS hires,
        0 AS leavers
    FROM lucca.users
    WHERE dtContractStart IS NOT NULL
    UNION ALL
    SELECT
        LAST_DAY(CAST(dtContractEnd AS DATE)),
        tenant,
        id,
        CAST(dtContractEnd AS DATE),
        0,
        1
    FROM lucca.users
    WHERE dtContractEnd IS NOT NULL
),
events AS (
    SELECT month_end, tenant, user_id, month_end AS on_day, 1 AS headcount, 0 AS hires, 0 AS leavers
    FROM employed
    UNION ALL
    SELECT month_end, tenant, user_id, on_day, 0, hires, leavers
    FROM movements
    WHERE month_end IN (SELECT month_end FROM months)
)
SELECT
    events.tenant,
    events.month_end,
    placed.department_id,
    SUM(events.headcount) AS headcount,
    SUM(events.hires) AS hires,
    SUM(events.leavers) AS leavers
FROM events
LEFT JOIN analytics.user_departments AS placed
    ON placed.tenant = events.tenant
    AND placed.user_id = events.user_id
    AND (placed.valid_from IS NULL OR placed.valid_from <= events.on_day)
    AND (placed.valid_until IS NULL OR placed.valid_until > events.on_day)
GROUP BY events.tenant, events.month_end, placed.department_id;
