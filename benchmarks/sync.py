"""Benchmark a full (or daily incremental) sync of the tap against the emulator.

    python benchmarks/sync.py --users 10000                 # unlimited rate, with baseline
    python benchmarks/sync.py --users 10000 --rpm 50        # under Lucca's real limit
    python benchmarks/sync.py --users 10000 --incremental   # a daily run after 1% changed
    python benchmarks/sync.py --users 2000 --rpm 50 --tenants 3   # tenants side by side
    python benchmarks/sync.py --users 100000 --streams users,contracts,departments --repeat 5

With --repeat, the tap and the baseline run in turn against the same emulator and the
medians are printed, with the median of the run-by-run ratios.

The emulators run in this process; the tap and the baseline (benchmarks/baseline.py)
run as child processes, so their CPU time and peak memory are their own.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lucca_emulator import LuccaEmulator, Tenant  # noqa: E402
from tap_lucca.tap import TapLucca  # noqa: E402

API_KEY = "benchmark-key"
STREAMS = TapLucca(config={"api_url": "https://a.ilucca.net", "api_key": "k"}).streams
STREAM_OF_PATH = {stream.path: name for name, stream in STREAMS.items()}
ROWS_OF = {"user_history": "userlogs"}


def floor(stream: str, tenant: Tenant) -> int:
    """The fewest requests that can read a stream at its endpoint's page size."""
    rows = getattr(tenant, ROWS_OF.get(stream, stream))
    size = STREAMS[stream].max_page_size
    if stream == "user_history":  # one read per attribute
        return sum(math.ceil(n / size) for n in Counter(log["name"] for log in rows).values())
    return max(1, math.ceil(len(rows) / size))


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


def catalog_of(streams: list[str]) -> dict:
    """The tap's catalog with only `streams` selected."""
    catalog = TapLucca(config={"api_url": "https://a.ilucca.net", "api_key": "k"}).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def run_tap(
    config: dict, workdir: Path, state: dict | None = None, streams: list[str] | None = None
) -> tuple[dict, Counter, dict]:
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.json"
    config_path.write_text(json.dumps(config))
    command = [sys.executable, "-m", "tap_lucca", "--config", str(config_path)]
    if streams:
        catalog_path = workdir / "catalog.json"
        catalog_path.write_text(json.dumps(catalog_of(streams)))
        command += ["--catalog", str(catalog_path)]
    if state:
        state_path = workdir / "state.json"
        state_path.write_text(json.dumps(state))
        command += ["--state", str(state_path)]
    output = workdir / "tap.jsonl"
    measured = run_measured(command, output)
    records, last_state = count_records(output)
    return measured, records, last_state or {}


def tap_config(emulator: LuccaEmulator, rpm: int) -> dict:
    return {"api_url": emulator.url, "api_key": API_KEY, "max_requests_per_minute": rpm or 10**6}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rpm", type=int, default=0, help="Lucca's limit; 0 = unlimited")
    parser.add_argument("--incremental", action="store_true", help="time a daily run")
    parser.add_argument("--changed", type=float, default=0.01, help="share changed (daily run)")
    parser.add_argument("--tenants", type=int, default=1, help="tenants synced side by side")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--streams", help="comma-separated streams to sync (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of the tap and the baseline")
    args = parser.parse_args()
    args.streams = args.streams.split(",") if args.streams else list(STREAMS)
    if unknown := set(args.streams) - set(STREAMS):
        parser.error(f"unknown streams: {', '.join(sorted(unknown))}")
    return args


def medians(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in ("wall", "cpu", "rss_mb")}


def measure(args: argparse.Namespace, tenant: Tenant) -> dict:
    """Run the tap (and the baseline on full unlimited runs, in turn with the tap)
    against the emulator."""
    emulator = LuccaEmulator(tenant, api_key=API_KEY, rpm=args.rpm or None)
    with emulator, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config = tap_config(emulator, args.rpm)
        state = None
        if args.incremental:
            _, _, state = run_tap(config, workdir, streams=args.streams)
            changed = tenant.users[:: max(1, round(1 / args.changed))]
            tenant.update_users([user["id"] for user in changed])
            emulator.clear_requests()
        taps, baselines = [], []
        for _ in range(args.repeat):
            emulator.clear_requests()
            emulator.reset_rate_limit()
            tap, records, _ = run_tap(config, workdir, state, args.streams)
            taps.append(tap)
            sent = Counter(STREAM_OF_PATH.get(r.path, r.path) for r in emulator.requests)
            fields = {
                r.path: r.params["fields"][0] for r in emulator.requests if "fields" in r.params
            }
            if not args.incremental and not args.rpm:
                command = [sys.executable, str(ROOT / "benchmarks" / "baseline.py"), emulator.url]
                command += [API_KEY, str(workdir / "baseline.jsonl"), "--streams"]
                command += [",".join(args.streams)]
                for option, path in (
                    ("--user-fields", "/api/v3/users"),
                    ("--history-fields", "/api/v3/userlogs"),
                ):
                    if path in fields:
                        command += [option, fields[path]]
                baselines.append(run_measured(command, workdir / "baseline.out"))
    pairs = list(zip(taps, baselines, strict=False))  # no baseline under a rate limit
    ratios = [tap["wall"] / baseline["wall"] for tap, baseline in pairs]
    return {
        "tap": medians(taps),
        "records": records,
        "sent": sent,
        "baseline": medians(baselines) if baselines else None,
        "ratio": statistics.median(ratios) if ratios else None,
        "walls": [(tap["wall"], baseline["wall"]) for tap, baseline in pairs],
    }


def measure_side_by_side(args: argparse.Namespace, tenants: list[Tenant]) -> dict:
    """One tenant alone, then every tenant at once, each under its own rate limit."""
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        emulators = [
            stack.enter_context(LuccaEmulator(t, api_key=API_KEY, rpm=args.rpm or None))
            for t in tenants
        ]
        alone, _, _ = run_tap(tap_config(emulators[0], args.rpm), Path(tmp) / "alone")
        for emulator in emulators:
            emulator.clear_requests()
            emulator.reset_rate_limit()
        started = time.perf_counter()
        with ThreadPoolExecutor(len(emulators)) as pool:
            runs = list(
                pool.map(
                    lambda n: run_tap(tap_config(emulators[n], args.rpm), Path(tmp) / str(n)),
                    range(len(emulators)),
                )
            )
        together = time.perf_counter() - started
    return {"alone": alone["wall"], "together": together, "each": [run[0]["wall"] for run in runs]}


def row(label: str, value: str) -> None:
    print(f"{label:<40}{value:>20}")


def print_table(args: argparse.Namespace, tenant: Tenant, result: dict) -> None:
    tap, records, sent, baseline = (result[k] for k in ("tap", "records", "sent", "baseline"))
    total = sum(records.values())
    floors = {stream: floor(stream, tenant) for stream in args.streams}
    print()
    row("N users", f"{args.users:,}")
    row("mode", "incremental (daily)" if args.incremental else "full")
    row("rate limit (requests/min)", str(args.rpm or "unlimited"))
    row("runs (figures are medians)", str(args.repeat))
    for stream in args.streams:
        row(f"{stream}: records", f"{records[stream]:,}")
        row(f"{stream}: requests / floor", f"{sent[stream]} / {floors[stream]}")
    row("requests / floor (total)", f"{sum(sent.values())} / {sum(floors.values())}")
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
        row("wall time tap / baseline", f"{result['ratio']:.2f}")
        row("throughput tap / baseline", f"{1 / result['ratio']:.2f}")
        row(
            "each run: tap, baseline (s)",
            "; ".join(f"{a:.2f}, {b:.2f}" for a, b in result["walls"]),
        )


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    tenants = [Tenant.generate(users=args.users, seed=args.seed + n) for n in range(args.tenants)]
    print(
        f"generated {args.tenants} x {args.users:,} users in {time.perf_counter() - started:.1f} s"
    )
    if args.tenants > 1:
        result = measure_side_by_side(args, tenants)
        print()
        row("tenants", str(args.tenants))
        row("one tenant alone: wall (s)", f"{result['alone']:.2f}")
        row("all side by side: wall (s)", f"{result['together']:.2f}")
        row("each, side by side (s)", ", ".join(f"{w:.2f}" for w in result["each"]))
        row("together / alone", f"{result['together'] / result['alone']:.2f}")
        return
    print_table(args, tenants[0], measure(args, tenants[0]))


if __name__ == "__main__":
    main()
