"""A full sync sends as few requests as each endpoint's page size allows."""

from __future__ import annotations

import math
from collections import Counter

from tests.conftest import run_tap


def test_full_sync_sends_the_minimum_number_of_requests(tenant, emulator, config):
    run_tap(config)

    sent = Counter(request.path for request in emulator.requests)
    logs = Counter(log["name"] for log in tenant.userlogs)
    assert sent == {
        # v3 pages are read by id until a short one: at most one more than the floor.
        "/api/v3/users": len(tenant.users) // 1000 + 1,
        "/api/v3/userlogs": sum(count // 1000 + 1 for count in logs.values()),
        # v4 pages stop when `count` says nothing is left.
        "/directory/api/4.0/work-contracts": math.ceil(len(tenant.contracts) / 1000),
        # Read once for the departments stream, once for the leaves' owner filter.
        "/organization/structure/api/departments": 2 * math.ceil(len(tenant.departments) / 1000),
        "/organization/structure/api/establishments": math.ceil(len(tenant.establishments) / 99),
        "/organization/structure/api/legal-units": math.ceil(len(tenant.legal_units) / 99),
        "/directory/api/work-contract-types": 1,
        "/directory/api/work-contract-hiring-types": 1,
        "/directory/api/work-contract-termination-reasons": 1,
        "/organization/structure/api/occupation-categories": 1,
        # Custom fields' definitions and axes: one page each; sections: one read per axis.
        "/api/v3/userproperties": 1,
        "/api/v3/axes": 1,
        "/api/v3/axissections": len(tenant.custom_fields.axes),
        # Leaves page by offset, up to 10,000, and stop when `count` says so.
        "/api/v3/leaves": math.ceil(len(tenant.leaves) / 10_000),
        "/api/v3/leaveaccounts": 1,
    }


def test_every_request_is_answered_without_error(emulator, config):
    run_tap(config)

    assert {request.status for request in emulator.requests} == {200}
