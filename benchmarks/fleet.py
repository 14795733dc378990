"""Benchmark the fleet: N emulated tenants through `meltano run clients-to-jsonl`.

    python benchmarks/fleet.py                         # 20 tenants x 2,500 users, 50 requests/min
    python benchmarks/fleet.py --tenants 4 --users 500 --concurrency 2

The emulators run in this process. The fleet runs as documented, in a copy of the
project whose clients are the emulated tenants (one file each under clients/), with
the project's installed plugins. While it runs, every process under it is sampled for
memory and CPU, by what it is: Meltano, a tap or a loader.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lucca_emulator import LuccaEmulator, Tenant  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
SUMMARY = re.compile(r"(tap-lucca-\S+)\s+([\d,]+) records\s+([\d.]+) s\s+(ok|FAILED.*)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--users", type=int, default=2_500)
    parser.add_argument("--rpm", type=int, default=50, help="each tenant's requests per minute")
    parser.add_argument("--concurrency", type=int, default=0, help="0: every tenant at once")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args()


def make_project(folder: Path, emulators: dict[str, LuccaEmulator]) -> Path:
    """A copy of the project's Meltano files whose clients are the emulated tenants."""
    project = folder / "project"
    (project / "clients").mkdir(parents=True)
    shutil.copy(ROOT / "meltano.yml", project)
    (project / ".meltano").mkdir()
    for plugins in ("extractors", "loaders"):
        (project / ".meltano" / plugins).symlink_to(ROOT / ".meltano" / plugins)
    (project / ".venv").symlink_to(ROOT / ".venv")
    (project / "orchestrate").symlink_to(ROOT / "orchestrate")
    for name, emulator in emulators.items():
        config = {"api_url": emulator.url, "tenant": name, "api_key": f"$TAP_LUCCA_{name}_API_KEY"}
        plugin = {"name": f"tap-lucca-{name}", "inherit_from": "tap-lucca", "config": config}
        document = {"plugins": {"extractors": [plugin]}}
        (project / "clients" / f"{name}.meltano.yml").write_text(yaml.safe_dump(document))
    return project


def kind(cmdline: str) -> str:
    if "bin/tap-lucca" in cmdline:
        return "tap"
    if "bin/target-" in cmdline:
        return "loader"
    if "meltano" in cmdline or "orchestrate.fleet" in cmdline:
        return "meltano"
    return "other"


class Sampler(threading.Thread):
    """Every half second: each process under the fleet, its RSS, CPU and tenant."""

    def __init__(self, root_pid: int) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.done = threading.Event()
        self.cpu: dict[int, tuple[str, float]] = {}  # pid: (kind, last CPU seen)
        self.peak_total = 0.0
        self.peak_tenant: dict[str, float] = defaultdict(float)
        self.peak_running = 0
        self.first_tenant_at: float | None = None  # seconds after the fleet started
        self.started = time.perf_counter()

    def processes(self) -> dict[int, tuple[int, str, float, float]]:
        found = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            ppid, cpu = int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS
            found[int(entry)] = (ppid, cmdline, cpu, int(fields[21]) * PAGE / 2**20)
        return found

    def sample(self) -> None:
        every = self.processes()
        tenant_of: dict[int, str | None] = {self.root_pid: None}
        total = 0.0
        per_tenant: dict[str, float] = defaultdict(float)
        # Parents come before children in pid order often enough; loop until stable.
        pending = [p for p in every if p != self.root_pid]
        changed = True
        while changed:
            changed = False
            for pid in list(pending):
                ppid, cmdline, _, _ = every[pid]
                if ppid in tenant_of:
                    match = re.search(r" run (tap-lucca-\S+)", cmdline)
                    tenant_of[pid] = match.group(1) if match else tenant_of[ppid]
                    pending.remove(pid)
                    changed = True
        for pid, tenant in tenant_of.items():
            if pid not in every:
                continue
            _, cmdline, cpu, rss = every[pid]
            # A process that has ended but is not yet reaped has no cmdline: keep its kind.
            known = self.cpu.get(pid, (kind(cmdline), 0.0))[0]
            self.cpu[pid] = (known if not cmdline else kind(cmdline), cpu)
            total += rss
            if tenant:
                per_tenant[tenant] += rss
        self.peak_total = max(self.peak_total, total)
        self.peak_running = max(self.peak_running, len(per_tenant))
        if per_tenant and self.first_tenant_at is None:
            self.first_tenant_at = time.perf_counter() - self.started
        for tenant, rss in per_tenant.items():
            self.peak_tenant[tenant] = max(self.peak_tenant[tenant], rss)

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.sample()

    def cpu_by_kind(self) -> dict[str, float]:
        by_kind: dict[str, float] = defaultdict(float)
        for process_kind, cpu in self.cpu.values():
            by_kind[process_kind] += cpu
        return by_kind


def row(label: str, value: str) -> None:
    print(f"{label:<48}{value:>24}")


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    names = [f"t{n:02d}" for n in range(args.tenants)]
    tenants = {
        n: Tenant.generate(users=args.users, seed=args.seed + i) for i, n in enumerate(names)
    }
    print(
        f"generated {args.tenants} x {args.users:,} users in {time.perf_counter() - started:.1f} s"
    )
    print(f"load before: {os.getloadavg()}")
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        emulators = {
            n: stack.enter_context(LuccaEmulator(t, api_key=f"key-{n}", rpm=args.rpm))
            for n, t in tenants.items()
        }
        project = make_project(Path(tmp), emulators)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_LUCCA", "MELTANO"))}
        env.update({f"TAP_LUCCA_{n.upper()}_API_KEY": f"key-{n}" for n in names})
        env.update(
            MELTANO_PROJECT_ROOT=str(project),
            MELTANO_STATE_BACKEND_URI=f"file://{tmp}/state",
            TARGET_JSONL_DESTINATION_PATH=f"{tmp}/out",
            TAP_LUCCA_MAX_REQUESTS_PER_MINUTE=str(args.rpm),
            LUCCA_FLEET_CONCURRENCY=str(args.concurrency or args.tenants),
        )
        command = [VENV_BIN / "meltano", "--environment=dev", "run", "clients-to-jsonl"]
        started = time.perf_counter()
        fleet = subprocess.Popen(
            command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        sampler = Sampler(fleet.pid)
        sampler.start()
        log = fleet.stderr.read().decode() if fleet.stderr else ""
        _, status, usage = os.wait4(fleet.pid, 0)
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        requests = {n: len(e.requests) for n, e in emulators.items()}
    print(f"load after: {os.getloadavg()}")

    outcomes = {m.group(1): m.groups()[1:] for m in map(SUMMARY.search, log.splitlines()) if m}
    cpu = usage.ru_utime + usage.ru_stime
    cores = os.cpu_count() or 1
    paced = max(requests.values()) * 60 / args.rpm
    by_kind = sampler.cpu_by_kind()
    failed = {t: o[2] for t, o in outcomes.items() if o[2] != "ok"}
    print()
    row("tenants x users, requests/min", f"{args.tenants} x {args.users:,}, {args.rpm}")
    row("concurrency", str(args.concurrency or args.tenants))
    row("exit code", str(os.waitstatus_to_exitcode(status)))
    row("total wall time (s)", f"{wall:.1f}")
    for tenant, (records, seconds, state) in sorted(outcomes.items()):
        row(f"  {tenant} wall (s), records", f"{float(seconds):.1f}, {records} {state[:6]}")
    row("start-up before the first tenant runs (s)", f"{sampler.first_tenant_at or 0:.1f}")
    row("failures", ", ".join(f"{t}: {why}" for t, why in failed.items()) or "none")
    row("peak memory, all processes (MB)", f"{sampler.peak_total:,.0f}")
    row("peak tenants running at once", str(sampler.peak_running))
    peaks = sorted(sampler.peak_tenant.values())
    if peaks:
        row(
            "peak memory per tenant, max / median (MB)",
            f"{peaks[-1]:.0f} / {peaks[len(peaks) // 2]:.0f}",
        )
    row("total CPU (s)", f"{cpu:.1f}")
    for process_kind in ("meltano", "tap", "loader", "other"):
        row(f"  of which {process_kind} (sampled, s)", f"{by_kind.get(process_kind, 0):.1f}")
    row("CPU per tenant (s)", f"{cpu / args.tenants:.2f}")
    row("bound: slowest tenant's requests x 60/rpm (s)", f"{paced:.1f}")
    row(f"bound: total CPU / {cores} cores (s)", f"{cpu / cores:.1f}")
    row("wall / larger bound", f"{wall / max(paced, cpu / cores):.2f}")


if __name__ == "__main__":
    main()
