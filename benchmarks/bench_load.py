"""Load: 3 moderators + 2 importers on one PostgreSQL event, each with its own engine.

    PYTHONPATH=src python benchmarks/bench_load.py --seconds 60

Creates a scratch database on the server (MODERATOR_TEST_POSTGRES_URL or the local default),
runs importers writing `--rate` questions per second in total and moderators acting at random
(think time 50-250 ms), and a LISTEN/NOTIFY listener. Each moderator reads like a console
does: the whole event once, then only what changed (the console's own `Reader` and model),
and acts on one of the 30 newest open questions it knows. Reports errors (anything but the
expected ConflictError / TransitionError / ServiceError refusals), lost questions (reported
as imported but not in the database), write latency and change-notification latency.

Notification latency is measured from the return of a moderator's write to the listener
reporting a change counter at least as new as the one read right after that write; the
counter may already include a later write, so the figure is an upper bound.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from moderator.config import load_default_config
from moderator.domain.models import Channel, IncomingMessage, QueueState
from moderator.domain.queues import TransitionError
from moderator.services import ConflictError, EventService, ServiceError, open_event
from moderator.storage.db import Database
from moderator.storage.notify import ChangeListener
from moderator.ui.model import EventModel
from moderator.ui.sync import Reader

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOPICS = [
    "die Paketstationen",
    "das LoRaWAN-Netz",
    "den Dritten Ort",
    "die Datenplattform",
    "das Lotsensystem",
    "die autonomen Busse",
    "den digitalen Zwilling",
    "die Parkplatzsensoren",
]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    done: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    probes: list[tuple[float, int]] = field(default_factory=list)  # (write returned, seq)


def _admin(url: str) -> dict:
    parsed = make_url(url)
    info = {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "dbname": parsed.database or "postgres",
        "autocommit": True,
    }
    if parsed.password:
        info["password"] = parsed.password
    return info


def _service(url: str, name: str) -> EventService:
    return open_event(Database(url), load_default_config(), moderator=name, update_config=False)


def _wait_until(start: float) -> None:
    """All writers begin together, once each has started up and read what it needs."""
    time.sleep(max(0.0, start - time.monotonic()))


def importer(
    url: str, index: int, rate: float, window: tuple[float, float], stats: Stats, run: str
) -> None:
    start, stop = window
    service = _service(url, f"Import {index}")
    service.warm_up()
    _wait_until(start)
    interval = 1.0 / rate
    n = 0
    next_at = time.monotonic()
    base = datetime(2020, 6, 19, 18, 0, tzinfo=UTC)
    while (now := time.monotonic()) < stop:
        if now < next_at:
            time.sleep(next_at - now)
        next_at += interval
        n += 1
        topic = TOPICS[(n + index) % len(TOPICS)]
        message = IncomingMessage(
            source_key=f"bench-{run}-{index}:{n}",
            channel=Channel.CHAT,
            text=f"Frage {n} von Quelle {index}: Wann kommt {topic} in meinen Stadtteil?",
            author=f"Teilnehmer {n}",
            received_at=base + timedelta(seconds=n),
        )
        started = time.perf_counter()
        try:
            summary = service.import_messages([message], source=f"bench-{index}")
        except Exception as exc:  # every failure of an importer is an error here
            stats.errors.append(f"import {index}/{n}: {type(exc).__name__}: {exc}")
            continue
        stats.latencies.append(time.perf_counter() - started)
        stats.sent += summary.new
        stats.done["import"] += 1
    service.db.dispose()


def moderator(url: str, index: int, window: tuple[float, float], stats: Stats, seed: int) -> None:
    start, stop = window
    service = _service(url, f"Moderator {index}")
    rng = random.Random(seed)
    reader, model = Reader(service), EventModel()
    model.replace_all(reader.load_all().rows)
    service.warm_up()
    _wait_until(start)
    projects = [p.key for p in service.projects]
    open_states = (QueueState.NEW, QueueState.LIVE)
    while time.monotonic() < stop:
        time.sleep(rng.uniform(0.05, 0.25))
        changed = reader.poll()
        if changed is not None:
            if changed.asked is None:
                model.replace_all(changed.rows)
            else:
                model.apply(changed.rows, changed.asked)
        newest = []
        for group in reversed(model.groups.values()):
            if group.state in open_states:
                newest.append(group)
                if len(newest) == 30:
                    break
        if not newest:
            continue
        one, other = rng.choice(newest), rng.choice(newest)
        verb = rng.choice(["merge", "live", "later", "dismiss", "advance", "reorder", "tag"])
        started = time.perf_counter()
        try:
            if verb == "merge":
                service.merge(one.id, other.id, expected_version=one.version)
            elif verb == "live":
                service.send_live(one.id, expected_version=one.version)
            elif verb == "later":
                service.answer_later(one.id, expected_version=one.version)
            elif verb == "dismiss":
                service.dismiss(one.id, expected_version=one.version)
            elif verb == "advance":
                service.advance(one.id, expected_version=one.version)
            elif verb == "reorder":
                service.reorder(one.id, rng.choice([-1, 1]), expected_version=one.version)
            else:
                service.tag(one.id, rng.choice(projects), expected_version=one.version)
        except (ConflictError, TransitionError, ServiceError) as exc:
            stats.refused[type(exc).__name__] += 1
            continue
        except Exception as exc:
            stats.errors.append(f"{verb} #{one.id}: {type(exc).__name__}: {exc}")
            continue
        returned = time.monotonic()
        stats.latencies.append(time.perf_counter() - started)
        stats.done[verb] += 1
        stats.probes.append((returned, service.change_seq()))
    service.db.dispose()


def listen(url: str, event_id: int, stop: float, wakes: list[tuple[float, int]]) -> str:
    db = Database(url)
    with ChangeListener(db, event_id) as listener:
        while time.monotonic() < stop + 1.0:
            if listener.wait(0.5):
                wakes.append((time.monotonic(), listener.seq))
        mode = listener.mode
    db.dispose()
    return mode


def _run_in_process(role: str, args: tuple, out, nice: int = 0) -> None:
    if nice:
        os.nice(nice)  # the other laptops' own CPU work, yielding to the machine's owner
    stats = Stats()
    if role == "import":
        importer(*args[:4], stats, args[4])
    else:
        moderator(*args[:3], stats, args[3])
    out.put((role, args[1], stats))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--warmup",
        type=float,
        default=10.0,
        help="seconds for the writers to start up before they begin together",
    )
    parser.add_argument("--rate", type=float, default=20.0, help="questions per second, total")
    parser.add_argument("--moderators", type=int, default=3)
    parser.add_argument("--importers", type=int, default=2)
    parser.add_argument(
        "--processes", action="store_true", help="one OS process per writer (as laptops are)"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="with --processes: run the writers at this lower CPU priority; they stand for "
        "other laptops, whose own CPU work does not compete with a console on this machine",
    )
    parser.add_argument("--url", default=os.environ.get("MODERATOR_TEST_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument(
        "--existing",
        action="store_true",
        help="write into the event of the database at --url (e.g. one a console has open) "
        "instead of a scratch database",
    )
    args = parser.parse_args(argv)

    admin = _admin(args.url)
    run = uuid.uuid4().hex[:8]  # source keys of this run (--existing may be reused)
    if args.existing:
        name, url = None, args.url
    else:
        name = f"moderator_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(**admin) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    try:
        setup = Database(url)
        setup.upgrade()
        event_id = open_event(setup, load_default_config(), moderator="setup").event_id
        start = time.monotonic() + args.warmup
        stop = start + args.seconds
        window = (start, stop)
        imports = [Stats() for _ in range(args.importers)]
        mods = [Stats() for _ in range(args.moderators)]
        wakes: list[tuple[float, int]] = []
        modes: list[str] = []
        if args.processes:
            import multiprocessing

            context = multiprocessing.get_context("spawn")
            out = context.Queue()
            jobs = [
                ("import", (url, i + 1, args.rate / args.importers, window, run))
                for i in range(args.importers)
            ]
            jobs += [("moderate", (url, i + 1, window, 100 + i)) for i in range(args.moderators)]
            threads = [
                context.Process(target=_run_in_process, args=(role, job, out, args.nice))
                for role, job in jobs
            ]
        else:
            threads = [
                threading.Thread(
                    target=importer, args=(url, i + 1, args.rate / args.importers, window, s, run)
                )
                for i, s in enumerate(imports)
            ]
            threads += [
                threading.Thread(target=moderator, args=(url, i + 1, window, s, 100 + i))
                for i, s in enumerate(mods)
            ]
        threads.append(
            threading.Thread(
                target=lambda: modes.append(listen(url, event_id, stop, wakes)), daemon=True
            )
        )
        for thread in threads:
            thread.start()
        if args.processes:
            for _ in jobs:
                role, index, stats = out.get(timeout=args.seconds + 120)
                (imports if role == "import" else mods)[index - 1] = stats
        for thread in threads:
            thread.join()
        with setup.reading() as session:
            stored = session.scalar(
                text("SELECT count(*) FROM messages WHERE source_key LIKE :run"),
                {"run": f"bench-{run}-%"},
            )
            actions = session.scalar(text("SELECT count(*) FROM actions"))
        setup.dispose()
    finally:
        if name is not None:
            with psycopg.connect(**admin) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    sent = sum(s.sent for s in imports)
    errors = [e for s in imports + mods for e in s.errors]
    import_lat = [x for s in imports for x in s.latencies]
    mod_lat = [x for s in mods for x in s.latencies]
    seqs = [seq for _, seq in wakes]
    notify_lat = []
    for returned, seq in (p for s in mods for p in s.probes):
        i = bisect_left(seqs, seq)
        if i < len(wakes):
            notify_lat.append(max(0.0, wakes[i][0] - returned))
    refused = sum((s.refused for s in mods), Counter())
    done = sum((s.done for s in mods), Counter())
    ms = lambda v: f"{v * 1000:.1f} ms"  # noqa: E731
    kind = "processes" if args.processes else "threads"
    print(
        f"duration            {args.seconds:.0f} s, {args.importers} importers, "
        f"{args.moderators} moderators ({kind}), listener mode {modes[0] if modes else '?'}"
    )
    print(
        f"questions sent      {sent} ({sent / args.seconds:.1f}/s), stored {stored}, "
        f"lost {sent - stored}"
    )
    print(f"moderator actions   {sum(done.values())} done {dict(done)}")
    print(f"refused (expected)  {sum(refused.values())} {dict(refused)}")
    print(f"errors              {len(errors)}")
    for line in errors[:10]:
        print(f"  {line}")
    print(f"action log rows     {actions}")
    print(
        f"import write        median {ms(statistics.median(import_lat))}, "
        f"p95 {ms(pct(import_lat, 0.95))}"
    )
    print(
        f"moderator write     median {ms(statistics.median(mod_lat))}, p95 {ms(pct(mod_lat, 0.95))}"
    )
    if notify_lat:
        print(
            f"notification        median {ms(statistics.median(notify_lat))}, "
            f"p95 {ms(pct(notify_lat, 0.95))}, max {ms(max(notify_lat))} "
            f"({len(notify_lat)} probes)"
        )
    return 1 if errors or sent != stored else 0


if __name__ == "__main__":
    sys.exit(main())
