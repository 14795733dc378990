"""Benchmark a full (or daily incremental) sync of the tap against the emulator.

    python benchmarks/sync.py --users 10000            # unlimited rate
    python benchmarks/sync.py --users 10000 --rpm 50   # under Lucca's real limit
    python benchmarks/sync.py --users 10000 --incremental

The emulator runs in this process; the tap and the baseline (benchmarks/baseline.py)
run as child processes, so their CPU time and peak memory are their own.
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

from tests.emulator import LuccaEmulator, Tenant  # noqa: E402

API_KEY = "benchmark-key"
STREAM_OF_PATH = {
    "/api/v3/users": "users",
    "/directory/api/4.0/work-contracts": "contracts",
    "/organization/structure/api/departments": "departments",
}


def run_measured(command: list[str], stdout_path: Path) -> dict:
    """Run a child process; its wall time, CPU time and peak RSS."""
    measure = [sys.executable, str(ROOT / "benchmarks" / "rusage.py"), *command]
    with stdout_path.open("wb") as stdout:
        result = subprocess.run(measure, stdout=stdout, stderr=subprocess.PIPE, check=True)
    measured = json.loads(result.stderr)
    if measured["exit"] != 0:
        sys.exit(f"{command[0]} failed with exit code {measured['exit']}")
    return measured


def count_records(singer_output: Path) -> tuple[Counter, dict | None]:
    records: Counter = Counter()
    state = None
    with singer_output.open() as lines:
        for line in lines:
            if line.startswith('{"type":"RECORD"'):
                records[json.loads(line)["stream"]] += 1
            elif line.startswith('{"type":"STATE"'):
                state = json.loads(line)["value"]
    return records, state


def run_tap(config: dict, workdir: Path, state: dict | None = None) -> tuple[dict, Counter, dict]:
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    command = [sys.executable, "-m", "tap_lucca", "--config", str(config_path)]
    if state:
        state_path = workdir / "state.json"
        state_path.write_text(json.dumps(state))
        command += ["--state", str(state_path)]
    output = workdir / "tap.jsonl"
    measured = run_measured(command, output)
    records, last_state = count_records(output)
    return measured, records, last_state or {}


def requests_per_stream(emulator: LuccaEmulator) -> Counter:
    return Counter(STREAM_OF_PATH.get(r.path, r.path) for r in emulator.requests)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rpm", type=int, default=0, help="Lucca's limit; 0 = unlimited")
    parser.add_argument("--incremental", action="store_true", help="time a daily run")
    parser.add_argument("--changed", type=float, default=0.01, help="share changed (daily run)")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def measure(args: argparse.Namespace, tenant: Tenant) -> dict:
    """Run the tap (and the baseline on full unlimited runs) against the emulator."""
    rpm = args.rpm or None
    emulator = LuccaEmulator(tenant, api_key=API_KEY, rpm=rpm)
    with emulator, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config = {
            "api_url": emulator.url,
            "api_key": API_KEY,
            "max_requests_per_minute": args.rpm or 1_000_000,
        }
        state = None
        if args.incremental:
            _, _, state = run_tap(config, workdir)
            changed = tenant.users[:: max(1, round(1 / args.changed))]
            tenant.update_users([user["id"] for user in changed])
            emulator.clear_requests()
        tap, records, _ = run_tap(config, workdir, state)
        sent = requests_per_stream(emulator)
        fields = next(r for r in emulator.requests if r.path == "/api/v3/users").params["fields"]

        baseline = None
        if not args.incremental and not rpm:
            command = [sys.executable, str(ROOT / "benchmarks" / "baseline.py"), emulator.url]
            command += [API_KEY, fields[0], str(workdir / "baseline.jsonl")]
            baseline = run_measured(command, workdir / "baseline.out")
    return {"tap": tap, "records": records, "sent": sent, "baseline": baseline}


def row(label: str, value: str) -> None:
    print(f"{label:<34}{value:>20}")


def print_table(args: argparse.Namespace, tenant: Tenant, result: dict) -> None:
    tap, records, sent, baseline = (result[k] for k in ("tap", "records", "sent", "baseline"))
    floor = {
        "users": math.ceil(len(tenant.users) / 1000),
        "contracts": math.ceil(len(tenant.contracts) / 1000),
        "departments": math.ceil(len(tenant.departments) / 1000),
    }
    total = sum(records.values())
    print()
    row("N users", f"{args.users:,}")
    row("mode", "incremental (daily)" if args.incremental else "full")
    row("rate limit (requests/min)", str(args.rpm or "unlimited"))
    for stream in ("users", "contracts", "departments"):
        row(f"{stream}: records", f"{records[stream]:,}")
        row(f"{stream}: requests / floor", f"{sent[stream]} / {floor[stream]}")
    row("requests / floor (total)", f"{sum(sent.values())} / {sum(floor.values())}")
    row("wall time (s)", f"{tap['wall']:.2f}")
    if args.rpm:
        paced = sum(sent.values()) * 60 / args.rpm
        row("requests x 60/rpm (s)", f"{paced:.2f}")
        row("wall / (requests x 60/rpm)", f"{tap['wall'] / paced:.2f}")
    row("CPU time (s)", f"{tap['cpu']:.2f}")
    row("records/s", f"{total / tap['wall']:,.0f}")
    row("peak RSS of the tap (MB)", f"{tap['rss_mb']:.1f}")
    if baseline:
        row("baseline wall time (s)", f"{baseline['wall']:.2f}")
        row("baseline CPU time (s)", f"{baseline['cpu']:.2f}")
        row("baseline records/s", f"{total / baseline['wall']:,.0f}")
        row("baseline peak RSS (MB)", f"{baseline['rss_mb']:.1f}")
        row("throughput tap / baseline", f"{baseline['wall'] / tap['wall']:.2f}")


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    tenant = Tenant.generate(users=args.users, seed=args.seed)
    print(f"generated {args.users:,} users in {time.perf_counter() - started:.1f} s", flush=True)
    print_table(args, tenant, measure(args, tenant))


if __name__ == "__main__":
    main()
