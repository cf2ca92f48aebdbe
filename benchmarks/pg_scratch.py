"""A scratch PostgreSQL database for a benchmark: created empty, dropped afterwards; and
the load of `bench_load.py` on it, in a child process."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create an empty database on the server of `server_url` (named `prefix` and a random
    suffix), yield its URL, and drop it at the end, connections and all."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(server_url)
    admin = dict(
        host=base.host or "127.0.0.1",
        port=base.port or 5432,
        user=base.username or "postgres",
        dbname=base.database or "postgres",
        autocommit=True,
    )
    if base.password:
        admin["password"] = base.password
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_load(url: str, seconds: int, *, nice: int = 0, capture: bool = False) -> subprocess.Popen:
    """Start `bench_load.py` on the existing event at `url` (3 moderators and 2 importers
    in processes of their own) for `seconds`; `nice`: its writers' niceness; `capture`:
    its report is read from the process's stdout."""
    command = [
        sys.executable,
        str(Path(__file__).with_name("bench_load.py")),
        "--existing",
        "--processes",
        "--url",
        url,
        "--seconds",
        str(seconds),
    ]
    if nice:
        command += ["--nice", str(nice)]
    if capture:
        return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    return subprocess.Popen(command)
