"""Console performance with a 10,000-question event (headless, `app.run_test()`).

Prints: start to interactive (for a large event: to its first screen, then to the whole
event in the list, with the keys and the screen's pauses meanwhile), key-press to updated
screen (medians), arrival latency of a question committed by another service on the same
SQLite file, and the process RSS.

    PYTHONPATH=src python benchmarks/bench_tui.py [--questions 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from moderator.config import load_default_config
from moderator.domain.models import Channel, IncomingMessage
from moderator.services import open_event
from moderator.storage.db import Database
from moderator.ui.app import ModeratorApp

TOPICS = [
    "Paketstationen in der Innenstadt",
    "Livestream der Stadtratssitzungen",
    "autonome Busse am Wochenende",
    "Lotsensystem für Blinde",
    "Sensoren an Straßenlaternen",
    "digitaler Zwilling der Stadt",
    "Ladesäulen für E-Autos",
    "Dritter Ort am Stiftsplatz",
    "Urbane Datenplattform Open Source",
    "LoRaWAN-Netz für Bürger",
]
ASKS = ["Wann kommen die", "Was kostet", "Wer betreibt", "Wie funktioniert", "Gibt es Pläne für"]


def build(url: str, count: int):
    db = Database(url)
    db.upgrade()
    service = open_event(db, load_default_config(), moderator="Bench")
    base = datetime(2020, 6, 19, 16, 0, tzinfo=UTC)
    batch = []
    for n in range(count):
        text = f"{ASKS[n % 5]} {TOPICS[(n // 5) % 10]} im Stadtteil {n // 50}? (Nr. {n})"
        batch.append(
            IncomingMessage(
                source_key=f"bench:{n}",
                channel=Channel.CHAT if n % 4 else Channel.EMAIL,
                text=text,
                author=f"Person {n}",
                received_at=base + timedelta(seconds=n),
            )
        )
    t0 = time.perf_counter()
    for start in range(0, count, 2000):
        service.import_messages(batch[start : start + 2000], source="bench")
    print(f"built {count} questions in {time.perf_counter() - t0:.1f} s")
    return db, service


async def wait_for(pilot, condition, limit: float = 10.0) -> float:
    t0 = time.perf_counter()
    while not condition():
        if time.perf_counter() - t0 > limit:
            raise TimeoutError
        await pilot.pause(0.005)
    return time.perf_counter() - t0


class PaintClock:
    """Times from a key event to the first frame rendered after the screen reflects it.

    Independent of the test harness's idle detection (which waits in 20 ms slices), this
    measures what the moderator sees: the key is queued, and the clock stops at the first
    frame the compositor renders once the state shows the key's effect (checked as the
    frame is rendered: the frame often comes before this coroutine runs again), and, for a
    cursor move, only at a frame that repaints the cursor's screen line.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.stages: list = []  # conditions still to see painted, in order
        self.marks: list[float] = []
        self.line = None
        original = app._display  # called with every rendered frame (headless: not sent)

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            while self.stages and self.stages[0]():
                if self.line is not None and not repaints(renderable, self.line()):
                    return
                self.marks.append(time.perf_counter())
                self.stages.pop(0)

        app._display = display

    async def key(self, key: str, shown, line=None, limit: float = 10.0) -> float:
        """`shown()`: the state reflects the key; `line()`: the screen line that must be
        repainted (None: any frame will do)."""
        return (await self.key_stages(key, shown, line=line, limit=limit))[0]

    async def key_stages(self, key: str, *conditions, line=None, limit: float = 10.0):
        """Times from the key to the first painted frame at which each condition holds (in
        order), e.g. the forecast shown, then the saved row shown."""
        from textual import events

        self.marks, self.stages, self.line = [], list(conditions), line
        t0 = time.perf_counter()
        event = events.Key(key, None)
        event.set_sender(self.app)
        self.app._driver.send_message(event)
        while self.stages:
            if time.perf_counter() - t0 > limit:
                self.stages = []
                raise TimeoutError(key)
            await asyncio.sleep(0.0005)
        return [mark - t0 for mark in self.marks]


class LoopLag:
    """The longest the event loop (the screen) did not run a 5 ms timer on time."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            self.longest = max(self.longest, time.perf_counter() - t - 0.005)

    def stop(self) -> None:
        self._task.cancel()


def repaints(update, y: int) -> bool:
    """Whether a rendered frame (a full layout or a set of changed line spans) covers line y."""
    spans = getattr(update, "spans", None)
    if spans is None:  # a full update
        return True
    return any(span[0] == y for span in spans)


def cursor_line(lst):
    """The screen line of the list's cursor."""
    return lambda: lst.content_region.y + lst.cursor - int(lst.scroll_y)


async def measure(db: Database, service, count: int, load=None) -> None:
    """`load`: the writers' process (--under-load); then only key-to-painted-frame times are
    taken (the harness's idle detection never settles under load), and the load must still
    be running when they are done."""
    app = ModeratorApp(service, poll_interval=0.2)
    t0, cpu0 = time.perf_counter(), time.process_time()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        lst = screen.main_list
        # Interactive: the first screen is painted (the newest questions, the live queue,
        # the whole event's counts in the status line) and takes keys; a large event is
        # read whole after it (`Reader.load_first`).
        await wait_for(
            pilot,
            lambda: lst.rows and sum(screen._state_counts.values()) >= count * 0.9,
            limit=120,
        )
        await pilot.pause()
        start, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        print(
            f"start to interactive: {start * 1000:.0f} ms ({len(lst.rows)} rows shown, "
            f"CPU {cpu * 1000:.0f} ms)"
        )
        if len(lst.rows) < count * 0.9:
            lag = LoopLag()
            paint = PaintClock(app)
            moves = [await paint.key("down", moved_off(lst), cursor_line(lst)) for _ in range(5)]
            print(
                "cursor move while the rest loads, key to painted frame: median "
                f"{statistics.median(moves) * 1000:.1f} ms (max {max(moves) * 1000:.1f} ms)"
            )
            await wait_for(pilot, lambda: len(lst.rows) >= count * 0.9, limit=120)
            whole, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            lag.stop()
            print(
                f"whole event in the list: {whole * 1000:.0f} ms ({len(lst.rows)} rows, CPU "
                f"{cpu * 1000:.0f} ms); the screen's longest pause meanwhile "
                f"{lag.longest * 1000:.0f} ms"
            )
        await app.workers.wait_for_complete()
        print(
            f"duplicate index filled (the workers done): {(time.perf_counter() - t0):.1f} s "
            f"(CPU {time.process_time() - cpu0:.1f} s)"
        )
        if load is not None:
            await measure_painted(app, pilot, screen)
            running = load.poll() is None
            print(f"writers still running after the measurements: {'yes' if running else 'NO'}")
            await measure_arrivals(db, pilot, screen)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS: {rss:.0f} MB")
            return

        idle = []
        for _ in range(20):
            t = time.perf_counter()
            await pilot.press("z")  # unbound: the cost of a press in the test harness
            idle.append(time.perf_counter() - t)
        print(f"unbound key (harness overhead): median {statistics.median(idle) * 1000:.1f} ms")

        moves = []
        for _ in range(40):
            t = time.perf_counter()
            await pilot.press("down")
            moves.append(time.perf_counter() - t)
        print(f"cursor move (press + repaint): median {statistics.median(moves) * 1000:.1f} ms")

        await measure_painted(app, pilot, screen)
        await pilot.pause(0.3)
        for label, key in (("tag (digit)", "3"), ("queue move (a)", "a")):
            times = []
            for _ in range(15):
                row = screen.main_list.current
                version = row.version
                t = time.perf_counter()
                await pilot.press(key)
                await wait_for(
                    pilot,
                    lambda r=row, v=version: (
                        (g := screen.model.groups.get(r.id)) is not None and g.version != v
                    ),
                )
                times.append(time.perf_counter() - t)
                await app.workers.wait_for_complete()
                if key == "3":
                    await pilot.press("down")
            print(f"{label}, persisted and shown: median {statistics.median(times) * 1000:.1f} ms")
        await measure_arrivals(db, pilot, screen)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MB")


def moved_off(lst):
    """A condition: the cursor left the row it is on now. (Not "the index grew by one":
    arrivals inserted above keep the cursor on its row but move its index.)"""
    start = lst.current.id
    return lambda: lst.current is not None and lst.current.id != start


async def measure_painted(app, pilot, screen) -> None:
    """Key to the first painted frame that shows its effect: cursor, tag, queue move."""
    paint = PaintClock(app)
    await pilot.pause(0.3)
    lst = screen.main_list
    moves, details = [], []
    for _ in range(20):
        moves.append(await paint.key("down", moved_off(lst), cursor_line(lst)))
        t = time.perf_counter()
        # The detail of the row the cursor is on: under load the writers may move that
        # question out of the view meanwhile, and the cursor onto the next one.
        await wait_for(
            pilot,
            lambda: (
                lst.current is not None
                and getattr(screen.detail_group, "id", None) == lst.current.id
            ),
        )
        details.append(time.perf_counter() - t + moves[-1])
        await pilot.pause(0.02)
    print(
        f"cursor move, key to painted frame: median {statistics.median(moves) * 1000:.1f} ms"
        f" (max {max(moves) * 1000:.1f} ms)"
    )
    print(
        f"cursor move, key to detail shown (debounce "
        f"{getattr(screen, 'detail_delay', 0) * 1000:.0f} ms "
        f"included): median {statistics.median(details) * 1000:.1f} ms"
    )
    await app.workers.wait_for_complete()
    for label, key in (("tag (digit)", "3"), ("queue move (a)", "a")):
        shown_times, saved_times = [], []
        for _ in range(15):
            row = lst.current

            def shown(r=row) -> bool:  # the row on screen changed: the forecast (or more)
                return screen.model.groups.get(r.id) != r

            def saved(r=row) -> bool:  # the stored row is back, with its new version, and the
                # confirmation is on screen ("✓ #17 → Später" in the list's title)
                g = screen.model.groups.get(r.id)
                return (
                    g is not None
                    and g.version != r.version
                    and r.id not in screen.model.pending
                    and f"#{r.id} " in (screen.last_saved or "")
                )

            first, last = await paint.key_stages(key, shown, saved)
            shown_times.append(first)
            saved_times.append(last)
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
            if key == "3":
                await paint.key("down", moved_off(lst), cursor_line(lst))
        for what, times in (("shown (forecast)", shown_times), ("saved-and-painted", saved_times)):
            print(
                f"{label}, key to {what} frame: "
                f"median {statistics.median(times) * 1000:.1f} ms, "
                f"p90 {sorted(times)[int(0.9 * len(times))] * 1000:.1f} ms"
            )


async def measure_arrivals(db: Database, pilot, screen) -> None:
    """A question committed by another service, until the console has it (in its list if
    it is still in the inbox)."""
    other = open_event(db, load_default_config(), moderator="Other")
    arrivals = []
    for n in range(8):
        summary = other.import_messages(
            [
                IncomingMessage(
                    source_key=f"late:{time.time_ns()}:{n}",
                    channel=Channel.CHAT,
                    text=f"Neue Frage zur Parkplatzsuche Nummer {n}?",
                    author="Spät",
                )
            ]
        )
        t = time.perf_counter()
        gid = summary.group_ids[0]
        # In the console's model, and so in its list if the inbox shows it: under load the
        # writers may move a new question on before the console reads it.
        await wait_for(pilot, lambda g=gid: g in screen.model.groups)
        arrivals.append(time.perf_counter() - t)
        await pilot.pause(0.05)
    print(
        f"arrival from another service to screen: median "
        f"{statistics.median(arrivals) * 1000:.0f} ms, max {max(arrivals) * 1000:.0f} ms "
        f"(poll interval 200 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--keep", metavar="FILE", help="build into FILE once, reuse it later")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on a scratch database of this PostgreSQL server instead of SQLite",
    )
    parser.add_argument(
        "--under-load",
        action="store_true",
        help="with --postgres: 3 moderators + 2 importers (benchmarks/bench_load.py, "
        "20 questions/s) write into the same event while the console is measured",
    )
    parser.add_argument(
        "--writers-nice",
        type=int,
        default=0,
        metavar="N",
        help="with --under-load: run the writers' processes at nice N (they stand for other "
        "laptops; 0 lets them compete for this machine's CPU like the console's own work)",
    )
    args = parser.parse_args()
    if args.postgres:
        run_on_postgres(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.db"
        if path.exists():
            t0 = time.perf_counter()
            db = Database(f"sqlite:///{path}")
            service = open_event(db, load_default_config(), moderator="Bench")
            opened = time.perf_counter() - t0
            print(f"open the event (before the console starts): {opened * 1000:.0f} ms")
        else:
            db, service = build(f"sqlite:///{path}", args.questions)
        asyncio.run(measure(db, service, args.questions))
        db.dispose()


def run_on_postgres(args: argparse.Namespace) -> None:

    from pg_scratch import scratch_database, start_load

    with scratch_database(args.postgres, "moderator_tui") as url:
        load = None
        try:
            db, service = build(url, args.questions)
            if args.under_load:
                load = start_load(url, 90, nice=args.writers_nice)
                time.sleep(11)  # the writers start up (bench_load --warmup 10), then begin
                print(
                    "under load: 3 moderators + 2 importers, 20 questions/s"
                    + (f" (writers at nice {args.writers_nice})" if args.writers_nice else "")
                )
            asyncio.run(measure(db, service, args.questions, load))
            db.dispose()
            if load is not None:
                load.wait(timeout=200)
        finally:
            if load is not None and load.poll() is None:
                load.kill()


if __name__ == "__main__":
    main()
