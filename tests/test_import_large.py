"""Large imports (issue #16, items 5 and 6): batches, resuming after a kill, the database
staying usable meanwhile, streaming parse, bounded duplicate candidate work."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from moderator.config import MatchingSettings, load_default_config
from moderator.domain import duplicate_index
from moderator.domain.duplicate_index import DuplicateIndex
from moderator.domain.models import QueueState
from moderator.ingest import base, zoom
from moderator.services import open_event
from moderator.services.errors import ConnectionLostError
from moderator.services.exporting import export_to
from moderator.services.ingesting import import_paths
from moderator.storage import db as storage_db
from moderator.storage.db import Database
from tests.conftest import ROOT, FakeClock

SAMPLE = ROOT / "sample_data"
QUESTIONS = [
    "Wann fährt der autonome Bus nach {n}?",
    "Wo sollen die Paketstationen in {n} stehen?",
    "Wer betreibt das LoRaWAN-Netz in {n}?",
    "Wie können Bürger in {n} beim Dritten Ort mitreden?",
]
CHATTER = ["Guten Abend!", "Man hört euch nicht", "Danke für den Vortrag!"]


def write_chat(path: Path, count: int, seed: int = 11) -> None:
    """A Zoom chat (current layout) of `count` messages: questions, chatter, "+1",
    replies and reactions (which quote an earlier question, maybe many lines back)."""
    rng = random.Random(seed)
    asked: list[str] = []
    lines = []
    for n in range(count):
        seconds = 18 * 3600 + n // 3
        stamp = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        roll = rng.random()
        if roll < 0.4 or not asked:
            text = rng.choice(QUESTIONS).format(n=f"Ortsteil {n}")
            asked.append(text)
        elif roll < 0.65:
            text = rng.choice(CHATTER)
        elif roll < 0.85:
            text = "+1"
        elif roll < 0.93:
            text = f'Replying to "{rng.choice(asked)[:20]}...": Das frage ich mich auch!'
        else:
            text = f'Reacted to "{rng.choice(asked)[:20]}..." with 👍'
        lines.append(f"{stamp} From  Person {rng.randint(1, 300)}  to  Everyone:\n\t{text}\n")
    path.write_text("".join(lines), encoding="utf-8")


def stored(path: Path) -> list[tuple]:
    """Every message as (key, kind, key of its vote target, key of its reply target)."""
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT m.source_key, m.kind, v.source_key, r.source_key FROM messages m "
            "LEFT JOIN messages v ON v.id = m.vote_for_id "
            "LEFT JOIN messages r ON r.id = m.reply_to_id ORDER BY m.source_key"
        ).fetchall()


def count(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=10) as conn:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def moderator(*args: str, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "moderator", "--db", f"sqlite:///{db}", "--as", "Imp", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        # the meaning pass after an import is not what these tests are about
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "MODERATOR_EMBEDDER": "none"},
    )


def wait_for(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def test_sigkill_halfway_then_rerun_stores_every_message_exactly_once(tmp_path: Path) -> None:
    chat = tmp_path / "meeting_saved_chat.txt"
    write_chat(chat, 2000)
    expected = len(zoom.parse(chat).messages)
    assert expected == 2000
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"

    proc = moderator("import", "--batch-size", "7", str(chat), db=killed_db)
    wait_for(lambda: count(killed_db) >= expected // 2 or proc.poll() is not None, "half")
    assert proc.poll() is None, f"the import ended before it was killed: {proc.stderr.read()}"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    halfway = count(killed_db)
    assert expected // 2 <= halfway < expected
    assert halfway % 7 == 0  # whole batches only: each is one transaction

    rerun = moderator("import", "--batch-size", "7", str(chat), db=killed_db)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode in (0, 1), err
    assert f"{expected - halfway} neu" in out and f"{halfway} bereits importiert" in out

    full = moderator("import", str(chat), db=clean_db)  # one run, batches of its own size
    full.communicate(timeout=300)
    resumed = stored(killed_db)
    assert len(resumed) == len({row[0] for row in resumed}) == expected
    # votes and replies found their targets across batch boundaries and the kill
    assert resumed == stored(clean_db)
    assert sum(1 for _, kind, vote, _ in resumed if kind == "vote" and vote) > 200
    assert sum(1 for *_, reply in resumed if reply) > 150


def test_batches_keep_votes_suggestions_and_merges_of_one_big_transaction(
    tmp_path: Path,
) -> None:
    """The same import in batches of 3 and in one batch stores the same links, duplicate
    suggestions and automatic merges."""
    chat = tmp_path / "chat.txt"
    write_chat(chat, 400, seed=3)
    config = load_default_config()
    results = []
    for size in (3, 10_000):
        path = tmp_path / f"b{size}.db"
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        service = open_event(db, config, moderator="Anna", clock=FakeClock())
        service.matching = MatchingSettings(auto_merge_threshold=90.0)
        batches = []
        (summary,) = import_paths(service, [chat], batch_size=size, progress=batches.append)
        db.dispose()
        suggestions, merged, unmatched = _suggestions_and_merges(path)
        with sqlite3.connect(path) as conn:
            logged = conn.execute(
                "SELECT count(*) FROM actions WHERE verb = 'import' AND summary LIKE 'imported%'"
            ).fetchone()
        results.append((stored(path), suggestions, summary.new, summary.auto_merged, merged))
        assert logged[0] == len(batches) == -(-400 // size)
        assert unmatched == 0  # every question compared before the import returned
        assert batches[-1].batch.read == 400 and batches[-1].position == chat.stat().st_size
    assert results[0] == results[1]
    assert results[0][3] > 0 and results[0][3] == results[0][4]  # auto-merges happened


def _suggestions_and_merges(path: Path) -> tuple[list[tuple], int, int]:
    """(suggestions as (message key, group title, score), groups merged away, questions
    not compared yet) of the SQLite file `path`."""
    with sqlite3.connect(path) as conn:
        suggestions = conn.execute(
            "SELECT m.source_key, g.title, s.score FROM suggestions s "
            "JOIN messages m ON m.id = s.message_id JOIN groups g ON g.id = s.group_id "
            "ORDER BY 1, 2"
        ).fetchall()
        merged = conn.execute("SELECT count(*) FROM groups WHERE merged_into_id IS NOT NULL")
        unmatched = conn.execute("SELECT count(*) FROM messages WHERE NOT matched")
        return suggestions, merged.fetchone()[0], unmatched.fetchone()[0]


def test_questions_shown_before_they_are_compared_are_compared_after_a_stop(
    tmp_path: Path,
) -> None:
    """An import stores the questions of its later batches first and compares them once
    all are stored. Stopped in between (Ctrl+C after a batch), the stored questions wait as
    not compared; a console's pass (`match_pending`) or the next import compares them, and
    the database ends as after one uninterrupted import."""
    chat = tmp_path / "chat.txt"
    write_chat(chat, 400, seed=3)
    config = load_default_config()

    def service_on(path: Path):
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        service = open_event(db, config, moderator="Anna", clock=FakeClock())
        service.matching = MatchingSettings(auto_merge_threshold=90.0)
        return db, service

    clean_db, clean = service_on(tmp_path / "clean.db")
    import_paths(clean, [chat], batch_size=50)
    clean_db.dispose()
    expected = _suggestions_and_merges(tmp_path / "clean.db")
    assert expected[0] and expected[1] > 0 and expected[2] == 0

    db, service = service_on(tmp_path / "stopped.db")
    seen: list[object] = []

    def stop_after_three(report: object) -> None:
        seen.append(report)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_paths(service, [chat], batch_size=50, progress=stop_after_three)
    *_, waiting = _suggestions_and_merges(tmp_path / "stopped.db")
    assert waiting > 0  # the second and third batches: stored, shown, not compared
    assert service.match_pending() == waiting  # what a console's background pass does
    assert _suggestions_and_merges(tmp_path / "stopped.db")[2] == 0
    (summary,) = import_paths(service, [chat], batch_size=50)  # the rest
    assert summary.already_imported == 150
    db.dispose()
    assert stored(tmp_path / "stopped.db") == stored(tmp_path / "clean.db")  # nothing lost
    # Each question compared with the questions before it, as on arrival, whoever compared
    # it and when: the same suggestions, scores and merges as one uninterrupted import.
    assert _suggestions_and_merges(tmp_path / "stopped.db") == expected


def test_a_moderator_works_while_a_long_import_runs_on_sqlite(tmp_path: Path) -> None:
    """Item 5: a moderator's writes and reads during a long import (batches of 5, another
    thread with its own engine, like another process) all succeed, in between the batches."""
    path = tmp_path / "m.db"
    chat = tmp_path / "chat.txt"
    write_chat(chat, 1500)
    url = f"sqlite:///{path}"
    importer_db, moderator_db = Database(url), Database(url)
    importer_db.upgrade()
    importer = open_event(importer_db, load_default_config(), moderator="Importer")
    anna = open_event(moderator_db, load_default_config(), moderator="Anna")
    seeded = anna.add_manual("Wie laut sind die autonomen Busse?")
    started, halfway_done, finished = threading.Event(), threading.Event(), threading.Event()
    done: list[str] = []
    errors: list[BaseException] = []

    def progress(report) -> None:
        started.set()
        if report.batch.number == 150:  # of 300: wait until Anna has got writes in
            assert halfway_done.wait(120), "the moderator got nothing done meanwhile"

    def run_import() -> None:
        try:
            import_paths(importer, [chat], batch_size=5, progress=progress)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            finished.set()

    thread = threading.Thread(target=run_import)
    thread.start()
    try:
        assert started.wait(120)
        states = [QueueState.LATER, QueueState.NEW]
        while not finished.is_set():
            n = len(done)
            anna.move(seeded.id, states[n % 2])
            done.append("write")
            anna.counts()
            export_to(anna, fmt="json")
            done.append("read")
            if len(done) >= 6:
                halfway_done.set()
    except BaseException as exc:
        errors.append(exc)
        halfway_done.set()
    finally:
        thread.join(300)
    assert not errors, errors
    assert done.count("write") >= 3
    with sqlite3.connect(path) as conn:
        actions = conn.execute("SELECT moderator, verb FROM actions ORDER BY id").fetchall()
    imports = [i for i, (who, verb) in enumerate(actions) if verb == "import"]
    anna_moves = [i for i, (who, verb) in enumerate(actions) if who == "Anna" and verb == "move"]
    assert len(anna_moves) == done.count("write")
    # Anna's writes were stored between the import's batches, not after the import
    assert any(imports[0] < i < imports[-1] for i in anna_moves)
    assert count(path) == 1501
    importer_db.dispose()
    moderator_db.dispose()


def test_stats_and_export_read_while_another_writer_holds_the_database(
    tmp_path: Path,
) -> None:
    """Readers never wait for a writer: `stats` and `export` only read (opening the event
    used to take a write transaction, which waited for the import and then failed)."""
    db = tmp_path / "m.db"
    setup = moderator("import", str(next((SAMPLE / "zoom").rglob("*.txt"))), db=db)
    setup.communicate(timeout=120)
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE events SET title = title")
    try:
        stats = moderator("stats", db=db)
        export = moderator("export", "--format", "md", db=db)
        stats_out, stats_err = stats.communicate(timeout=120)
        export_out, export_err = export.communicate(timeout=120)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert stats.returncode == 0, stats_err
    assert export.returncode == 0, export_err
    assert stats_out.strip() and export_out.strip()


def test_streamed_zoom_parse_equals_the_whole_file_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chat log above `STREAM_BYTES` is read line by line, with the same result."""
    chat = tmp_path / "meeting_saved_chat.txt"
    write_chat(chat, 500)
    with chat.open("ab") as out:  # CRLF, a lone CR and no line end at the very end
        out.write(b"19:00:00 From  Bea  to  Everyone:\r\n\tZeile eins\rZeile zwei\r\n")
        out.write(b"19:00:01 From  Bea  to  Everyone:\r\n\tLetzte Frage ohne Zeilenende?")
    paths = [chat, *sorted((SAMPLE / "zoom").rglob("*.txt"))]
    for path in paths:
        whole = zoom.parse(path)
        monkeypatch.setattr(base, "STREAM_BYTES", 0)
        problems: list = []
        position = [0]
        streamed = list(
            zoom.iter_parse(path, layout=whole.format, problems=problems, position=position)
        )
        monkeypatch.setattr(base, "STREAM_BYTES", 8 * 1024 * 1024)
        assert streamed == whole.messages, path
        assert problems == whole.problems
        assert position[0] == path.stat().st_size


def test_duplicate_candidate_work_is_bounded_for_many_alike_questions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue #16 item 6: 5,000 copies of one question made every query read all 5,000;
    now the postings read and candidates looked up per query stay within the budget."""
    monkeypatch.setattr(duplicate_index, "_POSTINGS_BUDGET", 300)
    monkeypatch.setattr(duplicate_index, "_WORK_BUDGET", 600)
    monkeypatch.setattr(duplicate_index, "_SAMPLE", 50)
    index = DuplicateIndex()
    text = "Wann fährt der autonome Bus durch die Innenstadt?"
    for item in range(5000):
        index.add(item, text)
    touched: list[int] = []

    class Counting(dict):
        def __iter__(self):
            for item in super().__iter__():
                touched.append(item)
                yield item

        def __reversed__(self):
            for item in super().__reversed__():
                touched.append(item)
                yield item

    index._postings = {key: Counting(bucket) for key, bucket in index._postings.items()}
    hits = index.query(text, limit=3)
    assert [score for _, score in hits] == [100.0] * 3
    assert {item for item, _ in hits} <= set(range(4950, 5000))  # the newest
    assert 0 < len(touched) <= 600


def test_who_did_what_shows_an_import_in_batches_as_one_entry(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    write_chat(chat, 60)
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    db.upgrade()
    service = open_event(db, load_default_config(), moderator="Anna", clock=FakeClock())
    first = service.add_manual("Wie laut sind die autonomen Busse?")
    (summary,) = import_paths(service, [chat], batch_size=7)
    service.move(first.id, QueueState.LATER)
    import_paths(service, [chat], batch_size=7)  # nothing new: nothing logged
    imports = [a for a in service.history(limit=None) if a.verb == "import"]
    assert len([a for a in imports if "compared" not in a.after]) == 9
    activity = service.activity(limit=10)
    assert [a.verb for a in activity] == ["move", "import", "manual"]
    folded = activity[1]
    assert folded.after["new"] == 60 and folded.after["questions"] == summary.questions
    assert folded.summary == f"imported 60 messages ({summary.questions} questions) from {chat}"
    db.dispose()


def test_a_capped_duplicate_index_forgets_its_oldest_questions() -> None:
    index = DuplicateIndex(max_items=3)
    for item, text in enumerate(["Wann kommt der Bus?", "Wo stehen Paketstationen?"] * 3):
        index.add(item, text)
    assert len(index) == 3
    assert [item for item, _ in index.query("Wann kommt der Bus?", limit=5)] == [4]
    index.remove(4)
    assert len(index) == 2


def test_a_write_that_waited_too_long_says_so_in_one_line(
    sqlite_service, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick retry of a waiting SQLite writer ends, after `SQLITE_WRITE_WAIT`, in the
    usual one-line refusal ("… von einem anderen Programm gesperrt (database is locked);
    nichts gespeichert"), not in a driver exception."""
    monkeypatch.setattr(storage_db, "SQLITE_WRITE_WAIT", 0.2)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(
            ConnectionLostError, match=r"gesperrt \(database is locked\); nichts gespeichert"
        ):
            sqlite_service.add_manual("Wann kommt der Bus?")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert sqlite_service.add_manual("Wann kommt der Bus?").id
