"""Parse a generated 10,000-message Zoom chat (plus classification) and print timings.

Usage: PYTHONPATH=src python benchmarks/bench_parse.py [messages] [repeats]
Reports the median of the repeats.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from moderator.domain.classify import classify
from moderator.ingest.detect import parse_file

NAMES = ["Petra Kühn", "Jonas Weber", "Anna Roth", "Stadtwerke an der Lauter", "Miriam Schäfer"]
TEXTS = [
    "Wird es eine Liste der Händler geben, die bei der Lokalen Logistik mitmachen?",
    "Guten Abend zusammen!",
    "Man hört euch leider nicht",
    "+1",
    "Mich würde interessieren wie die Daten geschützt werden",
    "Wann startet der Dritte Ort?\n\tGibt es schon einen Zeitplan?",
]


def generate(count: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    lines = []
    seconds = 17 * 3600
    for index in range(count):
        seconds += rng.randint(0, 3)
        stamp = f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        sender = rng.choice(NAMES)
        if index and index % 10 == 0:
            text = 'Reacted to "Wird es eine Liste d..." with 👍'
        elif index and index % 15 == 0:
            text = 'Replying to "Mich würde interessi..."\n\t\n\tDas würde mich auch interessieren'
        else:
            text = f"{rng.choice(TEXTS)} ({index})"
        lines.append(f"{stamp} From  {sender}  to  Everyone:\n\t{text}\n")
    return "".join(lines)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "meeting_saved_chat.txt"
        path.write_text(generate(count), encoding="utf-8")
        size = path.stat().st_size
        parse_times, classify_times = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            result = parse_file(path, day=date(2025, 3, 4))
            parse_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            for message in result.messages:
                classify(message.text)
            classify_times.append(time.perf_counter() - start)
    assert len(result.messages) == count, len(result.messages)
    parse_ms = statistics.median(parse_times) * 1000
    classify_ms = statistics.median(classify_times) * 1000
    print(f"zoom chat: {count} messages, {size / 1e6:.2f} MB, median of {repeats}")
    print(f"parse_file: {parse_ms:.0f} ms ({parse_ms * 1000 / count:.1f} µs/message)")
    print(f"classify:   {classify_ms:.0f} ms ({classify_ms * 1000 / count:.1f} µs/message)")


if __name__ == "__main__":
    main()
