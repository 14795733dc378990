"""The yardstick: a minimal fetch-and-dump loop over the tap's endpoints, no SDK.

It asks for the same pages as the tap (same fields, same page sizes) and writes each
record as a JSON line, so the benchmark can say what the SDK and the tap's own work
cost on top of plain `requests` and `json`.

    python benchmarks/baseline.py URL KEY OUTPUT [--streams users,contracts]
        [--user-fields FIELDS] [--history-fields FIELDS]
"""

from __future__ import annotations

import argparse
import json
import typing as t

import requests

V4_ENDPOINTS = {
    "contracts": ("/directory/api/4.0/work-contracts", {"isArchived": "true,false"}, 1000),
    "departments": ("/organization/structure/api/departments", {}, 1000),
    "establishments": (
        "/organization/structure/api/establishments",
        {"isArchived": "true,false"},
        99,
    ),
    "legal_units": ("/organization/structure/api/legal-units", {"isArchived": "true,false"}, 99),
    "contract_types": ("/directory/api/work-contract-types", {}, 1000),
    "contract_hiring_types": ("/directory/api/work-contract-hiring-types", {}, 1000),
    "contract_termination_reasons": (
        "/directory/api/work-contract-termination-reasons",
        {},
        1000,
    ),
    "occupation_categories": ("/organization/structure/api/occupation-categories", {}, 1000),
}
STREAMS = ("users", *V4_ENDPOINTS, "user_history")


def v3_pages(session: requests.Session, url: str, params: dict) -> t.Iterator[list[dict]]:
    after = None
    while True:
        page = {**params, "orderBy": "id,asc", "paging": "0,1000"}
        if after is not None:
            page["id"] = f"greaterthan,{after}"
        items = session.get(url, params=page).json()["data"]["items"]
        yield items
        if len(items) < 1000:
            return
        after = items[-1]["id"]


def v4_pages(session: requests.Session, url: str, params: dict, size: int) -> t.Iterator[list]:
    number = 1
    while True:
        items = session.get(url, params={**params, "limit": size, "page": number}).json()["items"]
        yield items
        if len(items) < size:
            return
        number += 1


def pages_of(
    stream: str, session: requests.Session, args: argparse.Namespace
) -> t.Iterator[list[dict]]:
    """Every page of one stream, as the tap asks for them."""
    if stream == "users":
        params = {"fields": args.user_fields, "formerEmployees": "true"}
        yield from v3_pages(session, f"{args.url}/api/v3/users", params)
    elif stream == "user_history":
        for attribute in ("departmentid", "manager", "legalentityid"):
            params = {"fields": args.history_fields, "name": attribute}
            yield from v3_pages(session, f"{args.url}/api/v3/userlogs", params)
    else:
        path, params, size = V4_ENDPOINTS[stream]
        yield from v4_pages(session, f"{args.url}{path}", params, size)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("output")
    parser.add_argument("--streams", default=",".join(STREAMS))
    parser.add_argument("--user-fields", default="id")
    parser.add_argument("--history-fields", default="id")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    session = requests.Session()
    session.headers["Authorization"] = f"lucca application={args.key}"
    with open(args.output, "w") as out:
        for stream in args.streams.split(","):
            for items in pages_of(stream, session, args):
                for record in items:
                    out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
