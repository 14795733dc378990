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
import os
import resource
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
    started = time.perf_counter()
    with stdout_path.open("wb") as stdout:
        process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command[0]} failed with status {status}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    }


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rpm", type=int, default=0, help="Lucca's limit; 0 = unlimited")
    parser.add_argument("--incremental", action="store_true", help="time a daily run")
    parser.add_argument("--changed", type=float, default=0.01, help="share changed (daily run)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    started = time.perf_counter()
    tenant = Tenant.generate(users=args.users, seed=args.seed)
    print(f"generated {args.users} users in {time.perf_counter() - started:.1f} s", flush=True)
    rpm = args.rpm or None
    tap_rpm = args.rpm or 1_000_000

    with LuccaEmulator(tenant, api_key=API_KEY, rpm=rpm) as emulator, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config = {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": tap_rpm}
        state = None
        if args.incremental:
            _, _, state = run_tap(config, workdir)
            changed = tenant.users[:: max(1, round(1 / args.changed))]
            tenant.update_users([user["id"] for user in changed])
            emulator.clear_requests()
        tap, records, _ = run_tap(config, workdir, state)
        sent = requests_per_stream(emulator)
        fields = next(r for r in emulator.requests if r.path == "/api/v3/users").params["fields"][0]

        baseline = None
        if not args.incremental and not rpm:
            command = [sys.executable, str(ROOT / "benchmarks" / "baseline.py"), emulator.url]
            command += [API_KEY, fields, str(workdir / "baseline.jsonl")]
            baseline = run_measured(command, workdir / "baseline.out")

    floor = {
        "users": math.ceil(len(tenant.users) / 1000),
        "contracts": math.ceil(len(tenant.contracts) / 1000),
        "departments": math.ceil(len(tenant.departments) / 1000),
    }
    total = sum(records.values())
    print()
    print(f"{'N users':<28}{args.users:>12,}")
    mode = "incremental (daily)" if args.incremental else "full"
    print(f"{'mode':<28}{mode:>12}")
    for stream in ("users", "contracts", "departments"):
        label = f"{stream}: records / requests / floor"
        print(f"{label:<40}{records[stream]:>9,} / {sent[stream]:>3} / {floor[stream]:>3}")
    print(f"{'requests (total / floor)':<28}{sum(sent.values()):>8} / {sum(floor.values())}")
    print(f"{'wall time (s)':<28}{tap['wall']:>12.2f}")
    if rpm:
        paced = sum(sent.values()) * 60 / rpm
        print(f"{'requests x 60/rpm (s)':<28}{paced:>12.2f}")
        print(f"{'wall / (requests x 60/rpm)':<28}{tap['wall'] / paced:>12.2f}")
    print(f"{'CPU time (s)':<28}{tap['cpu']:>12.2f}")
    print(f"{'records/s':<28}{total / tap['wall']:>12,.0f}")
    print(f"{'peak RSS (MB)':<28}{tap['rss_mb']:>12.1f}")
    if baseline:
        print(f"{'baseline wall time (s)':<28}{baseline['wall']:>12.2f}")
        print(f"{'baseline CPU time (s)':<28}{baseline['cpu']:>12.2f}")
        print(f"{'baseline records/s':<28}{total / baseline['wall']:>12,.0f}")
        print(f"{'baseline peak RSS (MB)':<28}{baseline['rss_mb']:>12.1f}")
        ratio = (total / tap["wall"]) / (total / baseline["wall"])
        print(f"{'throughput tap / baseline':<28}{ratio:>12.2f}")
    print(f"{'(benchmark process peak RSS, MB)':<28}{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:>6.0f}")


if __name__ == "__main__":
    main()
