"""What can go wrong with the database, as the services see it: one error class per
meaning, and the rules that sort driver errors into them (a lost connection, two writers
colliding)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError


class StorageError(RuntimeError):
    """The database cannot be used; the message is one clear line for the user."""


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

    def __init__(self, reason: str, *, committed: bool | None = False) -> None:
        self.reason = reason
        self.committed = committed
        if committed is None:
            text = (
                f"Verbindung zur Datenbank beim Speichern abgebrochen: {reason}; "
                "ob die Aktion gespeichert wurde, ist unklar, bitte nachsehen"
            )
        else:
            text = f"Datenbank nicht erreichbar: {reason}; nichts gespeichert"
        super().__init__(text)


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


def _describe(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
