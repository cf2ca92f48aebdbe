"""Notice changes other moderators and importers made to an event.

On PostgreSQL a dedicated psycopg 3 connection LISTENs on `moderator_<event id>`; every write
transaction sends `pg_notify` with the new `events.change_seq` (see `Repository.lock_event`),
delivered when it commits. Where LISTEN is not available (SQLite, a pooler that drops it,
psycopg missing) the listener polls `events.change_seq`, which is one indexed row read.

A lost connection is re-opened with backoff; `connected` and `last_error` say how it stands.
After a reconnect the counter is read again, so changes made while away are not missed.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from moderator.storage.db import PG_LIVENESS, Database, DatabaseUnavailable
from moderator.storage.repository import change_channel
from moderator.storage.rows import EventRow

log = logging.getLogger(__name__)

SLICE = 0.5  # longest single blocking call, so close() and keep-alive checks stay prompt
KEEPALIVE = 5.0  # seconds of silence after which the LISTEN connection is checked


def _conninfo(db: Database) -> dict[str, Any]:
    url = db.url
    info: dict[str, Any] = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "dbname": url.database or "postgres",
        "autocommit": True,
        "connect_timeout": 3,
        **PG_LIVENESS,  # notice a dead peer (Wi-Fi drop without RST) within seconds
    }
    if url.username:
        info["user"] = url.username
    if url.password:
        info["password"] = url.password
    for key, value in url.query.items():
        info[key] = value if isinstance(value, str) else value[-1]
    return info


class ChangeListener:
    """Blocks until the event changed. One instance per consumer thread or shared under a lock.

    `wait(timeout)` returns True when `events.change_seq` moved past what this listener last
    reported (or when it cannot tell because it just reconnected and the counter moved).
    """

    def __init__(
        self,
        db: Database,
        event_id: int,
        *,
        poll_interval: float = 0.2,
        max_backoff: float = 5.0,
        use_notify: bool = True,
    ) -> None:
        self.db = db
        self.event_id = event_id
        self.channel = change_channel(event_id)
        self.poll_interval = poll_interval
        self.max_backoff = max_backoff
        self.connected = False
        self.last_error: str | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._conn: Any = None  # psycopg.Connection when listening
        self._notify = use_notify and db.is_postgres
        self._backoff = 0.0
        self._next_attempt = 0.0
        self._last_contact = time.monotonic()
        self._pending = False
        self.seq = 0
        seq = self._read_seq_pooled()
        if seq is not None:
            self.seq = seq
            self.connected = True

    # ------------------------------------------------------------------ public
    @property
    def mode(self) -> str:
        return "notify" if self._notify else "poll"

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds; True as soon as something changed."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            while not self._closed:
                remaining = deadline - time.monotonic()
                if self._notify:
                    changed = self._wait_notify(remaining)
                else:
                    changed = self._wait_poll(remaining)
                if changed:
                    return True
                if time.monotonic() >= deadline:
                    return False
        return False

    def close(self) -> None:
        self._closed = True
        with self._lock:
            self._drop_connection()

    def __enter__(self) -> ChangeListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ bookkeeping
    def _saw(self, seq: int | None) -> bool:
        if seq is None or seq <= self.seq:
            return False
        self.seq = seq
        return True

    def _lost(self, exc: BaseException) -> None:
        text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        self.last_error = text[0] if text else type(exc).__name__
        if self.connected:
            log.warning("change listener for event %s lost the database: %s", self.event_id, exc)
        self.connected = False
        self._backoff = min(self.max_backoff, self._backoff * 2 if self._backoff else 0.25)
        self._next_attempt = time.monotonic() + self._backoff

    def _recovered(self) -> None:
        if not self.connected:
            log.info("change listener for event %s connected (%s)", self.event_id, self.mode)
        self.connected = True
        self._backoff = 0.0
        self._last_contact = time.monotonic()

    def _sleep_until_retry(self, remaining: float) -> None:
        pause = min(remaining, max(0.0, self._next_attempt - time.monotonic()), SLICE)
        if pause > 0:
            time.sleep(pause)

    # ------------------------------------------------------------------ polling
    def _read_seq_pooled(self) -> int | None:
        try:
            with self.db.reading() as session:
                return (
                    session.scalar(select(EventRow.change_seq).where(EventRow.id == self.event_id))
                    or 0
                )
        except (DatabaseUnavailable, DBAPIError) as exc:
            self._lost(exc)
            return None

    def _wait_poll(self, remaining: float) -> bool:
        if time.monotonic() < self._next_attempt:
            self._sleep_until_retry(remaining)
            return False
        seq = self._read_seq_pooled()
        if seq is None:
            return False
        self._recovered()
        if self._saw(seq):
            return True
        pause = min(self.poll_interval, remaining)
        if pause > 0:
            time.sleep(pause)
        return False

    # ------------------------------------------------------------------ LISTEN/NOTIFY
    def _connect(self) -> bool:
        try:
            import psycopg
        except ImportError:
            log.info("psycopg not installed: change listener polls instead")
            self._notify = False
            return False
        try:
            conn = psycopg.connect(**_conninfo(self.db))
        except psycopg.Error as exc:
            self._lost(exc)
            return False
        try:
            conn.execute(f'LISTEN "{self.channel}"')
            row = conn.execute(
                "SELECT change_seq FROM events WHERE id = %s", (self.event_id,)
            ).fetchone()
        except psycopg.OperationalError as exc:
            conn.close()
            self._lost(exc)
            return False
        except psycopg.Error as exc:  # LISTEN refused (e.g. a transaction-mode pooler)
            conn.close()
            log.warning("LISTEN not available (%s): change listener polls instead", exc)
            self.last_error = str(exc).strip().splitlines()[0] if str(exc).strip() else None
            self._notify = False
            return False
        self._conn = conn
        self._recovered()
        # Changes made while we were away (or between start-up and LISTEN) count as news.
        self._pending = self._saw(int(row[0]) if row else 0)
        return True

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # closing a broken socket may fail in any way
                log.debug("closing the listen connection failed", exc_info=True)

    def _wait_notify(self, remaining: float) -> bool:
        import psycopg

        if self._conn is None:
            if time.monotonic() < self._next_attempt:
                self._sleep_until_retry(remaining)
                return False
            self._pending = False
            if not self._connect():
                return False
            if self._pending:
                return True
        conn = self._conn
        try:
            if time.monotonic() - self._last_contact > KEEPALIVE:
                row = conn.execute(
                    "SELECT change_seq FROM events WHERE id = %s", (self.event_id,)
                ).fetchone()
                self._last_contact = time.monotonic()
                if self._saw(int(row[0]) if row else 0):
                    return True
            changed = False
            for note in conn.notifies(timeout=max(0.01, min(remaining, SLICE)), stop_after=1):
                self._last_contact = time.monotonic()
                try:
                    changed = self._saw(int(note.payload)) or changed
                except ValueError:
                    changed = True
            return changed
        except psycopg.Error as exc:
            self._drop_connection()
            self._lost(exc)
            return False
