"""The HTTP side: a threaded server on 127.0.0.1 that answers like a Lucca tenant.

Order of checks for every request: API key (401), rate limit (429 + Retry-After),
injected failures (`fail_next`), forbidden paths (403), failing paths (404, 410,
501...), heavy pages (408), seeded random faults (5xx, dropped connection), then
routing (404 for paths not in KNOWN_PATHS); a 200 may still be truncated. Every
request, whatever its answer, is recorded in `requests` before the answer is sent,
so a test can read it as soon as its HTTP call returns.
After a users list page is built and before it is sent, `churn` may change the tenant.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, parse_qs, parse_qsl, urlsplit

from . import sample
from .churn import Churn, ChurnRunner
from .errors import ApiError, ProblemError
from .faults import (
    DROP,
    FAILING,
    FORBIDDEN,
    SERVER_ERROR,
    TIMEOUT_408,
    TRUNCATED,
    FaultDraw,
    FaultPicker,
    Faults,
    html_error,
)
from .heavy import v3_page_size, v4_page_size, v5_page_size
from .ratelimit import WINDOW_SECONDS, RetryAfterWatch, SlidingWindowLimiter
from .records import RequestLog, RequestRecord
from .timefmt import paris_now
from .v3_custom_fields import PATHS as CUSTOM_FIELD_PATHS
from .v3_custom_fields import list_custom_fields
from .v3_leaves import ABSENCES_PATHS, AbsencesApi
from .v3_userlogs import list_userlogs, userlog_catalog
from .v3_users import UserCatalog, get_user, list_users
from .v4 import DEFAULT_LIMIT as V4_DEFAULT_LIMIT
from .v4 import (
    LOOKUP_DEFAULT_LIMIT,
    list_departments,
    list_lookup,
    list_structure,
    list_work_contracts,
)
from .v5 import API_VERSION as V5_API_VERSION
from .v5 import PREFIX as V5_PREFIX
from .v5 import TOKEN_PATH, V5Api

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import TracebackType

    from .tenant import Tenant

HOST = "127.0.0.1"  # never listen beyond the loopback interface
USERS_PATH = "/api/v3/users"
USER_PATH = re.compile(r"/api/v3/users/(\d+)/?")
USERLOGS_PATH = "/api/v3/userlogs"
CONTRACTS_PATH = "/directory/api/4.0/work-contracts"
DEPARTMENTS_PATH = "/organization/structure/api/departments"
ESTABLISHMENTS_PATH = "/organization/structure/api/establishments"
LEGAL_UNITS_PATH = "/organization/structure/api/legal-units"
CONTRACT_TYPES_PATH = "/directory/api/work-contract-types"
HIRING_TYPES_PATH = "/directory/api/work-contract-hiring-types"
TERMINATION_REASONS_PATH = "/directory/api/work-contract-termination-reasons"
OCCUPATION_CATEGORIES_PATH = "/organization/structure/api/occupation-categories"
V3_LIST_PATHS = (USERS_PATH, USERLOGS_PATH, *CUSTOM_FIELD_PATHS, *ABSENCES_PATHS)
# Establishments and legal units page like departments, with optional root fields.
STRUCTURE_PATHS = {ESTABLISHMENTS_PATH: "establishments", LEGAL_UNITS_PATH: "legal_units"}
# Look-up path -> the Tenant attribute listing its rows.
LOOKUP_PATHS = {
    CONTRACT_TYPES_PATH: "contract_types",
    HIRING_TYPES_PATH: "contract_hiring_types",
    TERMINATION_REASONS_PATH: "contract_termination_reasons",
    OCCUPATION_CATEGORIES_PATH: "occupation_categories",
}
# Every v4 list and the page size it serves without `limit` (for heavy pages).
V4_LIST_PATHS = {
    CONTRACTS_PATH: V4_DEFAULT_LIMIT,
    DEPARTMENTS_PATH: V4_DEFAULT_LIMIT,
    **dict.fromkeys(STRUCTURE_PATHS, V4_DEFAULT_LIMIT),
    **dict.fromkeys(LOOKUP_PATHS, LOOKUP_DEFAULT_LIMIT),
}
KNOWN_PATHS = (*V3_LIST_PATHS, *V4_LIST_PATHS)
PRINCIPAL = "Emulator key"  # the key's label, as in the recorded headers; never the key
PROCESS_ID = 1234
JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class _Reply:
    """What to send back. `content_length` differs from len(payload) only when a
    truncated body announces its full length; `close` hangs up after sending."""

    status: int
    payload: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON_TYPE
    content_length: int | None = None
    close: bool = False
    fault: str | None = None


class LuccaEmulator:
    """Serve `tenant` like a Lucca tenant. Use as a context manager or start()/stop().

    `rpm`: requests allowed per sliding minute (None or 0: unlimited), settable at run
    time; `window_seconds` shortens that "minute" for fast tests. `id_casing`: "mixed"
    (real: departmentID…) or "docs" (departmentId…).
    Faults, all settable at run time: `faults` (seeded 5xx, drops, truncations),
    `heavy_page_limit` (408 for list pages asking for more records; None: off),
    `churn` (tenant changes after each users page; None: off), `forbidden_paths` (403),
    `failing_paths` (path -> status, e.g. 404), `v4_page_cap` (v4 lists serve at most
    this many records a page whatever `limit` asks, as a server-side maximum that clamps
    `limit` would, `count` still the total; None: off).
    The new API (`/lucca-api/`, its token endpoint at `TOKEN_PATH`) is `self.v5`, with
    its own client id and secret; token lifetime and filter switch are set there.
    Lucca Absences (`/api/v3/leaves`, `/api/v3/leaveaccounts`) is `self.absences`: its
    change-filter switch and whether the tenant has the module are set there.
    """

    def __init__(
        self,
        tenant: Tenant,
        api_key: str = "emulator-demo-key",
        rpm: int | None = None,
        id_casing: str = "mixed",
        port: int = 0,
        *,
        faults: Faults | None = None,
        heavy_page_limit: int | None = None,
        churn: Churn | None = None,
        forbidden_paths: Iterable[str] = (),
        window_seconds: float = WINDOW_SECONDS,
        v4_page_cap: int | None = None,
        client_id: str = "emulator-client",
        client_secret: str = "emulator-secret",
    ) -> None:
        self.tenant = tenant
        self.v5 = V5Api(tenant, client_id, client_secret)
        self.absences = AbsencesApi(tenant)
        self.api_key = api_key
        self.port = port
        self.id_casing = id_casing
        fields = tenant.custom_fields
        samples = [sample.template_user(), fields.sample_user(), *tenant.users[:500]]
        self._catalog = UserCatalog(fields.user_keys(sample.user_keys()), samples, id_casing)
        self._userlog_catalog = userlog_catalog()
        self._limiter = SlidingWindowLimiter(rpm, window_seconds)
        self._log = RequestLog()
        self._failures: deque[tuple[int, int | str | None]] = deque()
        self._failures_lock = threading.Lock()
        self._picker = FaultPicker(faults or Faults())
        self._retry_watch = RetryAfterWatch()
        self._churner: ChurnRunner | None = None
        self.churn = churn
        self.churn_log: list[dict[str, list[int]]] = []
        self.heavy_page_limit = heavy_page_limit
        self.v4_page_cap = v4_page_cap
        # Matched exactly, with or without a trailing slash.
        self.forbidden_paths: set[str] = set(forbidden_paths)
        # Path -> the status it answers instead (404, 410, 501, 400...), as when a tenant
        # lacks a module, Lucca retired the endpoint or no longer takes a request.
        self.failing_paths: dict[str, int] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----- lifecycle -------------------------------------------------------------------
    def start(self) -> LuccaEmulator:
        if self._server is None:
            self._server = _Server(self, self.port)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="lucca-emulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> LuccaEmulator:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    # ----- test-facing properties ------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{HOST}:{self._server.server_address[1]}"

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request received so far."""
        return self._log.snapshot()

    def clear_requests(self) -> None:
        self._log.clear()

    @property
    def rpm(self) -> int | None:
        return self._limiter.rpm

    @rpm.setter
    def rpm(self, value: int | None) -> None:
        self._limiter.rpm = value

    def reset_rate_limit(self) -> None:
        """Forget the requests counted so far (a fresh minute) and any pending
        Retry-After (early_requests keeps its count)."""
        self._limiter.reset()
        self._retry_watch.forget()

    @property
    def early_requests(self) -> int:
        """Requests that arrived before the instant the latest 429's Retry-After named."""
        return self._retry_watch.early

    @property
    def faults(self) -> Faults:
        return self._picker.faults

    @faults.setter
    def faults(self, value: Faults | None) -> None:
        # A fresh picker: setting the same Faults again replays the same sequence.
        self._picker = FaultPicker(value or Faults())

    @property
    def churn(self) -> Churn | None:
        return None if self._churner is None else self._churner.churn

    @churn.setter
    def churn(self, value: Churn | None) -> None:
        self._churner = None if value is None else ChurnRunner(value)

    def fail_next(
        self, status: int = 500, count: int = 1, retry_after: int | str | None = None
    ) -> None:
        """Answer the next `count` authorised requests with `status` (e.g. 500, 503, 408),
        with a Retry-After header when given, sent as written (so it may be malformed):
        for testing a client's retries."""
        with self._failures_lock:
            self._failures.extend([(status, retry_after)] * count)

    # ----- request handling ------------------------------------------------------------
    def handle(self, handler: _Handler, method: str) -> None:
        arrived = time.monotonic()
        split = urlsplit(handler.path)
        params = parse_qs(split.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        form = handler.rfile.read(length) if length else b""  # keeps keep-alive in step
        early = self._retry_watch.arrive(arrived)  # before this request's own 429, if any
        if split.path == TOKEN_PATH and method == "POST":  # another host in real life
            status, body = self.v5.token(form)
            reply = _Reply(status, json.dumps(body).encode())
        else:
            reply = self._reply(handler, method, split, params, arrived)
        retry_after = reply.headers.get("Retry-After", "")
        if reply.status == 429 and retry_after.isdigit():
            self._retry_watch.told(arrived, int(retry_after))
        self._log.append(
            RequestRecord(
                method, split.path, params, reply.status, arrived, early=early, fault=reply.fault
            )
        )
        if reply.fault == DROP:
            self._drop(handler)
            return
        churner = self._churner
        if churner is not None and reply.status == 200 and split.path.rstrip("/") == USERS_PATH:
            # The page is already serialised: the changes show from the next request on.
            self.churn_log.append(churner.step(self.tenant))
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        length = len(reply.payload) if reply.content_length is None else reply.content_length
        handler.send_header("Content-Length", str(length))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.close:  # no "Connection: close": the cut comes as a surprise
            handler.close_connection = True
        handler.end_headers()
        with contextlib.suppress(ConnectionError):  # the client may give up first
            handler.wfile.write(reply.payload)

    def _reply(
        self,
        handler: _Handler,
        method: str,
        split: SplitResult,
        params: dict[str, list[str]],
        arrived: float,
    ) -> _Reply:
        path, query = split.path, split.query
        draw: FaultDraw | None = None
        try:
            draw = self._gate(handler, method, path, params, arrived)
            if draw is not None and draw.kind == SERVER_ERROR:
                page = html_error(draw.status)
                return _Reply(draw.status, page, content_type="text/html", fault=SERVER_ERROR)
            if draw is not None and draw.kind == DROP:
                return _Reply(0, fault=DROP)
            if draw is not None and draw.kind == TIMEOUT_408:
                raise _error(path)(408, "Request Timeout: the server is busy", fault=TIMEOUT_408)
            status, body = self._answer(method, path, params, query)
            headers: dict[str, str] = {}
            fault = None
            content_type = JSON_TYPE
        except ApiError as error:
            status, body, headers, fault = error.status, error.body(), error.headers, error.fault
            content_type = error.content_type
        except Exception:  # a bug in the emulator: say so loudly, answer 500
            traceback.print_exc(file=sys.stderr)
            status, body, headers = 500, {"status": 500, "message": "emulator error"}, {}
            fault = None
            content_type = JSON_TYPE
        payload = (
            b""
            if body is None
            else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        )
        if draw is not None and draw.kind == TRUNCATED and status == 200 and len(payload) > 1:
            cut = draw.truncate(payload)
            if draw.full_length:  # announce everything, send part, hang up
                return _Reply(200, cut, content_length=len(payload), close=True, fault=TRUNCATED)
            return _Reply(200, cut, fault=TRUNCATED)  # a complete response of invalid JSON
        if path.startswith(V5_PREFIX):
            headers = {**headers, "Api-Version": V5_API_VERSION}
        return _Reply(status, payload, headers, content_type=content_type, fault=fault)

    @staticmethod
    def _drop(handler: _Handler) -> None:
        """Hang up without a word; the handler then ends quietly (no traceback)."""
        handler.close_connection = True
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)

    def _gate(
        self,
        handler: _Handler,
        method: str,
        path: str,
        params: dict[str, list[str]],
        arrived: float,
    ) -> FaultDraw | None:
        """Key, rate limit, injected failures, 403, 408, in that order (raises ApiError);
        returns the random fault drawn for this request, if faults are on."""
        if path.startswith(V5_PREFIX):
            self.v5.authorize(handler.headers, path)
        elif handler.headers.get("Authorization") != f"lucca application={self.api_key}":
            raise ApiError(401, "Unauthorized")
        retry_after = self._limiter.acquire(arrived)
        if retry_after is not None:
            raise ApiError(429, "Too Many Requests", {"Retry-After": str(retry_after)})
        # Drawn for every request past this point, so the sequence stays aligned.
        draw = self._picker.draw()
        with self._failures_lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            status, retry = failure
            headers = {} if retry is None else {"Retry-After": str(retry)}
            raise ApiError(status, "injected failure", headers)
        route = path.rstrip("/") or "/"
        forbidden = self.forbidden_paths
        if route in forbidden or f"{route}/" in forbidden:
            raise ApiError(403, "The API key's role may not read this resource", fault=FORBIDDEN)
        if status := self.failing_paths.get(route):
            raise ApiError(status, HTTPStatus(status).phrase, fault=FAILING)
        limit = self.heavy_page_limit
        if limit is not None and method == "GET":
            size = None
            if route in V3_LIST_PATHS:
                size = v3_page_size(params)
            elif route in V4_LIST_PATHS:
                size = v4_page_size(params, V4_LIST_PATHS[route])
            elif route.startswith(V5_PREFIX) and "/" not in route.removeprefix(V5_PREFIX):
                size = v5_page_size(params)
            if size is not None and size > limit:
                # Lucca aborts requests running over 5 s and asks for a lighter one.
                message = "Request Timeout: ask for a smaller page"
                raise _error(path)(408, message, fault=TIMEOUT_408)
        return draw

    def _answer(
        self, method: str, path: str, params: dict[str, list[str]], query: str
    ) -> tuple[int, Any]:
        route = path.rstrip("/") or "/"
        if route.startswith(V5_PREFIX) and method == "GET":
            return 200, self.v5.answer(route, params, self.url + route)
        user_match = USER_PATH.fullmatch(path)
        if route not in KNOWN_PATHS and user_match is None:
            raise ApiError(404, f"No route for {path}")
        if method != "GET":
            raise ApiError(405, "Method not allowed", {"Allow": "GET"})
        params = self._capped(route, params)
        with self.tenant.lock:
            return 200, self._legacy_body(route, user_match, params, query)

    def _legacy_body(
        self,
        route: str,
        user_match: re.Match[str] | None,
        params: dict[str, list[str]],
        query: str,
    ) -> Any:
        tenant = self.tenant
        if user_match is not None:
            data = get_user(tenant.user(int(user_match.group(1))), params, self._catalog)
            return {"header": self._header(), "data": data, "metadata": None}
        if route in V3_LIST_PATHS:
            return {"header": self._header(), "data": self._v3_list(route, params)}
        if route == CONTRACTS_PATH:
            return list_work_contracts(tenant.contracts, params)
        if route in LOOKUP_PATHS:
            return list_lookup(getattr(tenant, LOOKUP_PATHS[route]), params)
        # Departments, establishments, legal units: pages link to their neighbours.
        pairs = parse_qsl(query, keep_blank_values=True)
        page_url = self.url + route
        if route == DEPARTMENTS_PATH:
            return list_departments(tenant.departments, params, page_url, pairs)
        return list_structure(getattr(tenant, STRUCTURE_PATHS[route]), params, page_url, pairs)

    def _v3_list(self, route: str, params: dict[str, list[str]]) -> dict[str, Any]:
        """The `data` of a v3 list."""
        tenant = self.tenant
        if route == USERS_PATH:
            return list_users(tenant.users, params, self._catalog, tenant.today)
        if route == USERLOGS_PATH:
            return list_userlogs(tenant.userlogs, params, self._userlog_catalog)
        if route in CUSTOM_FIELD_PATHS:
            return list_custom_fields(route, tenant.custom_fields, params)
        return self.absences.answer(route, params)

    def _capped(self, route: str, params: dict[str, list[str]]) -> dict[str, list[str]]:
        """The query as a v4 list serves it under `v4_page_cap`."""
        cap = self.v4_page_cap
        if cap is None or route not in V4_LIST_PATHS:
            return params
        size = v4_page_size(params, V4_LIST_PATHS[route])
        if size is None:
            return params
        kept = {k: v for k, v in params.items() if k.lower() != "limit"}
        return {**kept, "limit": [str(min(size, cap))]}

    @staticmethod
    def _header() -> dict[str, Any]:
        # .NET prints 7 decimals: "2024-09-27T16:34:19.9652616"
        generated = paris_now().isoformat(timespec="microseconds") + "0"
        return {"generated": generated, "principal": PRINCIPAL, "processId": PROCESS_ID}


def _error(path: str) -> type[ApiError]:
    """The error a path answers with: the new API's are `application/problem+json`."""
    return ProblemError if path.startswith(V5_PREFIX) else ApiError


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API behind its proxy
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle plus the
    # client's delayed ACK stall every keep-alive response by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default one-line-per-request logging."""

    def do_GET(self) -> None:
        self.server.emulator.handle(self, "GET")

    def do_POST(self) -> None:
        self.server.emulator.handle(self, "POST")

    def do_PUT(self) -> None:
        self.server.emulator.handle(self, "PUT")

    def do_PATCH(self) -> None:
        self.server.emulator.handle(self, "PATCH")

    def do_DELETE(self) -> None:
        self.server.emulator.handle(self, "DELETE")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, emulator: LuccaEmulator, port: int) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((HOST, port), _Handler)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Drop idle keep-alive connections so a stopped emulator answers nothing more."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a client hanging up is not our problem
        super().handle_error(request, client_address)
