"""The fleet: every client tenant side by side, each as its own `meltano run`.

    meltano run clients-to-bigquery          # the job; the `clients-daily` schedule runs it in prod
    meltano invoke lucca-fleet:check         # the identity check alone, and the list of clients
    .venv/bin/python -m orchestrate.fleet target-jsonl   # what `meltano run clients-to-jsonl` runs

The clients are the extractors that inherit from `tap-lucca` (one file each under
`clients/`), legacy API and new API alike. After the check (`orchestrate/clients.py`),
each client runs under a timeout and is retried once if it fails; a line tells as each
one ends, and a heartbeat while they run. Exit code: 0 all landed, 1 some failed, 2 not
started (`meltano invoke` keeps it; through `meltano run`, both are 1).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from orchestrate.clients import CREDENTIALS, IDENTITY, FleetError, preflight
from orchestrate.meltano_cli import MeltanoError, MeltanoProject
from orchestrate.runs import Outcome, Runner

if TYPE_CHECKING:
    from pathlib import Path

    from orchestrate.clients import Client

FLEET = "lucca-fleet"
#: Settings the catalog does not depend on: tenants that differ only by them share one.
NOT_IN_CATALOG = frozenset({*IDENTITY, *CREDENTIALS, "oauth_token_url"})
#: What discovery is given instead of a client's identity: the catalog does not depend
#: on it, and no secret is handed to a process that has no need of it.
STAND_INS = {
    "legacy API": {"api_url": "https://discovery.invalid", "tenant": "-", "api_key": "-"},
    "new API": {
        "api_url": "https://discovery.invalid",
        "tenant": "-",
        "client_id": "-",
        "client_secret": "-",
    },
}


def settings(project: MeltanoProject) -> dict[str, Any]:
    """The `lucca-fleet` utility's settings: concurrency, timeout, retries..."""
    return project.config(FLEET)


def discover(project: MeltanoProject, client: Client, path: Path) -> None:
    """The client's catalog, discovered by Meltano with stand-ins for its identity."""
    stand_ins = {client.variable(name): value for name, value in STAND_INS[client.api].items()}
    try:
        catalog = project.output(
            "invoke", "--dump=catalog", client.name, env=project.env(**stand_ins)
        )
    except MeltanoError as error:
        raise FleetError(f"{client.name}: discovery failed: {error}") from None
    path.write_text(catalog)


def shared_catalogs(project: MeltanoProject, fleet: list[Client], run_dir: Path) -> dict[str, Path]:
    """One discovery per distinct client config per fleet run, not one per client.

    The catalog depends on the settings and the API, not on which tenant they point
    at: clients that differ only by URL, label and credentials share one. Meltano applies
    its select and metadata rules to it as to a catalog it discovered."""
    run_dir.mkdir(parents=True, exist_ok=True)
    catalogs: dict[str, Path] = {}
    first: dict[Path, Client] = {}
    for client in fleet:
        config = {k: v for k, v in client.config.items() if k not in NOT_IN_CATALOG}
        shape = json.dumps({"api": client.api, **config}, sort_keys=True, default=str)
        path = run_dir / f"catalog-{hashlib.sha256(shape.encode()).hexdigest()[:16]}.json"
        first.setdefault(path, client)
        catalogs[client.name] = path
    with ThreadPoolExecutor(len(first)) as pool:
        list(pool.map(lambda item: discover(project, item[1], item[0]), first.items()))
    return catalogs


def heartbeat(runner: Runner, done: int, total: int) -> str:
    running = ", ".join(f"{c} ({s:.0f} s)" for c, s in sorted(runner.running().items()))
    return f"... {done} of {total} tenants done; running: {running or 'none yet'}"


def run_all(runner: Runner, fleet: list[Client], options: dict[str, Any]) -> list[Outcome]:
    """Every client side by side: a line as each one ends, and a heartbeat whenever
    none has ended for `heartbeat` seconds."""
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=max(1, options["concurrency"])) as pool:
        pending = {pool.submit(runner.run, c.name, options["retries"]) for c in fleet}
        while pending:
            done, pending = wait(pending, options["heartbeat"], return_when=FIRST_COMPLETED)
            for future in done:
                outcomes.append(future.result())
                print(f"[{len(outcomes)}/{len(fleet)}] {outcomes[-1].line()}", flush=True)
            if not done:
                print(heartbeat(runner, len(outcomes), len(fleet)), flush=True)
    return outcomes


def stopped(error: Exception) -> int:
    lines = str(error).splitlines()
    if len(lines) == 1:
        print(f"fleet: not started, nothing moved: {lines[0]}", file=sys.stderr)
    else:
        print("fleet: not started, nothing moved:", *lines, sep="\n  ", file=sys.stderr)
    return 2


def run_fleet(loader: str, *, check_only: bool = False) -> int:
    project = MeltanoProject.here()
    also = (FLEET,) if check_only else (FLEET, loader)
    try:
        fleet, found = preflight(project, also)
    except (FleetError, MeltanoError) as error:
        return stopped(error)
    options = found[FLEET]
    where = f"in {project.environment}" if project.environment else "with no environment"
    for client in fleet:
        print(
            f"{client.name:<28} tenant {client.tenant!r}  {client.api}  "
            f"{client.config['api_url']}  {where}",
            flush=True,
        )
    if check_only or options["dry_run"]:
        return 0
    started = time.monotonic()
    try:
        catalogs = shared_catalogs(project, fleet, project.root / ".meltano" / "run" / FLEET)
    except (FleetError, MeltanoError) as error:
        return stopped(error)
    runner = Runner(project, loader, options["timeout"], catalogs, found[loader])
    failed = sorted(o.client for o in run_all(runner, fleet, options) if not o.ok)
    took = f"in {time.monotonic() - started:.0f} s"
    if failed:
        print(f"{len(failed)} of {len(fleet)} tenants failed {took}: {', '.join(failed)}")
        return 1
    print(f"all {len(fleet)} tenants ok {took}")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("loader", nargs="?", help="the loader every client runs into")
    parser.add_argument("--check", action="store_true", help="check and list, move nothing")
    args = parser.parse_args()
    if not args.check and not args.loader:
        parser.error("name a loader, or --check")
    sys.exit(run_fleet(args.loader or "", check_only=args.check))


if __name__ == "__main__":
    main()
