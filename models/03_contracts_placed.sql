-- Each work contract in the department its owner was in when it started, with the
-- owner's job title (Lucca keeps only today's title) and the contract type's label.
CREATE OR REPLACE VIEW analytics.contracts_placed AS
SELECT
    contracts.tenant,
    contracts.id AS contract_id,
    contracts.ownerId AS user_id,
    users.name AS user_name,
    CAST(contracts.startsOn AS DATE) AS starts_on,
    CAST(contracts.endsOn AS DATE) AS ends_on,
    contract_types.name AS contract_type,
    placed.department_id,
    departments.name AS department_name,
    users.jobTitle AS job_title
FROM lucca.contracts AS contracts
JOIN lucca.users AS users
    ON users.tenant = contracts.tenant AND users.id = contracts.ownerId
LEFT JOIN analytics.user_departments AS placed
    ON placed.tenant = contracts.tenant
    AND placed.user_id = contracts.ownerId
    AND (placed.valid_from IS NULL OR placed.valid_from <= CAST(contracts.startsOn AS DATE))
    AND (placed.valid_until IS NULL OR placed.valid_until > CAST(contracts.startsOn AS DATE))
LEFT JOIN lucca.departments AS departments
    ON departments.tenant = contracts.tenant AND departments.id = placed.department_id
LEFT JOIN lucca.contract_types AS contract_types
    ON contract_types.tenant = contracts.tenant AND contract_types.id = contracts.typeId;
