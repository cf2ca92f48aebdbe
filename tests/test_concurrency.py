"""Two moderators on two "laptops" (separate engines) racing on the same questions.

Runs against a real SQLite file (two engines, WAL, BEGIN IMMEDIATE) and a real PostgreSQL
database (advisory locks per kind of writer, the change counter last). Afterwards the
database is checked with plain SQL.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text

from moderator.config import MatchingSettings, load_default_config
from moderator.domain.models import Kind, QueueState
from moderator.domain.queues import TransitionError
from moderator.domain.similarity import SUGGESTIONS_KEPT
from moderator.services import ConflictError, EventService, ServiceError, open_event
from moderator.services.sync import touched_groups
from moderator.storage.db import Database
from moderator.ui.model import EventModel
from moderator.ui.sync import Reader
from tests.factories import msg

S = QueueState

TOPICS = [
    "die Paketstationen in der Innenstadt",
    "das LoRaWAN-Sensornetz",
    "den Dritten Ort im Rathaus",
    "die Datenplattform der Stadt",
    "das Lotsensystem für Senioren",
    "die autonomen Busse",
    "den digitalen Zwilling",
    "die Bürgerbeteiligung online",
    "die Parkplatzsensoren am Stiftsplatz",
    "das WLAN in der Fußgängerzone",
]
ASKS = [
    "Wann startet {t}?",
    "Wer bezahlt {t} langfristig?",
    "Wie wird der Datenschutz für {t} sichergestellt?",
    "Kann man sich bei {t} beteiligen?",
    "Was kostet {t} die Stadt pro Jahr?",
]


def question(n: int) -> str:
    topic = TOPICS[n % len(TOPICS)]
    ask = ASKS[(n // len(TOPICS)) % len(ASKS)]
    return ask.format(t=topic) + f" (Frage {n})"


@pytest.fixture
def two_services(db_url: str) -> Iterator[tuple[EventService, EventService]]:
    config = load_default_config()
    first, second = Database(db_url), Database(db_url)
    first.upgrade()
    anna = open_event(first, config, moderator="Anna")
    ben = open_event(second, config, moderator="Ben", update_config=False)
    yield anna, ben
    first.dispose()
    second.dispose()


@dataclass
class Tally:
    done: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    logged: int = 0  # action log entries the successful calls must have written


def _moderate(service: EventService, seed: int, rounds: int, tally: Tally) -> None:
    rng = random.Random(seed)
    snapshot = service.summaries()
    next_question = seed * 100_000
    projects = [p.key for p in service.projects]
    for round_no in range(rounds):
        if round_no % 6 == 0 or not snapshot:
            snapshot = service.summaries()  # stale in between, on purpose
        if not snapshot:
            continue
        hot = snapshot[:12]  # both moderators mostly work on the same few questions
        one = rng.choice(hot if rng.random() < 0.6 else snapshot)
        other = rng.choice(hot if rng.random() < 0.6 else snapshot)
        version = one.version if rng.random() < 0.7 else None
        verb = rng.choice(
            [
                "merge",
                "merge_message",
                "split",
                "live",
                "live",
                "later",
                "dismiss",
                "advance",
                "advance",
                "reorder",
                "reorder",
                "tag",
                "answer",
                "undo",
                "import",
            ]
        )
        try:
            if verb == "merge":
                service.merge(one.id, other.id, expected_version=version)
            elif verb == "split":
                members = service.group(one.id).members
                if len(members) < 2:
                    continue
                service.split(rng.choice(members).id)
            elif verb in ("live", "later"):
                # As the console's keys do: an untagged question is tagged in the same write.
                # With the version checked, the snapshot tells whether it was untagged.
                confirm = version is not None and not one.project_confirmed
                target = S.LIVE if verb == "live" else S.LATER
                service.move(one.id, target, expected_version=version, confirm_project=confirm)
                tally.logged += confirm  # the "tag" entry before the "move" one
            elif verb == "dismiss":
                service.dismiss(one.id, expected_version=version)
            elif verb == "advance":
                service.advance(one.id, expected_version=version)
            elif verb == "reorder":
                live = [g for g in snapshot if g.state == S.LIVE] or [one]
                one = rng.choice(live)
                version = one.version if rng.random() < 0.5 else None
                service.reorder(one.id, rng.choice([-2, -1, 1, 2]), expected_version=version)
            elif verb == "merge_message":
                members = service.group(one.id).members  # none if merged meanwhile
                if not members:
                    continue
                service.merge_message(rng.choice(members).id, other.id)
            elif verb == "tag":
                service.tag(one.id, rng.choice(projects), expected_version=version)
            elif verb == "answer":
                service.set_answer(one.id, f"Antwort {round_no}", expected_version=version)
            elif verb == "undo":
                if service.undo() is None:
                    continue
            elif verb == "import":
                batch = [msg(next_question + i, question(next_question + i)) for i in range(2)]
                batch.append(msg(next_question + 2, "+1", kind=Kind.VOTE))
                next_question += 3
                service.import_messages(batch, source=f"chat-{seed}")
        except (ConflictError, TransitionError) as exc:
            tally.refused[verb] += 1
            tally.notices.append(str(exc))
            continue
        except ServiceError as exc:
            tally.refused[verb] += 1
            tally.notices.append(str(exc))
            continue
        except Exception as exc:  # anything else is a bug the test must show
            tally.failures.append(f"{verb} #{one.id}: {type(exc).__name__}: {exc}")
            continue
        tally.done[verb] += 1
        tally.logged += 1


def _race(services: tuple[EventService, EventService], rounds: int) -> list[Tally]:
    tallies = [Tally(), Tally()]
    start = threading.Barrier(2)

    def run(index: int) -> None:
        start.wait()
        _moderate(services[index], index + 1, rounds, tallies[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a moderator thread hangs (deadlock?)"
    return tallies


def check_invariants(database: Database, service: EventService) -> None:
    """Everything a console relies on, checked with plain SQL."""
    event = service.event_id
    with database.reading() as s:
        q = lambda sql, **kw: s.execute(text(sql), {"e": event, **kw}).all()  # noqa: E731
        # Each question in exactly one live (not tombstoned) group.
        stray = q(
            "SELECT m.id, m.group_id, g.merged_into_id FROM messages m "
            "LEFT JOIN groups g ON g.id = m.group_id "
            "WHERE m.event_id = :e AND m.kind = 'question' "
            "AND (m.group_id IS NULL OR g.id IS NULL OR g.merged_into_id IS NOT NULL)"
        )
        assert stray == [], f"questions outside a live group: {stray}"
        in_tombstones = q(
            "SELECT m.id FROM messages m JOIN groups g ON g.id = m.group_id "
            "WHERE m.event_id = :e AND g.merged_into_id IS NOT NULL"
        )
        assert in_tombstones == []
        # At most one question on air.
        on_air = q(
            "SELECT id FROM groups WHERE event_id = :e AND state = 'on_air' "
            "AND merged_into_id IS NULL AND EXISTS (SELECT 1 FROM messages m "
            "WHERE m.group_id = groups.id)"
        )
        assert len(on_air) <= 1, f"several questions on air: {on_air}"
        # Live positions exactly 1..n; nothing else holds a position.
        live = [
            p
            for (p,) in q(
                "SELECT position FROM groups WHERE event_id = :e AND state = 'live' "
                "AND merged_into_id IS NULL ORDER BY position"
            )
        ]
        assert live == list(range(1, len(live) + 1)), f"live positions {live}"
        placed = q(
            "SELECT id, state, position FROM groups WHERE event_id = :e "
            "AND merged_into_id IS NULL AND state <> 'live' AND position IS NOT NULL"
        )
        assert placed == [], f"positions outside the live queue: {placed}"
        # Votes: question members plus "+1" messages pointing at a member.
        expected_votes = dict(
            q(
                "SELECT g.id, (SELECT count(*) FROM messages m WHERE m.group_id = g.id "
                "AND m.kind = 'question') + (SELECT count(*) FROM messages v JOIN messages t "
                "ON t.id = v.vote_for_id WHERE t.group_id = g.id AND v.kind = 'vote') "
                "FROM groups g WHERE g.event_id = :e AND g.merged_into_id IS NULL"
            )
        )
        tombstones = {
            gid
            for (gid,) in q(
                "SELECT id FROM groups WHERE event_id = :e AND merged_into_id IS NOT NULL"
            )
        }
        changed = {
            gid
            for (gid,) in q(
                "SELECT id FROM groups WHERE event_id = :e AND (state <> 'new' "
                "OR project_confirmed OR answer <> '')"
            )
        }
        moved_messages = {
            mid
            for (mid,) in q(
                "SELECT id FROM messages WHERE event_id = :e AND kind = 'question' "
                "AND group_id <> origin_group_id"
            )
        }
        action_count = q("SELECT count(*) FROM actions WHERE event_id = :e")[0][0]
    # What consoles and the stage show: positions 1..n in the visible live queue.
    visible = [g.position for g in service.live_queue() if g.state == S.LIVE]
    assert visible == list(range(1, len(visible) + 1)), f"visible live positions {visible}"
    for group in service.groups():
        assert group.votes == expected_votes[group.id], f"votes of #{group.id}"
    # The action log explains every tombstone, every changed group, every moved wording.
    actions = service.history(limit=None)
    touched: set[int] = set()
    moved: set[int] = set()
    for action in actions:
        touched |= touched_groups(action)
        for side in (action.before, action.after):
            moved.update(side.get("moved", []))
            if isinstance(side.get("message"), int):
                moved.add(side["message"])
    assert tombstones <= touched, f"tombstones without a log entry: {tombstones - touched}"
    assert changed <= touched, f"changed groups without a log entry: {changed - touched}"
    assert moved_messages <= moved, f"moved wordings without log: {moved_messages - moved}"
    assert action_count == len(actions)


def test_two_moderators_race_without_lost_updates(
    two_services: tuple[EventService, EventService],
) -> None:
    anna, ben = two_services
    seeded = anna.import_messages([msg(i, question(i)) for i in range(40)], source="seed")
    assert seeded.questions == 40
    started = time.monotonic()
    tallies = _race(two_services, rounds=250)
    elapsed = time.monotonic() - started
    failures = tallies[0].failures + tallies[1].failures
    assert failures == [], "\n".join(failures[:20])
    done = tallies[0].done + tallies[1].done
    refused = tallies[0].refused + tallies[1].refused
    # Both really acted and really collided.
    assert sum(done.values()) > 150, (done, refused)
    assert sum(refused.values()) > 0
    assert all(notice.strip() for t in tallies for notice in t.notices)
    check_invariants(anna.db, anna)
    # The log rows of every reported success (plus the seed import): nothing silent.
    assert len(anna.history(limit=None)) == 1 + tallies[0].logged + tallies[1].logged
    # The other laptop sees the same state.
    assert [(g.id, g.version) for g in anna.groups()] == [(g.id, g.version) for g in ben.groups()]
    assert elapsed < 60


def test_a_reader_of_changes_misses_nothing_while_others_race(
    db_url: str, two_services: tuple[EventService, EventService]
) -> None:
    """A third console that reads only what changed (the change counter, then the log
    after the last action it saw) ends with exactly what a full read shows. Importers and
    moderators do not wait for each other, so this holds only because action ids are
    handed out in commit order."""
    anna, _ = two_services
    anna.import_messages([msg(i, question(i)) for i in range(30)], source="seed")
    third = Database(db_url)
    carla = open_event(third, load_default_config(), moderator="Carla", update_config=False)
    reader, model = Reader(carla), EventModel()
    model.replace_all(reader.load_all().rows)
    polls = 0

    def catch_up() -> None:
        nonlocal polls
        snapshot = reader.poll()
        if snapshot is None:
            return
        polls += 1
        if snapshot.asked is None:
            model.replace_all(snapshot.rows)
        else:
            model.apply(snapshot.rows, snapshot.asked)

    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            catch_up()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        tallies = _race(two_services, rounds=150)
    finally:
        stop.set()
        watcher.join(timeout=30)
    catch_up()
    try:
        assert tallies[0].failures + tallies[1].failures == []
        assert polls > 10  # it really read along
        assert model.groups == {g.id: g for g in carla.summaries()}
    finally:
        third.dispose()


def test_auto_merging_imports_are_never_lost_beside_a_merging_moderator(
    two_services: tuple[EventService, EventService],
) -> None:
    """With auto-merge on, an import changes existing groups, and importers do not wait for
    moderators: when the two collide on a group, the import is tried again, not lost."""
    anna, ben = two_services
    ben.matching = MatchingSettings(auto_merge_threshold=60.0)
    anna.import_messages([msg(i, question(i)) for i in range(20)], source="seed")
    failures: list[str] = []
    stop = threading.Event()

    def moderate() -> None:
        rng = random.Random(7)
        while not stop.is_set():
            ids = [g.id for g in anna.summaries()]
            if len(ids) < 2:
                return
            one, other = rng.sample(ids, 2)
            try:
                anna.merge(one, other)
            except (ConflictError, ServiceError):
                continue
            except Exception as exc:  # anything else is a bug
                failures.append(f"merge: {type(exc).__name__}: {exc}")

    moderator = threading.Thread(target=moderate)
    moderator.start()
    stored = auto_merged = 0
    try:
        for n in range(60):  # the same wordings again: each one auto-merges
            try:
                summary = ben.import_messages([msg(1000 + n, question(n % 20))], source="chat")
            except Exception as exc:
                failures.append(f"import {n}: {type(exc).__name__}: {exc}")
                continue
            stored += summary.new
            auto_merged += summary.auto_merged
    finally:
        stop.set()
        moderator.join(timeout=60)
    assert failures == []
    assert stored == 60 and auto_merged > 0
    with anna.db.reading() as session:
        kept = session.scalar(
            text("SELECT count(*) FROM messages WHERE source_key LIKE 'test:10__'")
        )
    assert kept == 60
    check_invariants(anna.db, anna)


def test_both_merge_the_same_question(two_services: tuple[EventService, EventService]) -> None:
    anna, ben = two_services
    a, b, c = anna.import_messages([msg(i, question(i)) for i in range(3)], source="seed").group_ids
    seen = ben.group(a).version
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def act(name: str, call) -> None:
        barrier.wait()
        try:
            results[name] = call()
        except ServiceError as exc:
            results[name] = exc

    threads = [
        threading.Thread(target=act, args=("anna", lambda: anna.merge(a, b))),
        threading.Thread(target=act, args=("ben", lambda: ben.merge(a, c, expected_version=seen))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [r for r in results.values() if isinstance(r, ServiceError)]
    assert len(errors) == 1 and isinstance(errors[0], ConflictError)
    assert "merged" in str(errors[0]) or "changed meanwhile" in str(errors[0])
    merges = [x for x in anna.history(limit=None) if x.verb == "merge"]
    assert len(merges) == 1
    check_invariants(anna.db, anna)


def test_dismiss_against_send_live_names_the_winner(
    two_services: tuple[EventService, EventService],
) -> None:
    anna, ben = two_services
    (gid,) = anna.import_messages([msg(1, question(1))], source="seed").group_ids
    seen = anna.group(gid).version
    anna.dismiss(gid, expected_version=seen)
    with pytest.raises(ConflictError, match=r"Anna: moved #\d+ to dismissed"):
        ben.send_live(gid, expected_version=seen)
    assert ben.group(gid).state == S.DISMISSED
    assert [x.verb for x in ben.history(gid)] == ["move"]


def test_both_reorder_the_live_queue(two_services: tuple[EventService, EventService]) -> None:
    anna, ben = two_services
    ids = anna.import_messages([msg(i, question(i)) for i in range(6)], source="seed").group_ids
    for gid in ids:
        anna.send_live(gid)
    barrier = threading.Barrier(2)

    def shuffle(service: EventService, seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        for _ in range(30):
            with contextlib.suppress(ServiceError):
                service.reorder(rng.choice(ids), rng.choice([-1, 1, 2]))

    threads = [threading.Thread(target=shuffle, args=(s, n)) for n, s in enumerate((anna, ben))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue = ben.live_queue()
    assert sorted(g.id for g in queue) == sorted(ids)
    assert [g.position for g in queue] == list(range(1, len(ids) + 1))
    # The last reorder in the log is the order everyone sees.
    last = next(x for x in anna.history(limit=None) if x.verb == "reorder")
    assert [g.id for g in queue] == last.after["order"]
    check_invariants(anna.db, anna)


def _process_moderator(url: str, name: str, seed: int, rounds: int, out) -> None:
    """Body of a separate OS process: its own interpreter, engine and SQLite connection."""
    database = Database(url)
    service = open_event(database, load_default_config(), moderator=name, update_config=False)
    tally = Tally()
    _moderate(service, seed, rounds, tally)
    database.dispose()
    out.put((name, tally.logged, tally.failures))


def test_two_processes_share_one_sqlite_file(sqlite_url: str) -> None:
    import multiprocessing

    database = Database(sqlite_url)
    database.upgrade()
    anna = open_event(database, load_default_config(), moderator="Anna")
    anna.import_messages([msg(i, question(i)) for i in range(20)], source="seed")
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [
        context.Process(target=_process_moderator, args=(sqlite_url, name, seed, 80, out))
        for seed, name in ((11, "Anna"), (12, "Ben"))
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
        assert worker.exitcode == 0
    assert [failures for _, _, failures in results] == [[], []]
    check_invariants(database, anna)
    assert len(anna.history(limit=None)) == 1 + sum(logged for _, logged, _ in results)
    database.dispose()


def test_two_long_imports_compare_every_question_once(
    two_services: tuple[EventService, EventService],
) -> None:
    """Two importers store long files at once; each compares the questions left to compare
    after storing its own, so both may reach the same ones: every question is compared
    exactly once (its suggestions stored once, none refused as a duplicate row)."""
    anna, ben = two_services
    for service in (anna, ben):
        service.matching = MatchingSettings(auto_merge_threshold=95.0)
    failures: list[str] = []
    summaries = []

    def run(service: EventService, start: int) -> None:
        try:
            messages = [msg(start + i, question(i)) for i in range(300)]
            summaries.append(service.import_messages(messages, source=service.moderator))
        except Exception as exc:  # anything is a failure here
            failures.append(f"{service.moderator}: {type(exc).__name__}: {exc}")

    threads = [
        threading.Thread(target=run, args=(anna, 0)),
        threading.Thread(target=run, args=(ben, 1000)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert failures == []
    with anna.db.reading() as session:
        waiting = session.scalar(text("SELECT count(*) FROM messages WHERE NOT matched"))
        per_question = session.execute(
            text("SELECT message_id, count(*) FROM suggestions GROUP BY message_id")
        ).all()
        questions = session.scalar(text("SELECT count(*) FROM messages WHERE kind = 'question'"))
    assert waiting == 0 and questions == 600
    # Each wording is asked twice (one per file): the second one always finds the first.
    assert len(per_question) >= 300
    assert all(n <= SUGGESTIONS_KEPT for _, n in per_question)  # each stored once
    assert sum(s.with_suggestion for s in summaries) >= 300
    check_invariants(anna.db, anna)
