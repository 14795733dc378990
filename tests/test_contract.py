"""The emulator's new Lucca API holds to Lucca's published OpenAPI reference
(`reference/lucca-openapi/`): every response the tap reads, envelope and items, and
each item path, validates against the reference's own response schema (JSON Schema
2020-12, formats checked); no item carries a property the reference does not
document, and every property it documents is served."""

from __future__ import annotations

import re
import typing as t

import jsonschema
import pytest
import requests
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from rfc3339_validator import validate_rfc3339

from lucca_emulator import LuccaEmulator, Tenant, v5_extensions
from lucca_emulator.v5 import TOKEN_PATH
from scripts.v5_schemas import load
from tests.conftest import run_tap
from tests.reference import OPENAPI

CLIENT_ID, CLIENT_SECRET = "contract-client", "contract-secret"
#: Each collection's item schema.
ITEMS = {
    "employees": "employee",
    "employments": "employment",
    "job-positions": "job-position",
    "departments": "department",
    "legal-entities": "legal-entity",
    "business-establishments": "business-establishment",
}
RESOURCES = tuple(ITEMS)
#: The custom fields' collections: schemas of the reference, at the paths of Lucca's docs'
#: examples (the reference gives them no path).
GUESSED = tuple(v5_extensions.SCOPES)
DOCUMENT = load(OPENAPI)
BASE = "urn:lucca-api-2024-11-01"
REGISTRY = Registry().with_resource(BASE, Resource(contents=DOCUMENT, specification=DRAFT202012))
PHONE = re.compile(DOCUMENT["components"]["schemas"]["phone"]["pattern"])

# jsonschema's own checks (date, date-time, email, uri...), plus the reference's formats,
# on a checker of this module's own.
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time-offset")
def _date_time_offset(value: object) -> bool:
    return not isinstance(value, str) or validate_rfc3339(value)


@FORMATS.checks("iso-3166-alpha-3")
def _alpha3(value: object) -> bool:
    return not isinstance(value, str) or re.fullmatch("[A-Z]{3}", value) is not None


@FORMATS.checks("phone")
def _phone(value: object) -> bool:
    return not isinstance(value, str) or PHONE.fullmatch(value) is not None


@FORMATS.checks("int32")
def _int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@FORMATS.checks("int64")
def _int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


def pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def response_schema(path: str) -> dict:
    """A reference to the 200 JSON schema of `GET path`, resolved in the document; for a
    custom fields' collection, which has no path, its collection schema."""
    if (resource := path.removeprefix("/lucca-api/")) in GUESSED:
        parts = [f"{BASE}#/components/schemas/{resource}"]
        if (embedded := f"{resource[:-1]}.embedded") in DOCUMENT["components"]["schemas"]:
            parts.append(f"{BASE}#/components/schemas/{embedded}")
        return {"allOf": [{"$ref": part} for part in parts]}
    where = pointer("paths", path, "get", "responses", "200", "content", "application/json")
    return {"$ref": f"{BASE}#/{where}/schema"}


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, registry=REGISTRY, format_checker=FORMATS)


def violations(body: object, schema: dict) -> list[str]:
    errors = validator(schema).iter_errors(body)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors][:5]


def undocumented(instance: object, schema: dict, where: str = "") -> set[str]:
    """The paths of keys in `instance` that `schema` names nowhere (its `properties`,
    through `$ref`, `allOf` and nullable `oneOf`); `additionalProperties` schemas (the
    embedded resources, by id) are followed, and an object schema that names no property
    at all is free-form."""
    resolver = REGISTRY.resolver(BASE)

    def branches(node: dict) -> list[dict]:
        while "$ref" in node:
            node = {
                **{k: v for k, v in node.items() if k != "$ref"},
                **resolver.lookup(node["$ref"]).contents,
            }
        found = [node]
        for key in ("allOf", "oneOf", "anyOf"):
            for branch in node.get(key, []):
                found += branches(branch)
        return found

    def walk(value: object, nodes: list[dict], path: str) -> set[str]:
        if isinstance(value, list):
            inner = [
                b for n in nodes if isinstance(n.get("items"), dict) for b in branches(n["items"])
            ]
            return {p for item in value for p in walk(item, inner, f"{path}[]")}
        if not isinstance(value, dict):
            return set()
        if not any("properties" in n or "additionalProperties" in n for n in nodes):
            return set()  # a free-form object, such as a definition's own JSON schema
        named = {k: s for n in nodes for k, s in n.get("properties", {}).items()}
        extra = [
            n["additionalProperties"]
            for n in nodes
            if isinstance(n.get("additionalProperties"), dict)
        ]
        found = set()
        for key, item in value.items():
            if key in named:
                found |= walk(item, branches(named[key]), f"{path}.{key}")
            elif extra:
                found |= walk(item, [b for e in extra for b in branches(e)], f"{path}.*")
            else:
                found.add(f"{path}.{key}")
        return found

    return walk(instance, branches(schema), where)


@pytest.fixture(scope="module")
def served():
    """Every request the tap sent in one new-API sync, sent again with the tap's own
    parameters, and every item path, with the answers."""
    tenant = Tenant.generate(users=150, seed=29)
    with LuccaEmulator(tenant, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as emulator:
        run_tap(
            {
                "api_url": emulator.url,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "oauth_token_url": emulator.url + TOKEN_PATH,
                "max_requests_per_minute": 100_000,
            }
        )
        read = [r for r in emulator.requests if r.path.startswith("/lucca-api/")]
        sent = [r for r in read if r.path.removeprefix("/lucca-api/") in ITEMS]
        guessed = [r for r in read if r.path.removeprefix("/lucca-api/") in GUESSED]
        form = {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": " ".join(
                [*(f"{r}.readonly" for r in RESOURCES), *v5_extensions.SCOPES.values()]
            ),
        }
        token = requests.post(emulator.url + TOKEN_PATH, data=form, timeout=10).json()
        session = requests.Session()
        session.headers.update(
            {"Authorization": f"Bearer {token['access_token']}", "Api-Version": "2024-11-01"}
        )

        def get(path: str, params: dict[str, t.Any]) -> requests.Response:
            return session.get(emulator.url + path, params=params, timeout=10)

        collections = [(r.path, get(r.path, {k: v[-1] for k, v in r.params.items()})) for r in sent]
        guessed_pages = [
            (r.path, get(r.path, {k: v[-1] for k, v in r.params.items()})) for r in guessed
        ]
        embedded = [
            (f"/lucca-api/{resource}", get(f"/lucca-api/{resource}", {"include": "embedded"}))
            for resource in RESOURCES
        ]
        items = [
            (f"/lucca-api/{resource}/{{id}}", get(f"/lucca-api/{resource}/{record['id']}", params))
            for resource in RESOURCES
            for record in emulator.v5.records(resource)
            for params in ({"include": "links,embedded"},)
        ]
        yield {
            "read": read,
            "sent": sent,
            "guessed": guessed_pages,
            "collections": collections,
            "embedded": embedded,
            "items": items,
        }


def test_the_tap_reads_every_resource_the_contract_covers(served):
    assert {r.path for r in served["sent"]} == {f"/lucca-api/{r}" for r in RESOURCES}
    assert all(r.status == 200 for r in served["sent"])


def test_the_paths_the_reference_lacks_are_only_the_custom_fields(served):
    read = {r.path for r in served["read"]} - {r.path for r in served["sent"]}

    assert read == {f"/lucca-api/{resource}" for resource in GUESSED}


def test_the_custom_fields_pages_validate_against_the_reference_schemas(served):
    invalid = {
        f"{path}?{answer.request.url.partition('?')[2]}": problems
        for path, answer in served["guessed"]
        if (problems := violations(answer.json(), response_schema(path)))
    }

    assert invalid == {}
    assert {path for path, answer in served["guessed"] if answer.json()["items"]} == {
        f"/lucca-api/{resource}" for resource in GUESSED
    }


def test_every_page_the_tap_reads_validates_against_the_reference(served):
    invalid = {
        f"{path}?{answer.request.url.partition('?')[2]}": problems
        for path, answer in served["collections"]
        if (problems := violations(answer.json(), response_schema(path)))
    }

    assert invalid == {}
    assert len(served["collections"]) == len(served["sent"])


def test_embedded_resources_validate_against_the_reference(served):
    invalid = {
        path: problems
        for path, answer in served["embedded"]
        if (problems := violations(answer.json(), response_schema(path)))
    }

    assert invalid == {}
    embedded = {path: answer.json()["embedded"] for path, answer in served["embedded"]}
    assert embedded["/lucca-api/job-positions"]["department"]


def test_every_item_path_validates_against_the_reference(served):
    invalid = {
        answer.url: problems
        for path, answer in served["items"]
        if (problems := violations(answer.json(), response_schema(path)))
    }

    assert invalid == {}
    assert {path for path, _ in served["items"]} == {f"/lucca-api/{r}/{{id}}" for r in RESOURCES}


def test_every_answer_names_its_api_version(served):
    pages = served["collections"] + served["guessed"] + served["embedded"] + served["items"]
    answers = [a for _, a in pages]

    assert {a.headers.get("Api-Version") for a in answers} == {"2024-11-01"}


def test_no_response_carries_a_property_the_reference_does_not_document(served):
    answers = served["collections"] + served["guessed"] + served["embedded"] + served["items"]
    invented = {
        path: keys
        for path, answer in answers
        if (keys := undocumented(answer.json(), response_schema(path)))
    }

    assert invented == {}


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_property_the_reference_documents_is_served(served, resource):
    documented = set(DOCUMENT["components"]["schemas"][ITEMS[resource]]["properties"])
    bodies = [a.json() for p, a in served["items"] if p == f"/lucca-api/{resource}/{{id}}"]
    keys = {key for body in bodies for key in body if key != "embedded"}

    assert keys == documented


def test_the_envelope_holds_only_what_the_request_includes(served):
    plain = {path: a.json() for path, a in served["embedded"]}
    paged = [a.json() for _, a in served["collections"]]

    assert all(body.keys() == {"type", "url", "items", "embedded"} for body in plain.values())
    assert all(body.keys() == {"type", "url", "items", "totalCount", "links"} for body in paged)


# ----- the checks themselves ------------------------------------------------------------
def test_format_checking_is_on_for_the_reference_formats():
    schema = {"$ref": f"{BASE}#/components/schemas/employee"}
    good = {"givenName": "Ana", "familyName": "Gil", "email": "ana@example.org"}

    assert violations(good, schema) == []
    for field, wrong in [
        ("email", "not-an-email"),
        ("createdAt", "2024-04-15 23:12"),
        ("lastUpdatedAt", "yesterday"),
        ("url", "no scheme"),
        ("phoneNumber", "01 22 49 23 00"),
    ]:
        assert violations({**good, field: wrong}, schema), field


def test_a_response_with_an_invented_envelope_key_is_refused():
    body = {"type": "departments", "url": "https://acme.ilucca.net/lucca-api/departments"}
    body |= {"items": [], "count": 0}

    assert violations(body, response_schema("/lucca-api/departments"))


def test_an_invented_item_property_is_found_at_any_depth():
    ref = {"id": "1"}
    item = {"startsOn": "2024-01-01", "businessEstablishment": ref, "department": ref}
    item |= {"code": "X", "t9n": {"jobTitle": {"fr-FR": "Développeur", "xx-XX": "?"}}}
    schema = {"$ref": f"{BASE}#/components/schemas/job-position"}

    assert violations(item, schema) == []  # a collection's items may carry more
    assert undocumented(item, schema) == {".code", ".t9n.jobTitle.xx-XX"}
