"""Change notification between moderators, and a database that goes away for a while."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from moderator.config import load_default_config
from moderator.domain.actions import changes_chatter, changes_queue, touched_groups
from moderator.domain.models import Action, Kind
from moderator.services import EventService, open_event
from moderator.services.errors import ConnectionLostError
from moderator.services.sync import Watcher
from moderator.storage.db import Database, DatabaseUnavailable
from moderator.storage.notify import ChangeListener
from moderator.ui.wording import describe
from tests.factories import msg
from tests.relay import terminate_others


def _pair(url: str) -> tuple[EventService, EventService]:
    config = load_default_config()
    first, second = Database(url), Database(url)
    first.upgrade()
    anna = open_event(first, config, moderator="Anna")
    ben = open_event(second, config, moderator="Ben", update_config=False)
    return anna, ben


@pytest.fixture
def pair(db_url: str) -> Iterator[tuple[EventService, EventService]]:
    anna, ben = _pair(db_url)
    yield anna, ben
    anna.db.dispose()
    ben.db.dispose()


def test_write_by_other_laptop_wakes_the_listener(
    pair: tuple[EventService, EventService],
) -> None:
    anna, ben = pair
    (gid,) = anna.import_messages([msg(1, "Wann kommen die autonomen Busse?")]).group_ids
    with ChangeListener(anna.db, anna.event_id) as listener:
        assert listener.mode == ("notify" if anna.db.is_postgres else "poll")
        assert listener.wait(0) is False  # nothing new yet
        # A listener waiting in another thread wakes when Ben writes (how fast is measured
        # in benchmarks/, not here); the long timeout is only a safety net.
        woke: list[bool] = []
        waiting = threading.Thread(target=lambda: woke.append(listener.wait(60)))
        waiting.start()
        ben.send_live(gid)
        waiting.join()
        assert woke == [True]
        assert listener.connected and listener.seq == ben.change_seq()
        assert listener.wait(0) is False  # one change, reported once


def test_watcher_reports_who_did_what(pair: tuple[EventService, EventService]) -> None:
    anna, ben = pair
    a, b = anna.import_messages(
        [msg(1, "Wo stehen die Paketstationen?"), msg(2, "Wer betreibt die Paketstationen?")]
    ).group_ids
    with Watcher(anna) as watcher:
        assert not watcher.changes(0.2)
        ben.merge(b, a)
        change = watcher.changes(2.0)
        assert change and change.group_ids == {a, b}
        (action,) = change.by_others
        line = describe(action, action.at + timedelta(seconds=10))
        assert line == f"Ben merged #{b} into #{a}, 10 s ago"
        german = describe(action, action.at + timedelta(seconds=10), lang="de")
        assert german == f"Ben hat #{b} mit #{a} zusammengeführt, vor 10 s"
        anna.tag(a, "logistik")
        own = watcher.changes(2.0)
        assert own and own.by_others == () and [x.verb for x in own.actions] == ["tag"]


def test_describe_and_touched_groups_without_database() -> None:
    at = datetime(2020, 6, 19, 18, 0, tzinfo=UTC)
    action = Action(
        id=7,
        event_id=1,
        moderator="Anna",
        at=at,
        verb="reorder",
        group_id=4,
        summary="moved #4 to live position 1",
        before={"order": [3, 4]},
        after={"order": [4, 3]},
    )
    assert touched_groups(action) == {3, 4}
    assert describe(action, at + timedelta(seconds=2)) == (
        "Anna moved #4 to live position 1, just now"
    )
    assert describe(action, at + timedelta(minutes=3), lang="de").endswith("vor 3 min")
    naive = dataclasses.replace(action, at=at.replace(tzinfo=None))  # as SQLite returns
    assert describe(naive, at + timedelta(hours=2)).endswith("2 h ago")


def test_log_entries_that_change_the_chatter_are_flagged(sqlite_service: EventService) -> None:
    """Every verb the services log, done for real: whatever changed the chatter count is one
    the console re-counts after (it skips the count for all others)."""
    service = sqlite_service
    steps: list[tuple[str, bool, bool]] = []  # (verb, count changed, flagged)

    def step(do) -> None:
        before = service.chatter_count()
        do()
        (action,) = service.history(limit=1)
        steps.append((action.verb, service.chatter_count() != before, changes_chatter(action)))

    step(lambda: service.import_messages([msg(1, "Danke!"), msg(2, "Wann fährt der Bus?")]))
    step(lambda: service.import_messages([msg(3, "Wann fährt die Bahn?", kind=Kind.QUESTION)]))
    a, b = (g.id for g in service.summaries())
    step(lambda: service.tag(a, "logistik"))
    step(lambda: service.send_live(a))
    step(lambda: service.send_live(b))
    step(lambda: service.reorder(b, -1))
    step(lambda: service.set_title(a, text="Wann fährt der Bus am Sonntag?"))
    step(lambda: service.set_answer(a, "Um neun."))
    step(lambda: service.merge(b, a))
    step(lambda: service.split(service.group(a).members[-1].id))
    chatter = next(m for m in service.messages() if m.kind == Kind.CHATTER)
    step(lambda: service.set_kind(chatter.id, Kind.QUESTION))
    step(lambda: service.undo())
    step(lambda: service.add_manual("Gibt es Parkplätze?"))
    step(lambda: service.purge_personal_data())
    assert [verb for verb, changed, flagged in steps if changed and not flagged] == []
    assert [verb for verb, changed, _ in steps if changed] == ["import", "kind", "undo"]
    flagged = [verb for verb, _, flagged in steps if flagged]
    assert flagged == ["import", "import", "kind", "undo", "manual", "purge"]
    # After these the console skips the count.
    unflagged = {verb for verb, _, flagged in steps if not flagged}
    assert unflagged == {"tag", "move", "reorder", "title", "answer", "merge", "split"}


def test_log_entries_that_change_the_live_queue_are_flagged(
    sqlite_service: EventService,
) -> None:
    """Every verb the services log, done for real: whatever changed the live queue (who is
    in it, in which order, who is on air) is one the console re-reads the queue after."""
    service = sqlite_service
    steps: list[tuple[str, bool, bool]] = []  # (verb, live queue changed, flagged)

    def queue() -> list[tuple[int, str, int | None]]:
        return [(g.id, g.state.value, g.position) for g in service.live_queue()]

    def step(do) -> None:
        before = queue()
        do()
        (action,) = service.history(limit=1)
        steps.append((action.verb, queue() != before, changes_queue(action)))

    step(lambda: service.import_messages([msg(n, f"Wann fährt Bus {n}?") for n in range(1, 6)]))
    a, b, c, d, e = (g.id for g in service.summaries())
    step(lambda: service.tag(a, "logistik"))
    step(lambda: service.send_live(a))
    step(lambda: service.send_live(b))
    step(lambda: service.send_live(c))
    step(lambda: service.reorder(c, -1))
    step(lambda: service.set_title(a, text="Wann fährt der Bus am Sonntag?"))
    step(lambda: service.advance(a))
    step(lambda: service.set_answer(a, "Um neun."))
    step(lambda: service.set_answer(e, "Um zehn.", mark_answered=True))
    step(lambda: service.merge(b, d))
    step(lambda: service.split(service.group(d).members[-1].id))
    step(lambda: service.undo())
    step(lambda: service.add_manual("Gibt es Parkplätze?"))
    assert [verb for verb, changed, flagged in steps if changed and not flagged] == []
    assert {verb for verb, changed, _ in steps if changed} >= {"move", "reorder", "merge"}
    # After these the console does not read the live queue back.
    unflagged = {verb for verb, _, flagged in steps if not flagged}
    assert unflagged == {"import", "tag", "title", "answer", "manual"}


@pytest.mark.postgres
def test_terminated_backends_lose_nothing_and_reconnect(postgres_url: str) -> None:
    anna, ben = _pair(postgres_url)
    try:
        ids = anna.import_messages([msg(i, f"Frage {i} zum Lotsensystem?") for i in range(4)])
        ids = ids.group_ids
        anna.send_live(ids[0])
        ben.send_live(ids[1])
        listener = ChangeListener(anna.db, anna.event_id)
        assert listener.wait(0.1) is False and listener.connected
        # Every engine holds pooled connections now; the listener holds its LISTEN one.
        assert terminate_others(postgres_url) >= 3
        committed = []
        for service, gid in ((anna, ids[2]), (ben, ids[3])):
            try:
                service.send_live(gid)
            except ConnectionLostError as exc:  # at most once, then the engine is fresh
                assert "nichts gespeichert" in str(exc)
                service.send_live(gid)
            committed.append(gid)
        assert [g.id for g in ben.live_queue()] == ids
        assert anna.health() and ben.health()
        # The listener notices the lost connection, reconnects and still sees the change.
        woke = listener.wait(60)  # returns as soon as it has caught up
        assert woke and listener.connected
        assert listener.seq == anna.change_seq()
        moves = [a for a in anna.history(limit=None) if a.verb == "move"]
        assert len(moves) == 4  # nothing committed was lost, nothing doubled
        listener.close()
        # Killed in the middle of a write transaction: a clear error, nothing written.
        lost = pytest.raises(DatabaseUnavailable, match="nichts gespeichert")
        with lost, anna.db.writing() as session:
            session.execute(text("UPDATE events SET title = 'kaputt'"))
            terminate_others(postgres_url)
            session.execute(text("SELECT 1"))
        assert ben.summaries() and anna.event.title != "kaputt"
        with anna.db.reading() as session:
            assert session.scalar(text("SELECT title FROM events")) != "kaputt"
    finally:
        anna.db.dispose()
        ben.db.dispose()


def test_unreachable_server_is_one_clear_error(sqlite_service: EventService) -> None:
    (gid,) = sqlite_service.import_messages([msg(1, "Gibt es WLAN am Stiftsplatz?")]).group_ids
    good = sqlite_service.db
    # A real PostgreSQL URL nobody listens on (port 1): connecting fails at once.
    sqlite_service.db = Database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    try:
        assert sqlite_service.health() is False
        with pytest.raises(ConnectionLostError, match=r"Datenbank nicht erreichbar.*nichts"):
            sqlite_service.send_live(gid)
        with pytest.raises(ConnectionLostError):
            sqlite_service.live_queue()
        watcher = Watcher(sqlite_service)
        assert not watcher.connected and watcher.last_error
        assert not watcher.changes(0.3)
        watcher.close()
    finally:
        sqlite_service.db.dispose()
        sqlite_service.db = good
    assert sqlite_service.group(gid).state.value == "new"  # nothing happened
