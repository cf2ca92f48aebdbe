"""What can go wrong with the database, as the services see it: one error class per
meaning, and the rules that sort driver errors into them (a lost connection, two writers
colliding)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from moderator.domain.language import Explained, error_text


class StorageError(Explained, RuntimeError):
    """The database cannot be used; the message is one clear line for the user, saying
    what and where in German or English (`error_text`), the driver's own words after it."""


class MissingDatabase(StorageError):
    """A command that only reads was pointed at a database that does not exist."""


class SchemaError(StorageError):
    """The database schema is newer than this program or unknown."""


class DatabaseUnavailable(StorageError):
    """The connection to the database broke or could not be made (server restart, network).

    `committed` is False when the transaction certainly did not commit, None when the
    connection broke during COMMIT itself, so the outcome is unknown. The engine recovers by
    itself: the next session checks its connection first (pool_pre_ping) and reconnects.
    """

    def __init__(
        self, reason: str, *, committed: bool | None = False, where: str | None = None
    ) -> None:
        self.reason = reason
        self.committed = committed
        key = "db.lost_at_commit" if committed is None else "db.unavailable"
        if committed is False and where and _locked(reason):  # SQLite: another writer
            super().__init__(key="db.locked", url=where, detail=reason)
        else:
            super().__init__(key=key, detail=reason)

    def __str__(self) -> str:
        # German, as it always was (logs, the console's connection detail); `error_text`
        # says it in the event's language.
        return error_text(self, "de")


class ConcurrentChange(StorageError):
    """A row changed under this transaction (its version column moved), or two writers
    deadlocked; nothing was written."""


# PostgreSQL SQLSTATEs that mean "this connection is gone or cannot be had right now":
# class 08 (connection exception), admin/crash shutdown (pg_terminate_backend sends 57P01),
# cannot_connect_now (server starting up), too_many_connections.
_PG_GONE = ("08", "57P01", "57P02", "57P03", "53300")
_SQLITE_BUSY = ("database is locked", "database is busy", "unable to open", "disk i/o error")


# Deadlock detected, serialization failure: two writers collided, nothing was written.
COLLISIONS = frozenset({"40P01", "40001"})


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def is_disconnect(exc: BaseException) -> bool:
    """True when a driver error means the database cannot be reached (not a bug or a rule)."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    orig = exc.orig
    sqlstate = _sqlstate(exc) or getattr(orig, "pgcode", None)
    if sqlstate:
        return sqlstate.startswith(_PG_GONE)
    if isinstance(exc, OperationalError):
        if type(orig).__module__.startswith("sqlite3"):
            return any(marker in str(orig).lower() for marker in _SQLITE_BUSY)
        return True  # no SQLSTATE: the client library failed to connect or lost the socket
    return False


def _locked(reason: str) -> bool:
    return any(marker in reason.lower() for marker in ("database is locked", "database is busy"))


def _describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
