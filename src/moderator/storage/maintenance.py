"""Database upkeep beside the event's transactions: the planner's statistics after bulk
writes (PostgreSQL) and rewriting the files so that removed text is gone (the purge). A
mixin of `Database`."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from moderator.storage.errors import StorageError, _describe

log = logging.getLogger(__name__)

# The tables whose size follows the event's traffic (the small ones never matter).
STATISTICS_TABLES = frozenset({"messages", "groups", "suggestions", "actions"})


class Maintenance:
    """`refresh_statistics` and `reclaim_space` on the database's engine."""

    engine: Engine
    is_sqlite: bool
    is_postgres: bool
    safe_url: str

    def refresh_statistics(self, changed: int = 0) -> list[str]:
        """PostgreSQL: ANALYZE the tables whose planner statistics are stale; returns them.

        Stale means the rule autovacuum uses: more than 50 rows plus 10 % of the table
        changed since the last ANALYZE, by the server's count or by `changed` (the rows the
        caller just wrote: the server's count lags by up to seconds).

        Autovacuum may be off on the server, and it acts only once a minute: right after a
        bulk import the planner would estimate a handful of rows and choose sequential
        scans (measured at 10,000 questions: 50 ms instead of 2 ms for one chunk of the
        console's summaries query). `SKIP_LOCKED` leaves a table another session is
        analysing. A no-op on SQLite, and best effort: trouble is logged.
        """
        if not self.is_postgres:
            return []
        tables = sorted(STATISTICS_TABLES)
        try:
            with self.engine.connect() as conn:
                stale = list(
                    conn.execute(
                        text(
                            "SELECT s.relname FROM pg_stat_user_tables s "
                            "JOIN pg_class c ON c.oid = s.relid "
                            "WHERE s.schemaname = current_schema() "
                            "AND s.relname = ANY(:tables) "
                            "AND greatest(s.n_mod_since_analyze, :changed) "
                            "> 50 + 0.1 * greatest(c.reltuples, 0)"
                        ),
                        {"tables": tables, "changed": changed},
                    ).scalars()
                )
                if stale:
                    quoted = ", ".join(conn.dialect.identifier_preparer.quote(t) for t in stale)
                    conn.execute(text(f"ANALYZE (SKIP_LOCKED) {quoted}"))
                    conn.commit()
                    log.info("refreshed planner statistics of %s", ", ".join(stale))
                return stale
        except DBAPIError as exc:
            log.warning("could not refresh statistics on %s: %s", self.safe_url, _describe(exc))
            return []

    def reclaim_space(self, tables: Sequence[str], *, wait: float = 60.0) -> str:
        """Rewrite the database so that deleted or overwritten text is gone from its files;
        returns what was done, for the user. Run outside any transaction.

        SQLite: `VACUUM` (a fresh copy of the whole file without free pages) and a
        checkpoint that empties the write-ahead log. PostgreSQL: `VACUUM FULL` of `tables`
        (and their TOAST tables and indexes), which rewrites them into new files and drops
        the old ones. It must keep old row versions that a transaction still running on the
        server may see, so it first waits (up to `wait` seconds) until every transaction
        that started before now has ended, and says so if one outlived the wait. While it
        runs it holds an exclusive lock on each table: other consoles wait for it. What
        PostgreSQL's write-ahead log and any backups hold is beyond it.
        """
        raw = self.engine.raw_connection()
        try:
            dbapi = raw.driver_connection
            if self.is_sqlite:
                dbapi.execute("VACUUM")
                dbapi.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return "VACUUM"
            if not self.is_postgres:
                return ""
            dbapi.commit()  # nothing is open; VACUUM refuses to run in a transaction
            dbapi.autocommit = True
            try:
                older = self._wait_for_older_transactions(dbapi, wait)
                quoted = ", ".join(f'"{name}"' for name in tables)
                dbapi.execute(f"VACUUM FULL {quoted}")
            finally:
                dbapi.autocommit = False
            done = f"VACUUM FULL {', '.join(tables)}"
            if older:
                done += (
                    f"; transactions that started before it were still running (server "
                    f"process {', '.join(map(str, older))}): the old text may remain until "
                    "they end, then run the purge again"
                )
            return done
        except self.engine.dialect.loaded_dbapi.Error as exc:  # raw DBAPI: not wrapped
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StorageError(key="db.cannot_compact", url=self.safe_url, detail=reason) from None
        finally:
            raw.close()

    @staticmethod
    def _wait_for_older_transactions(dbapi: Any, wait: float) -> list[int]:
        """PostgreSQL: wait until no transaction that began before this call still holds a
        snapshot (any database of the server: its oldest snapshot decides which old row
        versions VACUUM may drop); returns the server processes still running one."""
        since = dbapi.execute("SELECT clock_timestamp()").fetchone()[0]
        deadline = time.monotonic() + wait
        while True:
            older = [
                row[0]
                for row in dbapi.execute(
                    "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL) "
                    "AND xact_start < %s",
                    (since,),
                ).fetchall()
            ]
            if not older or time.monotonic() >= deadline:
                return older
            time.sleep(0.1)
