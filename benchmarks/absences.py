"""Benchmark Lucca Absences: leaves of a tenant over two years, a first sync then a daily one.

    python benchmarks/absences.py --users 2500            # at Lucca's 50 requests a minute
    python benchmarks/absences.py --users 2500 --rpm 0    # unlimited

The tap runs as a child process on the streams `leaves` and `leave_accounts`, both
times under the emulator's rate limit and the tap's own pacing. Between the runs, a
day's activity: new requests, approvals and cancellations. The fewest requests for the
leaves is ceil(leaves / 10,000) on the first sync and 1 on the second, plus the
departments listing that names the owners; the run fails (exit 1) past that.
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
from lucca_emulator.v3_leaves import LEAVE_ACCOUNTS_PATH, LEAVES_PATH, MAX_LIMIT  # noqa: E402
from tap_lucca.tap import TapLucca  # noqa: E402

API_KEY = "benchmark-key"
STREAMS = {"leaves", "leave_accounts"}
DEPARTMENTS_PATH = "/organization/structure/api/departments"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2500)
    parser.add_argument("--rpm", type=int, default=50, help="Lucca's limit; 0 = unlimited")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def catalog(config: dict, folder: Path) -> Path:
    """A catalog file that selects the absences streams alone."""
    entries = TapLucca(config=config).catalog_dict
    for entry in entries["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in STREAMS
    path = folder / "catalog.json"
    path.write_text(json.dumps(entries))
    return path


def sync(config: dict, folder: Path, state: dict | None) -> tuple[dict, Counter, dict]:
    """Run the tap; its wall time, CPU time and peak RSS, records per stream, last state."""
    (folder / "config.json").write_text(json.dumps(config))
    command = [sys.executable, str(ROOT / "benchmarks" / "rusage.py"), sys.executable]
    command += ["-m", "tap_lucca", "--config", str(folder / "config.json")]
    command += ["--catalog", str(catalog(config, folder))]
    if state is not None:
        (folder / "state.json").write_text(json.dumps(state))
        command += ["--state", str(folder / "state.json")]
    output = folder / "output.jsonl"
    with output.open("wb") as stdout:
        run = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, check=True)
    measured = json.loads(run.stderr)
    if measured["exit"]:
        sys.exit(f"the tap failed with exit code {measured['exit']}")
    messages = [json.loads(line) for line in output.read_text().splitlines()]
    records = Counter(m["stream"] for m in messages if m["type"] == "RECORD")
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    return measured, records, states[-1]


def report(title: str, measured: dict, records: Counter, sent: Counter, fewest: int) -> bool:
    leaves = sent[LEAVES_PATH] + sent[DEPARTMENTS_PATH]
    print(f"{title}: {records['leaves']:,} leaves, {records['leave_accounts']} accounts")
    print(
        f"  requests: leaves {sent[LEAVES_PATH]} + departments {sent[DEPARTMENTS_PATH]} "
        f"(fewest {fewest}), leave accounts {sent[LEAVE_ACCOUNTS_PATH]}"
    )
    print(
        f"  tap: wall {measured['wall']:.1f} s, CPU {measured['cpu']:.1f} s, "
        f"peak RSS {measured['rss_mb']:.0f} MB"
    )
    return leaves <= fewest


def main() -> None:
    args = parse_args()
    started = time.monotonic()
    tenant = Tenant.generate(users=args.users, seed=args.seed)
    total = len(tenant.leaves)
    print(
        f"tenant: {args.users} users, {total:,} leaves over two years "
        f"(built in {time.monotonic() - started:.1f} s), "
        f"rate limit: {args.rpm or 'none'} requests/min"
    )
    emulator = LuccaEmulator(tenant, api_key=API_KEY, rpm=args.rpm or None)
    with emulator, tempfile.TemporaryDirectory() as workdir:
        config = {
            "api_url": emulator.url,
            "api_key": API_KEY,
            "max_requests_per_minute": args.rpm or 100_000,
        }
        measured, records, state = sync(config, Path(workdir), None)
        first_ok = report(
            "first sync",
            measured,
            records,
            Counter(r.path for r in emulator.requests),
            math.ceil(total / MAX_LIMIT) + 1,
        )
        print(f"  answers: {dict(Counter(r.status for r in emulator.requests))}")
        changed = tenant.absences.simulate_activity(
            seed=1, requests=60, approvals=25, cancellations=15
        )
        emulator.clear_requests()
        emulator.reset_rate_limit()
        measured, records, _ = sync(config, Path(workdir), state)
        statuses = Counter(r.status for r in emulator.requests)
        print(f"a day's activity: {len(changed)} leaves created, approved or cancelled")
        second_ok = report(
            "daily sync", measured, records, Counter(r.path for r in emulator.requests), 1 + 1
        )
        print(f"  answers: {dict(statuses)}")
    if not (first_ok and second_ok):
        sys.exit("more requests than the fewest possible")


if __name__ == "__main__":
    main()
