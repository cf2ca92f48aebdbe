"""Storage: schema management, clear errors, durability."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from moderator.config import load_default_config
from moderator.services import open_event
from moderator.storage.db import Database, SchemaError, StorageError, head_revision
from tests.conftest import ROOT
from tests.factories import msg


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "moderator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})},
    )


def test_upgrade_creates_schema_and_is_idempotent(db_url: str) -> None:
    db = Database(db_url)
    assert db.check() is None
    assert db.upgrade() == head_revision()
    assert db.upgrade() == head_revision()
    assert db.current_revision() == head_revision()
    db.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    db.upgrade()
    with db.reading() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_newer_schema_is_refused(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(SchemaError, match="newer"):
        db.upgrade()
    db.dispose()


def test_corrupt_sqlite_file_gives_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError, match="not a database"):
        Database(f"sqlite:///{bad}").upgrade()
    result = run_cli("--db", f"sqlite:///{bad}", "export", "--format", "json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not a database" in result.stderr


def test_unreachable_postgres_gives_one_line() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"
    result = run_cli("--db", url, "export", "--format", "json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot open database" in result.stderr


def test_newer_schema_cli_one_line(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    result = run_cli("--db", f"sqlite:///{path}", "stats")
    assert result.returncode == 2
    assert "newer version" in result.stderr and "Traceback" not in result.stderr


def test_action_survives_sigkill(db_url: str, tmp_path: Path) -> None:
    """An action that returned is committed: SIGKILL right after it loses nothing."""
    db = Database(db_url)
    db.upgrade()
    service = open_event(db, load_default_config(), moderator="Anna")
    service.import_messages([msg(1, "Wann kommt das Lotsensystem an den Hauptbahnhof?")])
    group_id = service.groups()[0].id
    db.dispose()
    script = textwrap.dedent(f"""
        import os, signal, sys
        from moderator.config import load_default_config
        from moderator.services import open_event
        from moderator.storage.db import Database
        db = Database({db_url!r})
        service = open_event(db, load_default_config(), moderator="Ben")
        service.send_live({group_id})
        service.tag({group_id}, "lotsen")
        print("done", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert proc.stdout.strip() == "done"
    db = Database(db_url)
    again = open_event(db, load_default_config(), moderator="Anna")
    group = again.group(group_id)
    assert group.state.value == "live" and group.position == 1
    assert group.project_key == "lotsen" and group.project_confirmed
    verbs = [a.verb for a in again.history(group_id)]
    assert verbs[:2] == ["tag", "move"]
    db.dispose()


def test_datetimes_come_back_timezone_aware(db_url: str) -> None:
    """SQLite keeps no offset: 18:00+02:00 must not come back as a naive 18:00."""
    from datetime import datetime, timedelta, timezone

    from moderator.config import default_config_text, parse_config

    text = default_config_text().replace(
        'language = "de"', 'language = "de"\nstarts_at = 2020-06-19T18:00:00+02:00'
    )
    db = Database(db_url)
    db.upgrade()
    service = open_event(db, parse_config(text, source="t"), moderator="Anna")
    start = service.event.starts_at
    assert start is not None and start.utcoffset() is not None
    assert start == datetime(2020, 6, 19, 18, 0, tzinfo=timezone(timedelta(hours=2)))
    assert start <= datetime.now(start.tzinfo)
    db.dispose()


@pytest.mark.postgres
def test_imports_keep_postgres_planner_statistics_fresh(postgres_url: str) -> None:
    """Autovacuum may be off (it is on this project's CI server) or a minute late; after a
    bulk import the service analyses the tables itself, so the planner knows their size."""
    db = Database(postgres_url)
    db.upgrade()
    try:
        service = open_event(db, load_default_config(), moderator="Anna")
        service.import_messages(
            [msg(n, f"Wie geht es mit Projekt {n} in Viertel {n % 7} weiter?") for n in range(600)]
        )
        with db.engine.connect() as conn:
            analysed = dict(
                conn.execute(
                    text(
                        "SELECT relname, last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL "
                        "FROM pg_stat_user_tables WHERE relname IN ('messages', 'groups')"
                    )
                ).all()
            )
            rows = conn.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'messages'"))
        assert analysed == {"messages": True, "groups": True}
        assert rows >= 600
        # A caller that wrote more than a tenth of a table gets it analysed at once.
        assert "messages" in db.refresh_statistics(changed=200)
    finally:
        db.dispose()


def test_refreshing_statistics_is_a_no_op_on_sqlite(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    db.upgrade()
    assert db.refresh_statistics(changed=10_000) == []
    db.dispose()
