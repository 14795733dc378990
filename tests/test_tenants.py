"""Every record says which tenant it comes from."""

from __future__ import annotations

from urllib.parse import urlsplit

from tap_lucca.tap import TapLucca
from tests.conftest import run_tap


def test_every_record_carries_the_tenant_host_and_port_by_default(emulator, config):
    sync = run_tap(config, streams=["users", "departments"])

    tenants = {r["tenant"] for records in sync.records.values() for r in records}
    assert tenants == {urlsplit(emulator.url).netloc}


def test_two_tenants_on_one_host_get_two_labels():
    one, other = (
        TapLucca(config={"api_url": url, "api_key": "k"})
        for url in ("http://127.0.0.1:8001", "http://127.0.0.1:8002")
    )

    assert one.streams["users"].tenant == "127.0.0.1:8001"
    assert other.streams["users"].tenant == "127.0.0.1:8002"


def test_a_url_without_a_port_is_labelled_by_its_host():
    tap = TapLucca(config={"api_url": "https://acme.ilucca.net", "api_key": "k"})

    assert tap.streams["users"].tenant == "acme.ilucca.net"


def test_tenant_setting_names_the_tenant(emulator, config):
    sync = run_tap({**config, "tenant": "acme"}, streams=["departments"])

    assert {r["tenant"] for r in sync.records["departments"]} == {"acme"}


def test_tenant_is_part_of_every_primary_key():
    tap = TapLucca(config={"api_url": "https://acme.ilucca.net", "api_key": "k"})

    assert {tuple(s.primary_keys) for s in tap.streams.values()} == {("tenant", "id")}


def test_no_two_fields_collide_once_lower_cased():
    tap = TapLucca(
        config={"api_url": "https://a.ilucca.net", "api_key": "k", "include_sensitive_fields": True}
    )

    def names(properties: dict) -> list[str]:
        found = []
        for name, schema in properties.items():
            found.append(name)
            nested = schema.get("items", schema).get("properties")
            if nested:
                assert len({n.lower() for n in nested}) == len(nested), name
        return found

    for stream in tap.streams.values():
        fields = names(stream.schema["properties"])
        assert len({f.lower() for f in fields}) == len(fields), stream.name
