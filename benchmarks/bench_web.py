"""The browser pages: from a moderator's key (the service call) to the changed page, and
many open pages over time.

1. Latency, on SQLite and (with --postgres URL) PostgreSQL: the web server runs in its own
   process (`moderator overlay`), as at an event; a second moderator's service puts the next
   question on air (what Enter does), and a headless Chromium (the system's, through
   Playwright) with /overlay and /stage open notes when each page changed: the overlay's
   first changed pixels (its fade starts), the overlay showing the new wording (after the
   150 ms fade-out), the stage showing it. Medians, 90th percentile and worst.
2. Soak (--soak SECONDS, --pages N): N event streams open on the server (plain SSE
   clients, which is what the server sees of a page) while the question on air changes
   every second; the server's resident memory is sampled every 10 s.

    PYTHONPATH=src python benchmarks/bench_web.py [--rounds 30] [--postgres URL]
        [--soak 600 --pages 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from pg_scratch import scratch_database

from moderator.config import load_default_config
from moderator.domain.models import Channel, IncomingMessage, QueueState
from moderator.services import open_event
from moderator.storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
WATCH = """() => {
  window.__marks = [];
  const mark = (what) => window.__marks.push({what, t: performance.timeOrigin + performance.now()});
  const question = document.getElementById("question");
  new MutationObserver(() => requestAnimationFrame(() => mark("dom"))).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ["class"],
  });
  new MutationObserver(() => requestAnimationFrame(() => mark("text:" + question.textContent)))
    .observe(question, {childList: true, characterData: true, subtree: true});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(url: str, count: int):
    db = Database(url)
    db.upgrade()
    service = open_event(db, load_default_config(), moderator="Bench")
    service.import_messages(
        [
            IncomingMessage(
                source_key=f"web:{n}",
                channel=Channel.CHAT,
                text=f"Frage {n}: Wann kommt die Paketstation Nummer {n} in den Stadtteil?",
                author=f"Person {n}",
            )
            for n in range(count)
        ],
        source="bench",
    )
    ids = [g.id for g in service.summaries()]
    for gid in ids:
        service.send_live(gid)
    return db, service, ids


def start_server(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "moderator.cli", "--db", url, "overlay", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def latency(url: str, label: str, rounds: int, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    db, service, ids = build(url, rounds + 2)
    port = free_port()
    server = start_server(url, port)
    first, text, stage = [], [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium)
            overlay_page = browser.new_page(viewport={"width": 1280, "height": 720})
            stage_page = browser.new_page(viewport={"width": 1280, "height": 720})
            overlay_page.goto(f"http://127.0.0.1:{port}/overlay")
            stage_page.goto(f"http://127.0.0.1:{port}/stage")
            for page in (overlay_page, stage_page):
                page.wait_for_function("() => document.body.dataset.seq !== undefined")
                page.evaluate(WATCH)
            for n in range(rounds):
                gid = ids[n]
                title = service.group(gid).title
                for page in (overlay_page, stage_page):
                    page.evaluate("() => { window.__marks = []; }")
                time.sleep(random.uniform(0.15, 0.45))  # not in step with any poll
                started = time.time() * 1000
                service.advance(gid)  # on air (the previous one leaves the air)
                for page in (overlay_page, stage_page):
                    page.wait_for_function(
                        "([t]) => window.__marks.some((m) => m.what === 'text:' + t)",
                        arg=[title],
                        timeout=5000,
                    )
                marks = overlay_page.evaluate("() => window.__marks")
                first.append(marks[0]["t"] - started)
                text.append(next(m["t"] for m in marks if m["what"] == "text:" + title) - started)
                marks = stage_page.evaluate("() => window.__marks")
                stage.append(next(m["t"] for m in marks if m["what"] == "text:" + title) - started)
            browser.close()
        assert service.stage().on_air is not None
        assert service.group(ids[0]).state == QueueState.ANSWERED_LIVE or rounds == 1
    finally:
        server.terminate()
        server.wait(timeout=10)
        service.close()
        db.dispose()

    def line(name: str, values: list[float]) -> str:
        values = sorted(values)
        p90 = values[max(0, int(len(values) * 0.9) - 1)]
        return (
            f"  {name:<38} median {statistics.median(values):6.0f} ms   "
            f"p90 {p90:6.0f} ms   worst {values[-1]:6.0f} ms"
        )

    print(f"{label}: key to page, {rounds} rounds (server in its own process)")
    print(line("overlay: first changed pixels (fade)", first))
    print(line("overlay: new wording shown", text))
    print(line("stage: new wording shown", stage))


def soak(url: str, seconds: float, pages: int) -> None:
    import aiohttp

    db, service, ids = build(url, 400)
    port = free_port()
    server = start_server(url, port)
    received = [0] * pages
    samples: list[tuple[float, int]] = []

    async def client(index: int, session: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        async with session.get(f"http://127.0.0.1:{port}/events") as response:
            while not stop.is_set():
                line = await response.content.readline()
                if not line:
                    return
                if line.startswith(b"event: state"):
                    received[index] += 1

    async def main() -> None:
        stop = asyncio.Event()
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            tasks = [asyncio.create_task(client(i, session, stop)) for i in range(pages)]
            await asyncio.sleep(2)
            started = time.monotonic()
            next_sample = started
            n = 0
            while time.monotonic() - started < seconds:
                await asyncio.to_thread(service.advance, ids[n % len(ids)])
                if n % len(ids) == len(ids) - 1:  # the queue ran out: fill it again
                    for gid in ids:
                        await asyncio.to_thread(service.move, gid, QueueState.LIVE)
                n += 1
                if time.monotonic() >= next_sample:
                    samples.append((time.monotonic() - started, rss_kb(server.pid)))
                    next_sample += 10
                await asyncio.sleep(1.0)
            samples.append((time.monotonic() - started, rss_kb(server.pid)))
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            print(f"soak: {pages} event streams for {seconds:.0f} s, {n} changes on air")

    try:
        asyncio.run(main())
    finally:
        server.terminate()
        server.wait(timeout=10)
        service.close()
        db.dispose()
    print("  server RSS (MB) at  " + ", ".join(f"{t:.0f} s: {kb / 1024:.1f}" for t, kb in samples))
    settled = min(60.0, seconds / 2)  # the first minute (or half a short run) warms up
    after = [(t, kb) for t, kb in samples if t >= settled] or samples[-1:]
    print(
        f"  growth from {after[0][0]:.0f} s to {after[-1][0]:.0f} s: "
        f"{(after[-1][1] - after[0][1]) / 1024:+.1f} MB; "
        f"states received per stream: min {min(received)}, max {max(received)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", metavar="URL", help="also on PostgreSQL (a temp database)")
    parser.add_argument("--soak", type=float, default=0, metavar="SECONDS")
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.rounds:
            latency(f"sqlite:///{Path(tmp) / 'web.db'}", "SQLite", args.rounds, args.chromium)
        if args.soak:
            soak(f"sqlite:///{Path(tmp) / 'soak.db'}", args.soak, args.pages)
    if args.postgres and args.rounds:
        with scratch_database(args.postgres, "moderator_web") as url:
            latency(url, "PostgreSQL", args.rounds, args.chromium)


if __name__ == "__main__":
    main()
