"""Engine, sessions and schema management. Created once at start-up and injected (the
errors it raises in `errors`, upkeep such as statistics and compaction in `maintenance`).

Alembic (half a second of imports) is loaded only when the schema has to change: a
database already at the newest version is recognised by reading alembic's version table
and the revisions written in the migration files.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from moderator.storage.errors import (
    COLLISIONS,
    ConcurrentChange,
    DatabaseUnavailable,
    MissingDatabase,
    SchemaError,
    StorageError,
    _describe,
    _sqlstate,
    is_disconnect,
)
from moderator.storage.maintenance import Maintenance

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

__all__ = [
    "COLLISIONS",
    "EVENTS_LOCK",
    "SCHEMA_LOCK",
    "ConcurrentChange",
    "Database",
    "DatabaseUnavailable",
    "MissingDatabase",
    "SchemaError",
    "StorageError",
    "head_revision",
    "is_disconnect",
    "mask_password",
    "sqlite_file",
]

MIGRATIONS = Path(__file__).with_name("migrations")


# PostgreSQL advisory lock keys (one 64-bit key space per database; the event's write
# locks use the two-key form, see `Repository.lock_scope`).
SCHEMA_LOCK = 0x4D4F445F534348  # "MOD_SCH": migrations
EVENTS_LOCK = 0x4D4F445F455654  # "MOD_EVT": finding or creating an event


# libpq settings that notice a dead network path (a Wi-Fi drop sends no reset) within
# seconds: without them a query on such a connection waits for the kernel's TCP timeout,
# about 15 minutes. Data the server has not acknowledged after 5 s ends the connection;
# keep-alive probes find an idle dead one. Waiting for a lock or a slow query is unaffected.
PG_LIVENESS = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
    "tcp_user_timeout": 5000,
}


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest schema version, as alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


#: Alembic's version table (its default name; env.py keeps it).
VERSION_TABLE = "alembic_version"

_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*[\"']([^\"']+)[\"']\s*$", re.M)
_DOWN_REVISION = re.compile(
    r"^down_revision\s*(?::[^=]+)?=\s*(?:None|[\"']([^\"']+)[\"'])\s*$", re.M
)


def written_head() -> str | None:
    """The newest schema version read from the migration files' ``revision`` and
    ``down_revision`` lines, without loading alembic; None when the files are not one plain
    chain (a merge, a line written otherwise): then only alembic can tell."""
    revisions: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(revision) != 1 or len(down) != 1 or revision[0] in revisions:
            return None
        revisions[revision[0]] = down[0] or None
    below = set(revisions.values())
    heads = [revision for revision in revisions if revision not in below]
    return heads[0] if len(heads) == 1 else None


def _stored_revision(conn: Connection) -> str | None:
    """The schema version alembic stored in the database (None: no version table or no
    row), read without loading alembic; alembic itself judges a table with several rows."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:  # several heads: alembic says what is wrong
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()
    return rows[0] if rows else None


#: How long a SQLite writer waits for the others' transactions before "database is locked".
SQLITE_WRITE_WAIT = 10.0
#: How often a waiting SQLite writer tries again (SQLite's own busy handler backs off to
#: 100 ms between tries, so a moderator's write behind an import's stream of short batches
#: would keep missing the gaps between them and wait seconds; this way it waits for one).
SQLITE_WRITE_POLL = 0.002


def _begin_immediate(dbapi_connection: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, trying again every `SQLITE_WRITE_POLL` while another writer holds
    the database, for up to `SQLITE_WRITE_WAIT` seconds."""
    deadline = time.monotonic() + SQLITE_WRITE_WAIT
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                busy = any(marker in str(exc).lower() for marker in ("locked", "busy"))
                if not busy:
                    raise
                if time.monotonic() >= deadline:  # as SQLAlchemy reports it: see `writing`
                    raise OperationalError("BEGIN IMMEDIATE", None, exc) from exc
            time.sleep(SQLITE_WRITE_POLL)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(SQLITE_WRITE_WAIT * 1000)}")


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN (see "Serializable isolation" in the
        # SQLAlchemy SQLite docs), so writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_WRITE_WAIT * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get("moderator_write"):
            _begin_immediate(conn.connection.driver_connection)
        else:
            conn.exec_driver_sql("BEGIN")


#: The two kinds of URL, put into a sentence ("… or …" / "… oder …") by `domain.language`.
SUPPORTED = ("sqlite:///FILE", "postgresql+psycopg://USER@HOST/DBNAME")


def mask_password(url: str) -> str:
    """`url` with the password (``scheme://user:PASSWORD@host``) replaced by ``***``, for
    messages about a URL that could not even be parsed."""
    if url.startswith("sqlite:"):
        return url
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    return scheme + sep + re.sub(r"^([^/@:]*):.*@", r"\1:***@", rest)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database, in-memory or unparsable)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).expanduser()


class Database(Maintenance):
    """One engine and two sessionmakers (reading, writing) for the lifetime of the program.

    `create=False`: refuse a SQLite file that does not exist (instead of creating it and its
    folders), for commands that only read.
    """

    def __init__(self, url: str, *, echo: bool = False, create: bool = True) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StorageError(
                key="db.bad_url", url=mask_password(url), sqlite=SUPPORTED[0], postgres=SUPPORTED[1]
            ) from None
        except ValueError as exc:  # e.g. a port that is not a number
            if "int()" in str(exc):
                raise StorageError(key="db.bad_port", url=mask_password(url)) from None
            raise StorageError(
                key="db.bad_url_detail", url=mask_password(url), detail=exc
            ) from None
        self.url = parsed
        backend = parsed.get_backend_name()
        self.is_sqlite = backend == "sqlite"
        self.is_postgres = backend == "postgresql"
        if not (self.is_sqlite or self.is_postgres):
            raise StorageError(
                key="db.unsupported",
                backend=backend,
                url=self.safe_url,
                sqlite=SUPPORTED[0],
                postgres=SUPPORTED[1],
            )
        kwargs: dict = {"echo": echo, "future": True}
        if self.is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:":
                path = Path(database).expanduser()
                if not create and not path.exists():
                    raise MissingDatabase(key="db.missing", path=path)
                path.parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_recycle"] = 1800
            if self.is_postgres:
                kwargs["connect_args"] = {"connect_timeout": 5, **PG_LIVENESS}
        try:
            self.engine = create_engine(parsed, **kwargs)
        except NoSuchModuleError:
            raise StorageError(
                key="db.unsupported_url",
                url=self.safe_url,
                sqlite=SUPPORTED[0],
                postgres=SUPPORTED[1],
            ) from None
        except ModuleNotFoundError as exc:
            raise StorageError(
                key="db.no_driver", driver=parsed.drivername, module=exc.name
            ) from None
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        self.created_schema = False  # `upgrade` created the tables (a new database)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(moderator_write=True), expire_on_commit=False
        )

    # -- schema -------------------------------------------------------------------------
    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return _stored_revision(conn)

    def check(self) -> str | None:
        """Connect once; turn driver errors into one clear line."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                return _stored_revision(conn)
        except OperationalError as exc:
            # a server that does not answer, or a file that cannot be opened
            key = "db.unreachable" if self.is_postgres else "db.cannot_open"
            raise StorageError(key=key, url=self.safe_url, detail=_describe(exc)) from None
        except DatabaseError as exc:
            raise StorageError(
                key="db.cannot_use", url=self.safe_url, detail=_describe(exc)
            ) from None

    def upgrade(self) -> str:
        """Bring the schema to the newest version; refuse a newer or unknown one."""
        current = self.check()
        if current is not None and current == written_head():
            return current  # the common case, decided without alembic
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(_alembic_config())
        head = script.get_current_head()
        if current is not None and current != head:
            try:
                script.get_revision(current)
            except Exception:
                raise SchemaError(
                    key="db.newer_schema", url=self.safe_url, current=current, head=head
                ) from None
        if current == head:
            return head or ""
        cfg = _alembic_config()
        try:
            # Processes started together on a fresh database would all create the tables:
            # the first migrates, the others wait for its lock and then find the schema at
            # head (the version is read again under the lock). PostgreSQL: an advisory
            # lock; SQLite: the write lock, taken up front (BEGIN IMMEDIATE), since a
            # transaction that read first cannot take it later while another one wrote.
            engine = self.engine.execution_options(moderator_write=True)
            with engine.begin() as conn:
                if self.is_postgres:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
                current = MigrationContext.configure(conn).get_current_revision()
                if current == head:
                    return head or ""
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                self.created_schema = current is None
        except DatabaseError as exc:
            raise StorageError(
                key="db.cannot_upgrade", url=self.safe_url, detail=_describe(exc)
            ) from None
        log.info("database %s upgraded from %s to %s", self.safe_url, current, head)
        return head or ""

    @property
    def safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    # -- sessions -----------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read session; a lost connection raises `DatabaseUnavailable`."""
        try:
            with self._read() as session:
                yield session
        except DBAPIError as exc:
            if is_disconnect(exc):
                raise DatabaseUnavailable(_describe(exc), where=self.safe_url) from exc
            raise

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One short write transaction: commit on success, roll back on any error.

        A lost connection raises `DatabaseUnavailable`; its `committed` tells whether the
        transaction certainly did not commit (False) or broke during COMMIT (None).
        """
        try:
            with self._write() as session:
                session.begin()
                try:
                    yield session
                except StaleDataError as exc:
                    session.rollback()
                    raise ConcurrentChange(str(exc)) from exc
                except DBAPIError as exc:
                    if _sqlstate(exc) not in COLLISIONS:
                        raise
                    session.rollback()
                    raise ConcurrentChange(_describe(exc)) from exc
                except BaseException:
                    try:
                        session.rollback()
                    except DBAPIError:  # the connection is gone: nothing to roll back
                        log.debug("rollback on a lost connection failed", exc_info=True)
                    raise
                try:
                    session.commit()
                except StaleDataError as exc:
                    raise ConcurrentChange(str(exc)) from exc
                except DBAPIError as exc:
                    if is_disconnect(exc):
                        raise DatabaseUnavailable(_describe(exc), committed=None) from exc
                    raise
        except DBAPIError as exc:
            if is_disconnect(exc):
                raise DatabaseUnavailable(_describe(exc), where=self.safe_url) from exc
            raise

    def ping(self) -> bool:
        """True when a connection can be had and answers `SELECT 1`."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except DBAPIError as exc:
            log.info("database %s not reachable: %s", self.safe_url, _describe(exc))
            return False

    def dispose(self) -> None:
        self.engine.dispose()
