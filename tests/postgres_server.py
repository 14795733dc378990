"""A real PostgreSQL server for the tests: initdb and pg_ctl on a temporary folder,
listening on 127.0.0.1 at a free port, stopped and removed afterwards.

PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user
(created by the Debian package, which `.ci/run` installs when pg_ctl is missing).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import typing as t
from pathlib import Path

import psycopg

if t.TYPE_CHECKING:
    from collections.abc import Iterator


def binaries() -> Path:
    """The folder of initdb and pg_ctl: on the PATH, else Debian's newest."""
    if found := shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    if not candidates:
        msg = "PostgreSQL is not installed: run .ci/run, or apt-get install postgresql"
        raise RuntimeError(msg)
    return Path(candidates[-1]).parent


def _version(path: str) -> int:
    return int(Path(path).parts[-3])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def postgres_server(database: str = "warehouse") -> Iterator[dict[str, str]]:
    """Start a server with `database` in it; yields its connection settings (a random
    password; PostgreSQL asks for it even on loopback)."""
    bin_dir = binaries()
    folder = Path(tempfile.mkdtemp(prefix="tap-lucca-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    password = secrets.token_hex(8)
    (folder / "password").write_text(password)

    def run(*command: str | Path) -> None:
        subprocess.run([*as_user, *map(str, command)], check=True, capture_output=True, timeout=120)

    try:
        run(
            bin_dir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "-A",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--pwfile",
            folder / "password",
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", folder / "log", "-w", "start")
        try:
            server = {
                "host": "127.0.0.1",
                "port": str(port),
                "user": "postgres",
                "password": password,
            }
            with psycopg.connect(**server, dbname="postgres", autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {database}")
            yield {**server, "dbname": database}
        finally:
            run(bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def loader_and_dbt_settings(server: dict[str, str]) -> dict[str, str]:
    """The environment that points target-postgres and dbt-postgres at `server`."""
    return {
        **{f"TARGET_POSTGRES_{key.upper()}": server[key] for key in ("host", "port", "user")},
        "TARGET_POSTGRES_PASSWORD": server["password"],
        "TARGET_POSTGRES_DATABASE": server["dbname"],
        **{f"DBT_POSTGRES_{key.upper()}": value for key, value in server.items()},
    }
