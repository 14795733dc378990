"""A full sync sends as few requests as Lucca's page size allows."""

from __future__ import annotations

import math

from tests.conftest import run_tap


def test_full_sync_sends_the_minimum_number_of_requests(tenant, emulator, config):
    run_tap(config)

    sent: dict[str, int] = {}
    for request in emulator.requests:
        sent[request.path] = sent.get(request.path, 0) + 1
    users_pages = math.floor(len(tenant.users) / 1000) + 1  # a short last page ends the read
    assert sent == {
        "/api/v3/users": users_pages,
        "/directory/api/4.0/work-contracts": math.ceil(len(tenant.contracts) / 1000),
        "/organization/structure/api/departments": math.ceil(len(tenant.departments) / 1000),
    }


def test_every_request_carries_the_lucca_application_key(emulator, config):
    run_tap(config)

    assert {request.status for request in emulator.requests} == {200}
