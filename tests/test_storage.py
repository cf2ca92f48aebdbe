"""Storage: schema management, clear errors, durability."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import event, text

from moderator.config import load_default_config
from moderator.domain.models import Channel, Kind, QueueState
from moderator.services import EventService, open_event
from moderator.storage.db import Database, SchemaError, StorageError, head_revision
from moderator.storage.repository import ONE_QUERY_MAX_IDS, Repository
from tests.conftest import ROOT
from tests.factories import msg

S = QueueState


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


def test_the_migrations_build_exactly_the_models_schema(db_url: str) -> None:
    """Every table, column and index of the models comes from a migration (and nothing
    else): a model changed without its migration fails here, on both backends."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from moderator.storage.rows import Base

    db = Database(db_url)
    db.upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == []


def test_an_event_in_use_upgrades_from_the_previous_schema(db_url: str) -> None:
    """A database written by the previous release (schema 0006: questions, suggestions,
    replies and votes pointing at messages) upgrades in place and keeps every row; on
    SQLite a table copy would trip over the foreign keys that point at `messages`."""
    from alembic import command

    from moderator.storage.db import _alembic_config

    db = Database(db_url)
    db.upgrade()
    service = open_event(db, load_default_config(), moderator="Anna")
    service.import_messages(
        [
            msg(1, "Wann fährt der autonome Bus?"),
            msg(2, "Wann fährt der autonome Bus los?"),
            msg(3, "+1", reply_to=2),
        ]
    )
    cfg = _alembic_config()
    with db.engine.execution_options(moderator_write=True).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    before = _row_counts(db)
    assert before["suggestions"] > 0 and before["messages"] == 3
    assert db.upgrade() == head_revision()
    assert _row_counts(db) == before
    with db.reading() as session:
        waiting = session.execute(text("SELECT count(*) FROM messages WHERE NOT matched"))
        assert waiting.scalar() == 0
    db.dispose()


def _row_counts(db: Database) -> dict[str, int]:
    with db.reading() as session:
        return {
            table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("events", "groups", "messages", "suggestions", "actions")
        }


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


def _varied_event(service: EventService) -> None:
    """An event with a bit of everything a summary shows: members merged together, "+1"s,
    replies, chatter, e-mail and hand-typed questions, answers, every queue state, and
    duplicate suggestions with ties, to the own group and to merged-away groups."""
    rng = random.Random(7)
    topics = [
        "die Paketstationen in der Innenstadt",
        "das LoRaWAN-Netz für Bürger",
        "den Dritten Ort am Stiftsplatz",
        "die autonomen Busse am Wochenende",
        "die Sensoren an Straßenlaternen",
    ]
    asks = ["Wann kommen", "Was kosten", "Wer betreibt", "Wie funktionieren"]
    batch = []
    for n in range(60):
        if n % 9 == 4:
            batch.append(msg(n, "Guten Abend zusammen!", kind=Kind.CHATTER))
        elif n % 7 == 3:
            batch.append(msg(n, "+1", kind=Kind.VOTE, reply_to=rng.choice([None, n - 2, n - 5])))
        else:
            channel = Channel.EMAIL if n % 5 == 0 else Channel.CHAT
            wording = f"{asks[n % 4]} {topics[(n // 3) % 5]} in Viertel {n % 3}?"
            message = msg(n, wording, channel=channel)
            batch.append(replace(message, author=None) if n % 6 == 0 else message)
    service.import_messages(batch, source="chat")
    service.add_manual("Gibt es die Präsentation hinterher zum Download?", author="Telefon")
    service.add_manual("Wie geht es mit dem Förderprogramm weiter?")
    ids = [g.id for g in service.summaries()]
    for source, target in [(ids[1], ids[0]), (ids[5], ids[6]), (ids[9], ids[6]), (ids[12], ids[3])]:
        service.merge(source, target)
    open_ids = [g.id for g in service.summaries()]
    for gid in open_ids[2:8]:
        service.send_live(gid)
    service.advance(open_ids[2])  # on air
    service.answer_later(open_ids[10])
    service.dismiss(open_ids[11])
    service.set_answer(open_ids[13], "Ab Herbst, siehe Protokoll.")
    service.tag(open_ids[14], service.projects[0].key)
    # A question marked as chatter leaves its group, which is then empty and not listed.
    lone = next(m for m in service.messages(kinds=[Kind.QUESTION]) if m.group_id == open_ids[15])
    service.set_kind(lone.id, Kind.CHATTER)
    # Suggestions with ties (on score, across members in both id orders), to the own group
    # and to merged-away groups, on top of those the import computed.
    with service.db.writing() as session:
        members = session.execute(
            text("SELECT id, group_id FROM messages WHERE group_id IS NOT NULL ORDER BY id")
        ).all()
        all_groups = list(session.execute(text("SELECT id FROM groups")).scalars())
        taken = set(session.execute(text("SELECT message_id, group_id FROM suggestions")).all())
        rows = []
        for message_id, group_id in members:
            for _ in range(rng.randint(0, 4)):
                other = rng.choice([*all_groups, group_id])
                if (message_id, other) not in taken:
                    taken.add((message_id, other))
                    score = rng.choice([70.0, 80.0, 90.0, 90.0, 99.0])
                    rows.append({"message_id": message_id, "group_id": other, "score": score})
        Repository(session).insert_suggestions(rows)


def _expected_tops(service: EventService) -> tuple[dict[int, tuple[int, float]], set[int]]:
    """Per group, its best live suggestion, straight from the rows: highest score, then
    lowest group id; and the groups where the first best row in member order would have
    named another group (ties that only the tie-break decides)."""
    with service.db.reading() as session:
        rows = session.execute(
            text(
                "SELECT m.group_id, s.group_id, s.score FROM suggestions s "
                "JOIN messages m ON m.id = s.message_id JOIN groups t ON t.id = s.group_id "
                "WHERE m.group_id IS NOT NULL AND t.merged_into_id IS NULL "
                "AND s.group_id != m.group_id ORDER BY m.id, s.group_id DESC"
            )
        ).all()
    tops: dict[int, tuple[int, float]] = {}
    first_seen: dict[int, tuple[int, float]] = {}
    for gid, other, score in rows:
        if gid not in tops or (-score, other) < (-tops[gid][1], tops[gid][0]):
            tops[gid] = (other, score)
        if gid not in first_seen or score > first_seen[gid][1]:
            first_seen[gid] = (other, score)
    return tops, {gid for gid, top in tops.items() if first_seen[gid] != top}


def test_summaries_in_one_query_equal_the_batched_ones(db_url: str, clock) -> None:
    """The one-statement read (an own action's read-back, a poll), the batched read and
    the event-wide one (the console's first load) give the same summaries, for any set of
    ids, with or without the live queue and the list's filters; ties between suggestions
    go to the lowest group id."""
    db = Database(db_url)
    db.upgrade()
    try:
        service = open_event(db, load_default_config(), moderator="Anna", clock=clock)
        _varied_event(service)
        with db.reading() as session:
            repo = Repository(session)
            whole = repo.summaries(service.event_id, one_query=False, event_wide=False)
            assert repo.summaries(service.event_id, one_query=True) == whole
            assert repo.summaries(service.event_id, one_query=False, event_wide=True) == whole
            all_ids = list(session.execute(text("SELECT id FROM groups")).scalars())
        # The data covers what the summaries show.
        tops, ties = _expected_tops(service)
        listed = {g.id: (g.top_match_group, g.top_match_score) for g in whole}
        assert {gid: top for gid, top in listed.items() if top[0] is not None} == {
            gid: tops[gid] for gid in listed if gid in tops
        }
        assert ties & listed.keys()
        assert any(g.members > 1 for g in whole) and any(g.votes > g.members for g in whole)
        assert {g.channel for g in whole} >= {Channel.CHAT, Channel.EMAIL, Channel.MANUAL}
        assert {g.state for g in whole} >= {S.NEW, S.LIVE, S.ON_AIR, S.LATER, S.DISMISSED}
        assert any(g.has_answer for g in whole) and any(g.project_confirmed for g in whole)
        assert any(g.author is None for g in whole) and len(whole) < len(all_ids)

        rng = random.Random(11)
        live = (S.LIVE, S.ON_AIR)
        cases: list[dict] = [{"group_ids": []}, {"group_ids": [], "plus_states": live}]
        for size in [1, 1, 2, 3, 5, 8, 13, 30, len(all_ids)] * 4:
            ids = rng.sample([*all_ids, 999_999], min(size, len(all_ids) + 1))
            cases.append({"group_ids": ids, "plus_states": rng.choice([(), live])})
        project = service.projects[0].key
        cases += [
            {"group_ids": all_ids[:20], "states": [S.NEW]},
            {"group_ids": all_ids, "project": project, "plus_states": live},
            {"group_ids": all_ids[10:], "search": "paketstationen"},
            {"search": "viertel 1", "states": [S.NEW, S.LIVE]},
        ]
        compared = 0
        with db.reading() as session:
            repo = Repository(session)
            for case in cases:
                one = repo.summaries(service.event_id, one_query=True, **case)
                batched = repo.summaries(service.event_id, one_query=False, **case)
                assert one == batched, case
                wide = repo.summaries(service.event_id, one_query=False, event_wide=True, **case)
                assert wide == batched, case
                compared += len(one)
        assert compared > 300
    finally:
        db.dispose()


def test_a_read_back_is_one_statement(service: EventService) -> None:
    """Up to `ONE_QUERY_MAX_IDS` ids (plus the live queue) are read in one SELECT; a read
    of the whole event takes the batched way."""
    service.import_messages(
        [msg(n, f"Wann kommen die Paketstationen in Viertel {n}?") for n in range(12)]
    )
    ids = [g.id for g in service.summaries()]
    service.send_live(ids[0])
    selects: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(service.db.engine, "before_cursor_execute", count)
    try:
        rows = service.summaries(group_ids=ids[3:6], plus_states=(S.LIVE, S.ON_AIR))
        assert [g.id for g in rows] == [ids[0], *ids[3:6]] and len(selects) == 1
        selects.clear()
        service.summaries(group_ids=range(1, ONE_QUERY_MAX_IDS + 2))
        assert len(selects) == 5
        selects.clear()
        service.summaries()
        assert len(selects) == 5
    finally:
        event.remove(service.db.engine, "before_cursor_execute", count)


def test_a_large_import_batch_gives_every_row_its_own_id(service: EventService) -> None:
    """The ids of a bulk insert come back in the order of the rows (over several statements
    of 1,000 rows): each stored message carries its own text, and its group the title of
    that text, for every one of 2,500 questions and votes stored in one batch."""
    words = ["Paketstation", "Stadtrat", "Ladesäule", "Lotsen", "Zwilling", "LoRaWAN"]
    incoming = []
    for n in range(2500):
        if n % 5 == 4:
            incoming.append(msg(n, "+1"))
        else:
            incoming.append(msg(n, f"Frage {n}: Was kostet {words[n % 6]} Nummer {n}?"))
    summary = service.import_messages(incoming, batch_size=2500)
    assert summary.new == 2500 and summary.questions == 2000
    with service.db.reading() as session:
        rows = session.execute(
            text(
                "SELECT m.source_key, m.text, m.kind, g.title FROM messages m "
                "LEFT JOIN groups g ON g.id = m.origin_group_id"
            )
        ).all()
    assert len(rows) == 2500
    for source_key, body, kind, title in rows:
        n = int(source_key.split(":")[1])
        if n % 5 == 4:
            assert (body, kind, title) == ("+1", Kind.VOTE.value, None)
        else:
            assert body.startswith(f"Frage {n}:") and kind == Kind.QUESTION.value
            assert title is not None and title.startswith(f"Frage {n}:")
