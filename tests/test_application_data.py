"""Users' applicationData: the allowlisted keys pass and are lifted to typed fields;
remuneration and any other key stay out unless include_sensitive_fields is on."""

from __future__ import annotations

import json

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tap_lucca import application_data
from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY, run_tap
from tests.reference import SANDBOX
from tests.truth import APPLICATION_DATA_KEYS, paris_to_utc

ALLOWED = APPLICATION_DATA_KEYS


@pytest.fixture(scope="module")
def small_tenant():
    return Tenant.generate(users=300, seed=5)


@pytest.fixture(scope="module")
def small_config(small_tenant):
    with LuccaEmulator(small_tenant, api_key=API_KEY) as emulator:
        yield {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000}


@pytest.fixture(scope="module")
def sync(small_config):
    return run_tap(small_config, streams=["users"])


def test_by_default_only_the_allowlisted_keys_are_emitted(small_tenant, sync):
    tenant = small_tenant

    stored = {user["id"]: user["applicationData"] for user in tenant.users}
    for record in sync.records["users"]:
        sent = stored[record["id"]]
        assert "theoreticalRemuneration" in sent
        kept = {k for k in sent if k in ALLOWED or k.startswith("profile_")}
        assert record["applicationData"] == {k: sent[k] for k in kept}


def test_lifted_fields_carry_the_typed_values(small_tenant, sync):
    tenant = small_tenant

    stored = {user["id"]: user["applicationData"] for user in tenant.users}
    reviewed = 0
    for record in sync.records["users"]:
        sent = stored[record["id"]]
        assert record["fullTimeEquivalent"] == float(sent["fullTimeEquivalent"]["value"])
        assert record["manager2Id"] == sent["manager2Id"]
        if review := sent["lastAnnualReviewDate"]["value"]:
            reviewed += 1
            # A tenant-clock time with .NET's 7 decimals: in UTC, with 6.
            assert record["lastAnnualReviewDate"] == paris_to_utc(review)
    assert reviewed


def test_every_key_comes_with_include_sensitive_fields(small_tenant, small_config):
    sync = run_tap({**small_config, "include_sensitive_fields": True}, streams=["users"])

    stored = {user["id"]: user["applicationData"] for user in small_tenant.users}
    assert all(r["applicationData"] == stored[r["id"]] for r in sync.records["users"])


def test_the_users_schema_types_the_lifted_fields(small_config):
    properties = TapLucca(config=small_config).streams["users"].schema["properties"]
    assert "number" in properties["fullTimeEquivalent"]["type"]
    assert "integer" in properties["manager2Id"]["type"]
    assert properties["lastAnnualReviewDate"]["format"] == "date-time"


def test_real_users_keep_no_remuneration_and_every_profile():
    for path in sorted((SANDBOX / "v3-users-by-id").glob("*.json")):
        user = json.loads(path.read_text())
        user = user.get("data", user)
        kept = application_data.allowed(user["applicationData"])
        assert "theoreticalRemuneration" not in kept
        assert {k for k in user["applicationData"] if k.startswith("profile_")} <= kept.keys()
        assert application_data.lifted(user["applicationData"])["fullTimeEquivalent"] > 0


def test_missing_application_data_lifts_to_nulls():
    assert application_data.allowed(None) is None
    assert set(application_data.lifted(None).values()) == {None}
