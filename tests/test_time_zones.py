"""Times: Lucca's naive v3 instants are the tenant's clock and come out in UTC, dates
stay the days they are, and bookmarks go back to Lucca in its own clock, overlapping
the hour that repeats when clocks go back."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from lucca_emulator import LuccaEmulator, Tenant
from tap_lucca.clock import TenantClock, TimeFields
from tap_lucca.tap import TapLucca
from tests.conftest import API_KEY, run_tap
from tests.truth import paris_to_utc

PARIS = TenantClock("Europe/Paris")


@pytest.mark.parametrize(
    ("lucca", "utc"),
    [
        ("2025-01-15T12:00:00", "2025-01-15T11:00:00.000000Z"),  # winter, +01:00
        ("2025-07-01T12:00:00.5", "2025-07-01T10:00:00.500000Z"),  # summer, +02:00
        ("2023-08-30T15:48:22.677", "2023-08-30T13:48:22.677000Z"),
        ("2024-09-27T16:34:19.9652616", "2024-09-27T14:34:19.965261Z"),  # .NET's 7 decimals
        ("2023-07-25T12:00:54.41+02:00", "2023-07-25T10:00:54.410000Z"),  # v4, with offset
        ("2024-04-15T23:12:54.0001Z", "2024-04-15T23:12:54.000100Z"),
    ],
)
def test_instants_come_out_in_utc(lucca, utc):
    assert PARIS.utc(lucca) == utc


@pytest.mark.parametrize(
    ("lucca", "utc"),
    [
        ("2025-03-30T01:30:00", "2025-03-30T00:30:00.000000Z"),  # before 02:00 became 03:00
        ("2025-03-30T03:30:00", "2025-03-30T01:30:00.000000Z"),
        ("2025-10-26T01:30:00", "2025-10-25T23:30:00.000000Z"),
        ("2025-10-26T02:30:00", "2025-10-26T00:30:00.000000Z"),  # repeated: the earlier
        ("2025-10-26T03:30:00", "2025-10-26T02:30:00.000000Z"),  # after 03:00 became 02:00
    ],
)
def test_instants_on_the_days_clocks_change_take_their_hours_offset(lucca, utc):
    clock = TenantClock("Europe/Paris")
    clock.utc("2025-03-30T00:00:00")  # the same days seen before, at another hour
    clock.utc("2025-10-26T00:00:00")

    assert clock.utc(lucca) == utc


def test_utc_forms_sort_as_their_instants_do():
    # The SDK keeps the largest bookmark by comparing strings.
    times = ["2025-01-15T12:00:00", "2025-01-15T12:00:00.5", "2025-01-15T12:00:00.25"]
    by_string = sorted(times, key=PARIS.utc)
    by_time = sorted(times, key=dt.datetime.fromisoformat)

    assert by_string == by_time


def test_the_time_zone_is_a_setting():
    assert TenantClock("America/New_York").utc("2025-01-15T12:00:00") == (
        "2025-01-15T17:00:00.000000Z"
    )


def test_a_time_zone_that_does_not_exist_stops_the_tap(caplog):
    with pytest.raises(SystemExit) as stop:
        TapLucca(config={"api_url": "https://a.ilucca.net", "api_key": "k", "timezone": "Paris"})

    assert stop.value.code == 1
    assert "timezone must be an IANA time zone such as Europe/Paris, got 'Paris'" in caplog.text


@pytest.mark.parametrize(
    ("bookmark", "since"),
    [
        ("2025-07-01T10:00:00.500000Z", "2025-07-01T12:00:00.500"),
        ("2025-01-15T11:00:00.000000Z", "2025-01-15T12:00:00"),
        # 02:45 before clocks go back (CEST): the second 02:00-02:45 (CET) comes later.
        ("2025-10-26T00:45:00.000000Z", "2025-10-26T01:45:00"),
        # 02:45 after they went back: every later change has a later clock time.
        ("2025-10-26T01:45:00.000000Z", "2025-10-26T02:45:00"),
        # A bookmark of an older version, in Lucca's clock: the earlier 02:45 is assumed.
        ("2025-10-26T02:45:00", "2025-10-26T01:45:00"),
        ("2025-03-01T08:45:23", "2025-03-01T08:45:23"),
        ("2024-03-01T08:45:23+02:00", "2024-03-01T07:45:23"),
        ("2024-03-01", "2024-03-01T00:00:00"),
    ],
)
def test_bookmarks_go_back_to_lucca_in_its_clock_overlapping_the_repeated_hour(bookmark, since):
    assert PARIS.lucca_since(bookmark) == since


SCHEMA = {
    "properties": {
        "id": {"type": "integer"},
        "modifiedAt": {"type": ["string", "null"], "format": "date-time"},
        "birthDate": {"type": ["string", "null"], "format": "date"},
        "review": {"properties": {"doneAt": {"format": "date-time"}}},
        "label": {"type": ["string", "null"]},
    }
}


def test_dates_keep_their_day_and_instants_move_to_utc():
    fields = TimeFields("users", SCHEMA, PARIS, logging.getLogger("test"))

    record = fields.convert(
        {
            "id": 1,
            "modifiedAt": "2025-06-30T23:30:00",
            "birthDate": "2001-09-23T00:00:00",
            "review": {"doneAt": "2025-01-01T00:30:00"},
            "label": "2025-06-30T23:30:00",
        }
    )

    assert record == {
        "id": 1,
        "modifiedAt": "2025-06-30T21:30:00.000000Z",
        "birthDate": "2001-09-23",
        "review": {"doneAt": "2024-12-31T23:30:00.000000Z"},
        "label": "2025-06-30T23:30:00",
    }


def test_a_time_that_does_not_parse_is_reported_and_nulled(caplog):
    fields = TimeFields("users", SCHEMA, PARIS, logging.getLogger("test"))

    record = fields.convert({"id": 7, "modifiedAt": "yesterday", "birthDate": None})

    assert record == {"id": 7, "modifiedAt": None, "birthDate": None}
    assert "Stream 'users', record id 7: field 'modifiedAt'" in caplog.text


def test_users_times_come_out_in_utc_and_their_dates_unshifted(tenant, emulator, config):
    sync = run_tap(config, streams=["users"])

    stored = {user["id"]: user for user in tenant.users}
    for record in sync.records["users"]:
        user = stored[record["id"]]
        assert record["modifiedAt"] == paris_to_utc(user["modifiedAt"])
        assert record["createdOn"] == paris_to_utc(user["createdOn"])
        assert record["birthDate"] == (user["birthDate"] and user["birthDate"][:10])
        assert record["dtContractStart"] == (
            user["dtContractStart"] and user["dtContractStart"][:10]
        )


def test_history_times_come_out_in_utc_and_start_days_unshifted(tenant, emulator, config):
    sync = run_tap(config, streams=["user_history"])

    stored = {log["id"]: log for log in tenant.userlogs}
    for record in sync.records["user_history"]:
        assert record["modifiedAt"] == paris_to_utc(stored[record["id"]]["modifiedAt"])
        assert record["startsOn"] == stored[record["id"]]["startsOn"][:10]


@pytest.fixture
def autumn_tenant() -> Tenant:
    return Tenant.generate(users=200, seed=5, today=dt.date(2025, 10, 20))


def test_a_change_in_the_repeated_hour_after_the_bookmark_is_read(autumn_tenant):
    first_pass = dt.datetime(2025, 10, 26, 2, 45)  # 00:45 UTC, before clocks go back
    second_pass = dt.datetime(2025, 10, 26, 2, 10)  # 01:10 UTC, after: later, yet "earlier"
    early, late = autumn_tenant.users[3]["id"], autumn_tenant.users[4]["id"]
    with LuccaEmulator(autumn_tenant, api_key=API_KEY) as emulator:
        config = {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": 100_000}
        autumn_tenant.update_users([early], at=first_pass)
        first = run_tap(config, streams=["users"])
        autumn_tenant.update_users([late], at=second_pass)
        emulator.clear_requests()

        second = run_tap(config, state=first.state, streams=["users"])

        sent = [r.params["modifiedAt"] for r in emulator.requests if r.path == "/api/v3/users"]
    assert late in second.ids("users")
    assert first.state["bookmarks"]["users"]["replication_key_value"] == (
        "2025-10-26T00:45:00.000000Z"
    )
    assert sent == [["since,2025-10-26T01:45:00"]]
