"""End to end: a generated 10,000-message Zoom chat into a fresh SQLite database, then every
export format from that database. Prints the median of the repeats.

Usage: PYTHONPATH=src python benchmarks/bench_import.py [messages] [repeats]
Target (issue "Ingest"): import under 3 s; (issue "After the event"): every export < 5 s.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_similarity import make_question

from moderator.config import load_default_config
from moderator.services import open_event
from moderator.services.exporting import export_to
from moderator.services.ingesting import import_paths
from moderator.storage.db import Database

CHATTER = [
    "Guten Abend zusammen!",
    "Man hört euch leider nicht",
    "Danke für den Vortrag!",
    "Hallo aus dem Betzenberg :)",
    "Folien sind nicht zu sehen",
]


def generate(count: int, seed: int = 3) -> str:
    rng = random.Random(seed)
    out = ["\ufeff"]
    seconds = 18 * 3600
    for index in range(count):
        seconds += rng.randint(0, 2)
        stamp = f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        roll = rng.random()
        if roll < 0.55:
            text = make_question(rng)
        elif roll < 0.85:
            text = rng.choice(CHATTER)
        else:
            text = "+1"
        out.append(f"{stamp} From  Person {rng.randint(1, 400)}  to  Everyone:\r\n\t{text}\r\n")
        del index
    return "".join(out)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    imports: list[float] = []
    shown: list[float] = []  # until the last batch was stored (before the comparison)
    cpu: list[float] = []  # CPU seconds say more than wall time on a shared machine
    exports: dict[str, list[float]] = {f: [] for f in ("json", "md", "html", "csv", "xlsx")}
    with tempfile.TemporaryDirectory() as folder:
        chat = Path(folder) / "meeting_saved_chat.txt"
        chat.write_text(generate(count), encoding="utf-8")
        for run in range(repeats):
            db = Database(f"sqlite:///{folder}/bench{run}.db")
            db.upgrade()
            service = open_event(db, load_default_config(), moderator="bench")
            stored: list[float] = []  # when each batch was committed (its questions show)
            start, start_cpu = time.perf_counter(), time.process_time()
            (summary,) = import_paths(
                service, [chat], progress=lambda _r, s=stored: s.append(time.perf_counter())
            )
            imports.append(time.perf_counter() - start)
            shown.append(stored[-1] - start)
            cpu.append(time.process_time() - start_cpu)
            for fmt in exports:
                start = time.perf_counter()
                export_to(service, fmt=fmt, status="all")
                exports[fmt].append(time.perf_counter() - start)
            db.dispose()
    print(
        f"messages: {count}; last run: {summary.new} new, {summary.questions} questions, "
        f"{summary.with_suggestion} with a duplicate suggestion"
    )
    print(
        f"every question stored and shown (parse + classify + tag + store), median of "
        f"{repeats}: {statistics.median(shown):.2f} s (target < 3 s)"
    )
    print(
        f"import returned (then compared by words), median of {repeats}: "
        f"{statistics.median(imports):.2f} s, {statistics.median(cpu):.2f} s CPU"
    )
    total = 0.0
    for fmt, times in exports.items():
        median = statistics.median(times)
        total += median
        print(f"export {fmt:5} (status all, from the database): {median:.2f} s")
    print(f"export, all formats: {total:.2f} s (target < 5 s each)")


if __name__ == "__main__":
    main()
