"""The yardstick: a minimal fetch-and-dump loop over the tap's endpoints, no SDK.

It asks for the same pages as the tap (same fields, same page sizes) and writes each
record as a JSON line, so the benchmark can say what the SDK and the tap's own work
cost on top of plain `requests` and `json`.

    python benchmarks/baseline.py URL KEY USER_FIELDS HISTORY_FIELDS OUTPUT
"""

from __future__ import annotations

import json
import sys
import typing as t

import requests

V4_ENDPOINTS = {
    "/directory/api/4.0/work-contracts": ({"isArchived": "true,false"}, 1000),
    "/organization/structure/api/departments": ({}, 1000),
    "/organization/structure/api/establishments": ({"isArchived": "true,false"}, 99),
    "/organization/structure/api/legal-units": ({"isArchived": "true,false"}, 99),
    "/directory/api/work-contract-types": ({}, 1000),
    "/directory/api/work-contract-hiring-types": ({}, 1000),
    "/directory/api/work-contract-termination-reasons": ({}, 1000),
    "/organization/structure/api/occupation-categories": ({}, 1000),
}


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


def main() -> None:
    url, key, user_fields, history_fields, output = sys.argv[1:6]
    session = requests.Session()
    session.headers["Authorization"] = f"lucca application={key}"
    pages = [
        v3_pages(session, f"{url}/api/v3/users", {"fields": user_fields, "formerEmployees": "true"})
    ]
    for attribute in ("departmentid", "manager", "legalentityid"):
        params = {"fields": history_fields, "name": attribute}
        pages.append(v3_pages(session, f"{url}/api/v3/userlogs", params))
    for path, (params, size) in V4_ENDPOINTS.items():
        pages.append(v4_pages(session, f"{url}{path}", params, size))
    with open(output, "w") as out:
        for stream in pages:
            for items in stream:
                for record in items:
                    out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
