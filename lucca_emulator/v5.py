"""The new Lucca API (v5, `/lucca-api/...`) and its OAuth token endpoint.

- `POST /connect/token` (form: grant_type=client_credentials, client_id, client_secret,
  scope) -> {"access_token", "token_type": "Bearer", "expires_in"}; a wrong client
  gets 401 {"error": "invalid_client"}. Tokens expire after `token_seconds`.
- Every `/lucca-api/` request needs `Authorization: Bearer <token>` (401 when unknown or
  expired), `Api-Version: 2024-11-01` (400 otherwise) and the resource's scope
  `<resource>.readonly` (403). Errors are `application/problem+json`.
- `GET /lucca-api/<resource>`: items in id order, `limit` 1..100 (default 25), cursor
  `page`; `include=totalCount,links` adds `totalCount` and `links.next.href` (null on
  the last page). The next href carries only the cursor: a client keeps its own
  `limit`, `include` and filters. Employees: `status=active,upcoming,deactivated`
  (default active,upcoming).
- Change tracking: the resources are derived again whenever the tenant changed; a
  record whose content changed gets `lastUpdatedAt` = that moment, a record gone gets
  a tombstone with `deletedAt`. When `honours_updated_filter` is on, `lastUpdatedAt=
  <from>--<to>` (either side `..`) keeps records in that range, tombstones included;
  when off, the filter is ignored, as an undocumented one may be.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from . import v5_extensions
from .errors import ApiError
from .v5_data import RESOURCES, derive, utc_text

if TYPE_CHECKING:
    from .tenant import Tenant

TOKEN_PATH = "/connect/token"
PREFIX = "/lucca-api/"
API_VERSION = "2024-11-01"
DEFAULT_LIMIT, MAX_LIMIT = 25, 100
STATUSES = ("active", "upcoming", "deactivated")


class ProblemError(ApiError):
    """An error as `application/problem+json`."""

    content_type = "application/problem+json; charset=utf-8"

    def body(self) -> dict[str, object]:
        return {
            "type": f"https://developers.lucca.fr/problems/{self.status}",
            "title": self.message,
            "status": self.status,
            "errors": [],
        }


def _cursor(after: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after}".encode()).decode()


def _after(token: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("after:"))
    except ValueError:
        raise ProblemError(400, "page is not a cursor this API gave") from None


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _range(text: str) -> tuple[str, str]:
    """`<from>--<to>` as comparable UTC texts; `..` leaves a side open."""
    low, sep, high = text.partition("--")
    if not sep:
        raise ProblemError(400, "a range looks like <from>--<to>")

    def side(value: str, open_end: str) -> str:
        if value in ("", ".."):
            return open_end
        try:
            return utc_text(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            raise ProblemError(400, f"{value!r} is not a date-time") from None

    return side(low, ""), side(high, "9999")


class V5Api:
    """The tenant as the new API serves it. All attributes are settable at run time."""

    def __init__(self, tenant: Tenant, client_id: str, client_secret: str) -> None:
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_seconds = 1800
        self.honours_updated_filter = False
        self._tokens: dict[str, tuple[float, set[str]]] = {}
        self._lock = threading.Lock()
        self._fingerprint: object = None
        self._current: dict[str, dict[str, dict[str, Any]]] = {}
        self._deleted: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in RESOURCES}

    # ----- tokens -------------------------------------------------------------------------
    def token(self, form: bytes) -> tuple[int, dict[str, Any]]:
        fields = {k: v[-1] for k, v in parse_qs(form.decode("utf-8")).items()}
        if fields.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if (fields.get("client_id"), fields.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(24)
        scopes = set(fields.get("scope", "").split())
        with self._lock:
            self._tokens[token] = (time.monotonic() + self.token_seconds, scopes)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.token_seconds}
        return 200, body

    def revoke_tokens(self) -> None:
        """Forget every token, as a key rotation would: the next request gets 401."""
        with self._lock:
            self._tokens.clear()

    def authorize(self, headers: Any, path: str) -> None:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        with self._lock:
            known = self._tokens.get(token) if scheme == "Bearer" else None
        if known is None:
            raise ProblemError(401, "Unauthorized: unknown access token")
        expires, scopes = known
        if time.monotonic() >= expires:
            raise ProblemError(401, "Unauthorized: the access token expired")
        if headers.get("Api-Version") != API_VERSION:
            raise ProblemError(400, f"Api-Version must be {API_VERSION}")
        resource = path.removeprefix(PREFIX).strip("/")
        scope = v5_extensions.SCOPES.get(resource, f"{resource}.readonly")
        if (resource in RESOURCES or resource in v5_extensions.SCOPES) and scope not in scopes:
            raise ProblemError(403, f"the token lacks the scope {scope}")

    # ----- resources ----------------------------------------------------------------------
    def _refresh(self) -> None:
        """Derive the resources again if the tenant changed, dating what changed."""
        tenant = self.tenant
        fingerprint = (
            len(tenant.users),
            len(tenant.contracts),
            len(tenant.userlogs),
            hash(tuple(u["modifiedAt"] for u in tenant.users)),
            hash(tuple(c["lastModifiedAt"] for c in tenant.contracts)),
        )
        if fingerprint == self._fingerprint:
            return
        first = self._fingerprint is None
        self._fingerprint = fingerprint
        now = utc_text(dt.datetime.now(dt.UTC))
        fresh = {name: {r["id"]: r for r in rows} for name, rows in derive(tenant).items()}
        if not first:
            for name, rows in fresh.items():
                before = self._current[name]
                for ident, row in rows.items():
                    old = before.get(ident)
                    if old is None or _content(old) != _content(row):
                        row["lastUpdatedAt"] = now
                    else:
                        row["lastUpdatedAt"] = old["lastUpdatedAt"]
                for ident in before.keys() - rows.keys():
                    gone = {**before[ident], "deletedAt": now, "lastUpdatedAt": now}
                    self._deleted[name][ident] = gone
        self._current = fresh

    def records(self, resource: str) -> list[dict[str, Any]]:
        """The resource's current records in id order (the truth for tests)."""
        with self.tenant.lock:
            self._refresh()
            return list(self._current[resource].values())

    def deleted(self, resource: str) -> list[dict[str, Any]]:
        with self.tenant.lock:
            self._refresh()
            return list(self._deleted[resource].values())

    def answer(self, path: str, params: dict[str, list[str]], page_url: str) -> dict[str, Any]:
        resource = path.removeprefix(PREFIX).strip("/")
        if resource in v5_extensions.SCOPES:
            return v5_extensions.answer(
                self.tenant, resource, params, page_url, self.honours_updated_filter
            )
        if resource not in RESOURCES:
            raise ProblemError(404, f"No resource {resource}")
        limit_text = _one(params, "limit") or str(DEFAULT_LIMIT)
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise ProblemError(400, f"limit must be between 1 and {MAX_LIMIT}")
        limit = int(limit_text)
        after = _after(page) if (page := _one(params, "page")) else -1
        rows = self.records(resource)
        if resource == "employees":
            wanted = (_one(params, "status") or "active,upcoming").split(",")
            if not set(wanted) <= set(STATUSES):
                raise ProblemError(400, f"status takes {','.join(STATUSES)}")
            rows = [r for r in rows if r["status"] in wanted]
        updated = _one(params, "lastUpdatedAt")
        if updated is not None and self.honours_updated_filter:
            low, high = _range(updated)
            rows += self.deleted(resource)
            rows = sorted(
                (r for r in rows if low <= r["lastUpdatedAt"] <= high), key=lambda r: int(r["id"])
            )
        remaining = [r for r in rows if int(r["id"]) > after]
        items = remaining[:limit]
        body: dict[str, Any] = {"type": resource, "url": page_url, "items": items, "embedded": {}}
        include = set((_one(params, "include") or "").split(","))
        if "totalCount" in include:
            body["totalCount"] = len(rows)
        if "links" in include:
            more = len(remaining) > limit
            href = f"{page_url}?page={_cursor(int(items[-1]['id']))}" if more else None
            body["links"] = {"prev": None, "next": {"href": href} if href else None}
        return body


def _content(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("lastUpdatedAt", "createdAt")}
