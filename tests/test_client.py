"""Lucca conventions shared by every stream: URLs, Retry-After, page sizes, type drift."""

from __future__ import annotations

import logging

import pytest
import requests
from singer_sdk.exceptions import ConfigValidationError

from tap_lucca.drift import SchemaGuard
from tap_lucca.paging import PageSize
from tap_lucca.settings import validated_url
from tap_lucca.throttle import retry_after_seconds
from tap_lucca.v3 import fields_parameter
from tap_lucca.v4 import aligned


def response_with(headers: dict) -> requests.Response:
    response = requests.Response()
    response.headers.update(headers)
    return response


def test_retry_after_in_seconds():
    assert retry_after_seconds(response_with({"Retry-After": "17"})) == 17


def test_retry_after_as_an_http_date_in_the_past_means_now():
    assert retry_after_seconds(response_with({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0


def test_missing_retry_after_waits_a_second():
    assert retry_after_seconds(response_with({})) == 1


@pytest.mark.parametrize("value", ["soon", "Wed, 99 Foo 2015", "inf", "nan", "1e999"])
def test_unreadable_retry_after_waits_a_second(value):
    assert retry_after_seconds(response_with({"Retry-After": value})) == 1


@pytest.mark.parametrize("setting", ["api_url", "oauth_token_url"])
@pytest.mark.parametrize(
    "url", ["http://acme.ilucca.net", "ftp://acme.ilucca.net", "acme.ilucca.net"]
)
def test_urls_must_be_https_off_loopback(setting, url):
    with pytest.raises(ConfigValidationError, match=setting):
        validated_url(setting, url)


@pytest.mark.parametrize("setting", ["api_url", "oauth_token_url"])
@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/", "http://localhost:1", "http://[::1]:8"])
def test_plain_http_is_accepted_on_loopback(setting, url):
    assert validated_url(setting, url) == url.rstrip("/")


def test_page_size_halves_on_timeouts_down_to_the_floor_then_grows_back():
    size = PageSize(1000, smallest=100)

    assert [size.shrink(size.current) for _ in range(5)] == [True, True, True, True, False]
    assert size.current == 100
    for _ in range(2 * PageSize.pages_before_growing):
        size.grow()
    assert size.current == 400


def test_page_size_after_a_timeout_is_below_the_page_that_timed_out():
    # v4 pages are aligned below the page size: 300 records at 300 timed out.
    size = PageSize(1000)

    assert size.shrink(300)
    assert size.current == 150


def test_page_size_is_capped_by_what_an_endpoint_serves():
    size = PageSize(1000)

    size.cap(99)
    for _ in range(3 * PageSize.pages_before_growing):
        size.grow()
    assert size.current == 99


def test_v4_page_sizes_keep_a_page_boundary_at_the_records_read():
    assert aligned(0, 1000) == 1000
    assert aligned(1500, 1000) == 750
    assert aligned(1000, 500) == 500


def test_v3_fields_select_nested_objects_and_lists_with_brackets():
    schema = {
        "id": {"type": "integer"},
        "department": {"type": "object", "properties": {"id": {}, "name": {}}},
        "habilitedRoles": {"type": "array", "items": {"properties": {"id": {}}}},
        "extendedData": {"type": "object"},
    }

    assert fields_parameter(schema) == "id,department[id,name],habilitedRoles[id],extendedData"


SCHEMA = {
    "properties": {
        "id": {"type": "integer"},
        "departmentId": {"type": ["integer", "null"]},
        "isActive": {"type": ["boolean", "null"]},
        "department": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}}},
    }
}


def test_a_numeric_string_where_a_number_was_becomes_the_number(caplog):
    guard = SchemaGuard("users", SCHEMA, logging.getLogger("test"))

    record = guard.check({"id": 7, "departmentId": "12"})

    assert record["departmentId"] == 12
    assert "Stream 'users', record id 7: field 'departmentId'" in caplog.text


def test_a_value_of_the_wrong_type_is_nulled_and_reported_with_its_field(caplog):
    guard = SchemaGuard("users", SCHEMA, logging.getLogger("test"))

    record = guard.check({"id": 7, "department": {"id": "sales"}, "isActive": 1})

    assert record["department"] == {"id": None}
    assert record["isActive"] is None
    assert "field 'department.id'" in caplog.text


def test_values_of_the_right_type_and_nulls_pass_untouched(caplog):
    guard = SchemaGuard("users", SCHEMA, logging.getLogger("test"))
    record = {"id": 7, "departmentId": None, "isActive": False, "department": {"id": 3}}

    assert guard.check(dict(record)) == record
    assert not caplog.text


def test_keys_the_schema_does_not_know_are_left_out_and_reported_once(caplog):
    guard = SchemaGuard("contracts", SCHEMA, logging.getLogger("test"))

    records = [guard.check({"id": n, "newLuccaField": n}) for n in range(3)]

    assert records == [{"id": 0}, {"id": 1}, {"id": 2}]
    assert caplog.text.count("newLuccaField") == 1
