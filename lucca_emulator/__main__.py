"""Run the emulator until Ctrl-C or SIGTERM.

    python -m lucca_emulator --port 8765 --users 500 --seed 42 --api-key KEY --rpm 50 --activity 0
    python -m lucca_emulator --fault-rate 0.1 --fault-seed 3 --heavy-page-limit 250

Prints exactly one line, "Lucca emulator listening on http://127.0.0.1:PORT", and
never the API key; if it cannot listen (a port already taken), one line on stderr and
exit code 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

from .faults import Faults
from .server import LuccaEmulator
from .tenant import Tenant
from .v3_leaves import HONOURED, IGNORED, REJECTED

if TYPE_CHECKING:
    from types import FrameType

DEFAULT_API_KEY = "emulator-demo-key"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lucca-emulator", description="Lucca HR API emulator")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port (default 8765)")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--api-key",
        default=os.environ.get("LUCCA_EMULATOR_API_KEY") or DEFAULT_API_KEY,
        help="default: $LUCCA_EMULATOR_API_KEY, else the demo key",
    )
    parser.add_argument(
        "--rpm", type=int, default=50, help="requests per minute; 0 disables the limit"
    )
    parser.add_argument(
        "--activity", type=int, default=0, help="update N users at startup (modifiedAt = now)"
    )
    parser.add_argument(
        "--activity-seed", type=int, default=None, help="which users --activity picks"
    )
    parser.add_argument("--id-casing", choices=("mixed", "docs"), default="mixed")
    parser.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
    )
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="share of requests meeting a fault, split evenly between 5xx, drops and "
        "truncated bodies (default 0)",
    )
    parser.add_argument("--fault-seed", type=int, default=None, help="default: --seed")
    parser.add_argument(
        "--heavy-page-limit", type=int, default=None, help="answer 408 to bigger list pages"
    )
    parser.add_argument("--client-id", default="emulator-client", help="new API OAuth client")
    parser.add_argument(
        "--client-secret",
        default=os.environ.get("LUCCA_EMULATOR_CLIENT_SECRET") or "emulator-secret",
        help="default: $LUCCA_EMULATOR_CLIENT_SECRET, else the demo secret",
    )
    parser.add_argument(
        "--token-seconds", type=int, default=1800, help="new API token lifetime (default 1800)"
    )
    parser.add_argument(
        "--honour-updated-filter",
        action="store_true",
        help="new API: honour the lastUpdatedAt filter (default: ignore it)",
    )
    parser.add_argument(
        "--leaves-change-filter",
        choices=(HONOURED, IGNORED, REJECTED),
        default=HONOURED,
        help="how the tenant treats the leaves' modifiedOn filter (default honoured)",
    )
    parser.add_argument(
        "--without-absences", action="store_true", help="a tenant without Lucca Absences (404)"
    )
    args = parser.parse_args(argv)
    if not 0.0 <= args.fault_rate <= 1.0:
        parser.error("--fault-rate must be between 0 and 1")
    return args


def faults_of(args: argparse.Namespace) -> Faults:
    share = args.fault_rate / 3
    seed = args.seed if args.fault_seed is None else args.fault_seed
    return Faults(seed=seed, server_errors=share, drops=share, truncations=share)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tenant = Tenant.generate(users=args.users, seed=args.seed, today=args.today)
    if args.activity:
        seed = args.seed + 1 if args.activity_seed is None else args.activity_seed
        tenant.simulate_activity(args.activity, seed=seed)
    stopping = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    emulator = LuccaEmulator(
        tenant,
        api_key=args.api_key,
        rpm=args.rpm or None,
        id_casing=args.id_casing,
        port=args.port,
        faults=faults_of(args),
        heavy_page_limit=args.heavy_page_limit,
        client_id=args.client_id,
        client_secret=args.client_secret,
    )
    emulator.v5.token_seconds = args.token_seconds
    emulator.v5.honours_updated_filter = args.honour_updated_filter
    emulator.absences.change_filter = args.leaves_change_filter
    emulator.absences.subscribed = not args.without_absences
    try:
        emulator.start()
    except OSError as error:  # most often: the port is taken
        print(
            f"lucca-emulator: cannot listen on 127.0.0.1:{args.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1
    with emulator:
        print(f"Lucca emulator listening on {emulator.url}", flush=True)
        while not stopping.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
