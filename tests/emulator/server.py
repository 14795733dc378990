"""The HTTP side: a threaded server on 127.0.0.1 that answers like a Lucca tenant.

Order of checks for every request: API key (401), rate limit (429 + Retry-After),
injected failures (`fail_next`), then routing (404 for unknown paths). Every request,
whatever its answer, is recorded in `requests` before the answer is sent, so a test
can read it as soon as its HTTP call returns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import socket
import sys
import threading
import time
import traceback
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from . import sample
from .errors import ApiError
from .ratelimit import SlidingWindowLimiter
from .records import RequestLog, RequestRecord
from .v3_users import UserCatalog, get_user, list_users
from .v4 import list_departments, list_work_contracts

if TYPE_CHECKING:
    from types import TracebackType

    from .tenant import Tenant

HOST = "127.0.0.1"  # never listen beyond the loopback interface
USERS_PATH = "/api/v3/users"
USER_PATH = re.compile(r"/api/v3/users/(\d+)/?")
CONTRACTS_PATH = "/directory/api/4.0/work-contracts"
DEPARTMENTS_PATH = "/organization/structure/api/departments"
KNOWN_PATHS = (USERS_PATH, CONTRACTS_PATH, DEPARTMENTS_PATH)
PRINCIPAL = "Emulator key"  # the key's label, as in the recorded headers; never the key
PROCESS_ID = 1234


class LuccaEmulator:
    """Serve `tenant` like a Lucca tenant. Use as a context manager or start()/stop().

    `rpm`: requests allowed per sliding minute (None or 0: unlimited), settable at run
    time. `id_casing`: "mixed" (real: departmentID…) or "docs" (departmentId…).
    """

    def __init__(
        self,
        tenant: Tenant,
        api_key: str = "emulator-demo-key",
        rpm: int | None = None,
        id_casing: str = "mixed",
        port: int = 0,
    ) -> None:
        self.tenant = tenant
        self.api_key = api_key
        self.port = port
        self.id_casing = id_casing
        samples = [sample.template_user(), *tenant.users[:500]]
        self._catalog = UserCatalog(sample.user_keys(), samples, id_casing)
        self._limiter = SlidingWindowLimiter(rpm)
        self._log = RequestLog()
        self._failures: deque[tuple[int, int | None]] = deque()
        self._failures_lock = threading.Lock()
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
        """Forget the requests counted so far (a fresh minute)."""
        self._limiter.reset()

    def fail_next(self, status: int = 500, count: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `count` authorised requests with `status` (e.g. 500, 503, 408),
        with a Retry-After header when given: for testing a client's retries."""
        with self._failures_lock:
            self._failures.extend([(status, retry_after)] * count)

    # ----- request handling ------------------------------------------------------------
    def handle(self, handler: _Handler, method: str) -> None:
        arrived = time.monotonic()
        split = urlsplit(handler.path)
        params = parse_qs(split.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)  # keep the keep-alive stream in step
        try:
            status, body = self._answer(method, split.path, params, split.query, handler)
            headers: dict[str, str] = {}
        except ApiError as error:
            status, body, headers = error.status, error.body(), error.headers
        except Exception:  # a bug in the emulator: say so loudly, answer 500
            traceback.print_exc(file=sys.stderr)
            status, body, headers = 500, {"status": 500, "message": "emulator error"}, {}
        self._log.append(RequestRecord(method, split.path, params, status, arrived))
        payload = (
            b""
            if body is None
            else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        )
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _gate(self, handler: _Handler) -> None:
        """Key, rate limit and injected failures, in that order (raises ApiError)."""
        if handler.headers.get("Authorization") != f"lucca application={self.api_key}":
            raise ApiError(401, "Unauthorized")
        retry_after = self._limiter.acquire()
        if retry_after is not None:
            raise ApiError(429, "Too Many Requests", {"Retry-After": str(retry_after)})
        with self._failures_lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            status, retry = failure
            headers = {} if retry is None else {"Retry-After": str(retry)}
            raise ApiError(status, "injected failure", headers)

    def _answer(
        self, method: str, path: str, params: dict[str, list[str]], query: str, handler: _Handler
    ) -> tuple[int, Any]:
        self._gate(handler)
        route = path.rstrip("/") or "/"
        user_match = USER_PATH.fullmatch(path)
        if route not in KNOWN_PATHS and user_match is None:
            raise ApiError(404, f"No route for {path}")
        if method != "GET":
            raise ApiError(405, "Method not allowed", {"Allow": "GET"})
        tenant = self.tenant
        with tenant.lock:
            if user_match is not None:
                data = get_user(tenant.user(int(user_match.group(1))), params, self._catalog)
                body = {"header": self._header(), "data": data, "metadata": None}
            elif route == USERS_PATH:
                data = list_users(tenant.users, params, self._catalog, tenant.today)
                body = {"header": self._header(), "data": data}
            elif route == CONTRACTS_PATH:
                body = list_work_contracts(tenant.contracts, params)
            else:
                pairs = parse_qsl(query, keep_blank_values=True)
                page_url = self.url + DEPARTMENTS_PATH
                body = list_departments(tenant.departments, params, page_url, pairs)
        return 200, body

    @staticmethod
    def _header() -> dict[str, Any]:
        # .NET prints 7 decimals: "2024-09-27T16:34:19.9652616"
        generated = dt.datetime.now().isoformat(timespec="microseconds") + "0"
        return {"generated": generated, "principal": PRINCIPAL, "processId": PROCESS_ID}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API behind its proxy
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
