"""Benchmark a full sync in new-API mode (client credentials) against the emulator.

    python benchmarks/new_api.py --users 2500            # unlimited rate
    python benchmarks/new_api.py --users 2500 --rpm 50   # under Lucca's real limit

The tap runs as a child process. The fewest requests possible is the sum over
resources of ceil(records / 100), plus one token request; the run fails (exit 1)
when it sends more than 10 % over that.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lucca_emulator import LuccaEmulator, Tenant  # noqa: E402
from lucca_emulator.v5 import MAX_LIMIT, PREFIX, TOKEN_PATH  # noqa: E402
from lucca_emulator.v5_data import RESOURCES  # noqa: E402

CLIENT_ID, CLIENT_SECRET = "benchmark-client", "benchmark&secret+="
MARGIN = 0.10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2500)
    parser.add_argument("--rpm", type=int, default=0, help="Lucca's limit; 0 = unlimited")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    tenant = Tenant.generate(users=args.users, seed=args.seed)
    emulator = LuccaEmulator(
        tenant, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, rpm=args.rpm or None
    )
    with emulator, tempfile.TemporaryDirectory() as workdir:
        config = {
            "api_url": emulator.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "oauth_token_url": emulator.url + TOKEN_PATH,
            "max_requests_per_minute": args.rpm or 100_000,
        }
        config_file = Path(workdir) / "config.json"
        config_file.write_text(json.dumps(config))
        started = time.monotonic()
        tap = subprocess.run(
            [sys.executable, "-m", "tap_lucca", "--config", str(config_file)],
            capture_output=True,
            check=False,
        )
        if tap.returncode:
            sys.exit(tap.stderr.decode()[-3000:])
        output = tap.stdout
        wall = time.monotonic() - started
        records = Counter(
            message["stream"]
            for message in map(json.loads, output.splitlines())
            if message["type"] == "RECORD"
        )
        sent = Counter(r.path for r in emulator.requests)
        floors = {r: math.ceil(len(emulator.v5.records(r)) / MAX_LIMIT) for r in RESOURCES}
    fewest = sum(floors.values()) + 1
    total = sum(sent.values())
    print(f"tenant: {args.users} users, rate limit: {args.rpm or 'none'} requests/min")
    print(f"{'resource':<26}{'records':>9}{'requests':>10}{'fewest':>8}")
    for resource in RESOURCES:
        stream = resource.replace("-", "_")
        count = sent[PREFIX + resource]
        print(f"{resource:<26}{records[stream]:>9}{count:>10}{floors[resource]:>8}")
    print(f"{'token':<26}{'':>9}{sent[TOKEN_PATH]:>10}{1:>8}")
    print(f"{'total':<26}{sum(records.values()):>9}{total:>10}{fewest:>8}")
    print(f"wall time: {wall:.1f} s; requests over the fewest: {total / fewest - 1:.1%}")
    if total > fewest * (1 + MARGIN):
        sys.exit(f"more than {MARGIN:.0%} over the fewest requests possible")


if __name__ == "__main__":
    main()
