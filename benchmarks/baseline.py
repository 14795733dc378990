"""The yardstick: a minimal fetch-and-dump loop over the tap's endpoints, no SDK.

It asks for the same pages as the tap (same fields, same page size) and writes each
record as a JSON line, so the benchmark can say what the SDK and the tap's own work
cost on top of plain `requests` and `json`.

    python benchmarks/baseline.py URL KEY FIELDS OUTPUT [PAGE_SIZE]
"""

from __future__ import annotations

import json
import sys

import requests


def dump(records: list[dict], out: object) -> None:
    for record in records:
        out.write(json.dumps(record) + "\n")  # type: ignore[attr-defined]


def main() -> None:
    url, key, fields, output = sys.argv[1:5]
    size = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
    session = requests.Session()
    session.headers["Authorization"] = f"lucca application={key}"
    with open(output, "w") as out:
        params = {"fields": fields, "formerEmployees": "true", "orderBy": "id,asc"}
        after = None
        while True:
            page = {**params, "paging": f"0,{size}"}
            if after is not None:
                page["id"] = f"greaterthan,{after}"
            items = session.get(f"{url}/api/v3/users", params=page).json()["data"]["items"]
            dump(items, out)
            if len(items) < size:
                break
            after = items[-1]["id"]
        for path, extra in (
            ("/directory/api/4.0/work-contracts", {"isArchived": "true,false"}),
            ("/organization/structure/api/departments", {}),
        ):
            number = 1
            while True:
                page = {**extra, "limit": size, "page": number}
                items = session.get(f"{url}{path}", params=page).json()["items"]
                dump(items, out)
                if len(items) < size:
                    break
                number += 1


if __name__ == "__main__":
    main()
