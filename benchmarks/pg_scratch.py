"""A scratch PostgreSQL database for a benchmark: created empty, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


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
