"""A console's read-back of the groups an action touched, plus the live queue: the batched
summaries (five queries) against the one-statement summaries, on a 10,000-question event.

    PYTHONPATH=src python benchmarks/bench_readback.py [--postgres URL] [--under-load]
    PYTHONPATH=src python benchmarks/bench_readback.py --sqlite

On PostgreSQL (default: MODERATOR_TEST_POSTGRES_URL or the local server) it creates a
scratch database and drops it afterwards. Each round reads `Repository.summaries(group_ids=
<n random open groups>, plus_states=(LIVE, ON_AIR))` in a fresh read session, as
`Reader.rows_for` does through the service, once each way in alternating order; it prints
medians and 90th percentiles. `--sizes` adds bigger id sets and the whole event (where the
threshold `ONE_QUERY_MAX_IDS` between the two ways comes from). `--under-load` measures
again while benchmarks/bench_load.py (3 moderators + 2 importers, 20 questions/s, one
process each) writes into the same event. Not part of the test run (tests/ only).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from moderator.config import load_default_config
from moderator.domain.models import Channel, IncomingMessage, Kind, QueueState
from moderator.services import EventService, open_event
from moderator.storage.db import Database
from moderator.storage.repository import ONE_QUERY_MAX_IDS, Repository

sys.path.insert(0, str(Path(__file__).parent))
from bench_tui import ASKS, TOPICS  # the same generated questions

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LIVE = (QueueState.LIVE, QueueState.ON_AIR)


def build(url: str, count: int, live: int) -> tuple[Database, EventService]:
    """`count` questions (many alike, so with duplicate suggestions), a "+1" after every
    twentieth, 100 merges, `live` groups in the live queue and one on air."""
    db = Database(url)
    db.upgrade()
    service = open_event(db, load_default_config(), moderator="Bench")
    base = datetime(2020, 6, 19, 16, 0, tzinfo=UTC)
    batch = []
    for n in range(count):
        batch.append(
            IncomingMessage(
                source_key=f"bench:{n}",
                channel=Channel.CHAT if n % 4 else Channel.EMAIL,
                text=f"{ASKS[n % 5]} {TOPICS[(n // 5) % 10]} im Stadtteil {n // 50}? (Nr. {n})",
                author=f"Person {n}",
                received_at=base + timedelta(seconds=n),
            )
        )
        if n % 20 == 19:
            batch.append(
                IncomingMessage(
                    source_key=f"bench:{n}:vote",
                    channel=Channel.CHAT,
                    text="+1",
                    author=f"Person {n}b",
                    received_at=base + timedelta(seconds=n, milliseconds=500),
                    kind_hint=Kind.VOTE,
                )
            )
    t0 = time.perf_counter()
    for start in range(0, len(batch), 2000):
        service.import_messages(batch[start : start + 2000], source="bench")
    ids = [g.id for g in service.summaries()]
    rng = random.Random(1)
    picked = rng.sample(ids, 200 + live)
    for source, target in zip(picked[:100], picked[100:200], strict=True):
        service.merge(source, target)
    for gid in picked[200:]:
        service.send_live(gid)
    service.advance(picked[200])
    db.refresh_statistics()
    print(f"built {count} questions in {time.perf_counter() - t0:.1f} s", flush=True)
    return db, service


def timed(read: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    read()
    return time.perf_counter() - t0


def compare(
    db: Database, event_id: int, open_ids: list[int], size: int | None, rounds: int, seed: int
) -> tuple[list[float], list[float], int]:
    """Times of the batched and the one-statement way, and the rows per read."""
    rng = random.Random(seed)
    times: dict[bool, list[float]] = {False: [], True: []}
    rows = 0

    def read(one: bool, ids: list[int] | None) -> None:
        nonlocal rows
        with db.reading() as session:
            if ids is None:
                result = Repository(session).summaries(event_id, one_query=one)
            else:
                result = Repository(session).summaries(
                    event_id, group_ids=ids, plus_states=LIVE, one_query=one
                )
            rows = len(result)

    for n in range(rounds):
        ids = None if size is None else rng.sample(open_ids, size)
        order = (False, True) if n % 2 else (True, False)
        for one in order:
            times[one].append(timed(lambda one=one, ids=ids: read(one, ids)))
    return times[False], times[True], rows


def report(db: Database, service: EventService, sizes: list[int | None], rounds: int) -> None:
    with db.reading() as session:
        summaries = Repository(session).summaries(service.event_id)
    open_ids = [g.id for g in summaries if g.state not in LIVE]
    live = sum(1 for g in summaries if g.state in LIVE)
    print(
        f"{len(summaries)} open groups, {live} in the live queue; one statement up to "
        f"{ONE_QUERY_MAX_IDS} ids",
        flush=True,
    )
    print(f"{'ids':>6} {'rows':>6}   {'batched median / p90':>22}   {'one query median / p90':>24}")
    for size in sizes:
        if size is not None and size > len(open_ids):
            continue
        many = size is None or size > 500
        n = max(10, rounds // 10) if many else rounds
        compare(db, service.event_id, open_ids, size, 3, seed=0)  # warm caches and plans
        old, new, rows = compare(db, service.event_id, open_ids, size, n, seed=size or 0)
        label = "all" if size is None else str(size)
        print(
            f"{label:>6} {rows:>6}   {ms(old):>22}   {ms(new):>24}   ({n} rounds each)",
            flush=True,
        )


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"{statistics.median(values) * 1000:6.2f} / {p90 * 1000:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--live", type=int, default=20, help="groups in the live queue")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("MODERATOR_TEST_POSTGRES_URL", DEFAULT_URL),
        help="the server to create the scratch database on",
    )
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead")
    parser.add_argument(
        "--sizes",
        action="store_true",
        help="also 100 to 8,000 ids and the whole event (where the threshold comes from)",
    )
    parser.add_argument(
        "--under-load",
        action="store_true",
        help="PostgreSQL: measure again while bench_load.py writes into the event",
    )
    parser.add_argument("--load-seconds", type=float, default=60.0)
    args = parser.parse_args()
    sizes: list[int | None] = [1, 5, 30]
    if args.sizes:
        sizes += [100, 400, 1000, 2000, 5000, 8000, None]
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            db, service = build(f"sqlite:///{Path(tmp) / 'bench.db'}", args.questions, args.live)
            print("SQLite, idle")
            report(db, service, sizes, args.rounds)
            db.dispose()
        return
    run_on_postgres(args, sizes)


def run_on_postgres(args: argparse.Namespace, sizes: list[int | None]) -> None:
    from pg_scratch import scratch_database, start_load

    with scratch_database(args.postgres, "moderator_readback") as url:
        load = None
        try:
            db, service = build(url, args.questions, args.live)
            print("PostgreSQL, idle")
            report(db, service, sizes, args.rounds)
            if args.under_load:
                load = start_load(url, args.load_seconds, capture=True)
                time.sleep(12)  # the writers start up (bench_load --warmup 10), then begin
                print("PostgreSQL, under load: 3 moderators + 2 importers, 20 questions/s")
                report(db, service, [1, 5, 30], args.rounds)
                output, _ = load.communicate(timeout=args.load_seconds + 200)
                print("bench_load:\n" + output)
            db.dispose()
        finally:
            if load is not None and load.poll() is None:
                load.kill()


if __name__ == "__main__":
    main()
