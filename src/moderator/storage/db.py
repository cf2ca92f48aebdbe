"""Engine, sessions and schema management. Created once at start-up and injected."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


class StorageError(RuntimeError):
    """The database cannot be used; the message is one clear line for the user."""


class SchemaError(StorageError):
    """The database schema is newer than this program or unknown."""


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def _describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN (see "Serializable isolation" in the
        # SQLAlchemy SQLite docs), so writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get("moderator_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """One engine and two sessionmakers (reading, writing) for the lifetime of the program."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StorageError(f"not a database URL: {url!r}") from None
        self.url = parsed
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.is_postgres = parsed.get_backend_name() == "postgresql"
        kwargs: dict = {"echo": echo, "future": True}
        if self.is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_recycle"] = 1800
            if self.is_postgres:
                kwargs["connect_args"] = {"connect_timeout": 5}
        try:
            self.engine = create_engine(parsed, **kwargs)
        except NoSuchModuleError:
            raise StorageError(f"unsupported database URL {url!r}") from None
        except ModuleNotFoundError as exc:
            raise StorageError(
                f"the driver for {parsed.drivername} is not installed ({exc.name}); "
                "install moderator[postgres]"
            ) from None
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(moderator_write=True), expire_on_commit=False
        )

    # -- schema -------------------------------------------------------------------------
    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def check(self) -> str | None:
        """Connect once; turn driver errors into one clear line."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                return MigrationContext.configure(conn).get_current_revision()
        except OperationalError as exc:
            raise StorageError(f"cannot open database {self.safe_url}: {_describe(exc)}") from None
        except DatabaseError as exc:
            raise StorageError(
                f"cannot use database {self.safe_url}: {_describe(exc)} "
                "(is it a moderator database?)"
            ) from None

    def upgrade(self) -> str:
        """Bring the schema to the newest version; refuse a newer or unknown one."""
        current = self.check()
        script = ScriptDirectory.from_config(_alembic_config())
        head = script.get_current_head()
        if current is not None and current != head:
            try:
                script.get_revision(current)
            except Exception:
                raise SchemaError(
                    f"database {self.safe_url} has schema version {current}, which this "
                    f"moderator (schema {head}) does not know: it was written by a newer "
                    "version; upgrade moderator"
                ) from None
        if current == head:
            return head or ""
        cfg = _alembic_config()
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except DatabaseError as exc:
            raise StorageError(
                f"cannot upgrade database {self.safe_url}: {_describe(exc)}"
            ) from None
        log.info("database %s upgraded from %s to %s", self.safe_url, current, head)
        return head or ""

    @property
    def safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    # -- sessions -----------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One short write transaction: commit on success, roll back on any error."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
