"""Large imports: time, messages/s and peak memory of `moderator import` on a generated
Zoom chat log, in a fresh SQLite database, one process per size.

Usage: PYTHONPATH=src python benchmarks/bench_import_large.py [--sizes 100000 1000000]
       [--similar] [--folder DIR] [--keep]

The log is generated into a temporary folder (never into the repository): the usual mix
of a webinar chat (questions, chatter, "+1", replies and reactions; about 200 bytes a
message, so a million messages make some 200 MB), or with `--similar` questions that all
look alike (a handful of templates about the same bus), the case that made duplicate
candidate search quadratic. Each size is imported by a `moderator import` subprocess;
its peak resident memory comes from `os.wait4`. A second run of the same import shows
what re-running an (interrupted) import costs: every message is found and skipped.
Goals (issue #16): time grows about linearly with the size; memory stays bounded.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_similarity import make_question

ROOT = Path(__file__).resolve().parents[1]
CHATTER = [
    "Guten Abend zusammen aus der Pfalz, schön dass das heute online klappt!",
    "Man hört euch leider nicht, könnt ihr bitte das Mikrofon einschalten?",
    "Danke für den spannenden Vortrag, sehr informativ und gut verständlich!",
    "Hallo aus dem Betzenberg :) Grüße an alle, die heute zuschauen",
    "Die Folien sind bei mir nicht zu sehen, nur ein schwarzer Bildschirm",
]
EXTRA = [
    " Ich wohne in der Innenstadt und frage mich das schon lange.",
    " Das wurde bei der letzten Veranstaltung leider nicht beantwortet.",
    " Vielen Dank schon einmal für die Antwort und den tollen Abend!",
    "",
]
SIMILAR = [
    "Wann fährt der autonome Bus durch die Innenstadt nach {place}?",
    "Ab wann fährt der autonome Bus nach {place} und wie oft?",
    "Fährt der autonome Bus auch nach {place}, und ab wann?",
]
PLACES = ["Hohenecken", "Dansenberg", "Erfenbach", "Siegelbach", "Mölschbach", "Einsiedlerhof"]


def generate(path: Path, count: int, *, similar: bool, seed: int = 5) -> None:
    """Write a Zoom chat log (current layout) of `count` messages to `path`."""
    rng = random.Random(seed)
    seconds = 18 * 3600
    recent: list[str] = []
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\ufeff")
        for _ in range(count):
            seconds += rng.randint(0, 1)
            stamp = f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            roll = rng.random()
            if similar:
                text = rng.choice(SIMILAR).format(place=rng.choice(PLACES))
                text += rng.choice(EXTRA)
            elif roll < 0.45:
                text = make_question(rng) + rng.choice(EXTRA)
                recent = ([*recent, text])[-50:]
            elif roll < 0.80:
                text = rng.choice(CHATTER)
            elif roll < 0.90:
                text = "+1"
            elif roll < 0.95 and recent:
                quoted = rng.choice(recent)[:20]
                text = f'Replying to "{quoted}...": Das würde mich auch interessieren!'
            elif recent:
                text = f'Reacted to "{rng.choice(recent)[:20]}..." with 👍'
            else:
                text = "+1"
            sender = (
                f"Teilnehmerin {rng.randint(1, 5000)} (Referat Digitalisierung, "
                "Stadtverwaltung Kaiserslautern)"
            )
            out.write(f"{stamp} From  {sender}  to  Everyone:\r\n\t{text}\r\n")


def run_import(db: Path, log: Path) -> tuple[float, float, int, str]:
    """(seconds, CPU seconds, peak RSS in KiB, first summary line) of one `moderator
    import` process. CPU seconds say more than wall time on a shared machine."""
    # the import alone: the meaning pass after it is measured by its own benchmark
    env = dict(
        os.environ, PYTHONPATH=str(ROOT / "src"), MODERATOR_NAME="bench", MODERATOR_EMBEDDER="none"
    )
    command = [sys.executable, "-m", "moderator", "import", "--db", f"sqlite:///{db}", str(log)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own peak, not the maximum
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode not in (0, 1):
            sys.exit(f"import failed ({proc.returncode}): {err.read().decode()[-2000:]}")
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, cpu, usage.ru_maxrss, out.read().decode().strip().splitlines()[0]


def moderator_waits(folder: Path, size: int) -> None:
    """A moderator's writes (queue moves, one after the other) while `moderator import`
    of `size` messages runs in another process: how long each took (lock wait included)."""
    from moderator.config import load_default_config
    from moderator.domain.models import QueueState
    from moderator.services import open_event
    from moderator.storage.db import Database

    log, path = folder / f"chat_wait_{size}.txt", folder / f"wait_{size}.sqlite"
    path.unlink(missing_ok=True)
    generate(log, size, similar=False)
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    anna = open_event(db, load_default_config(), moderator="Anna")
    group = anna.add_manual("Wie laut sind die autonomen Busse?")
    env = dict(
        os.environ, PYTHONPATH=str(ROOT / "src"), MODERATOR_NAME="bench", MODERATOR_EMBEDDER="none"
    )
    command = [sys.executable, "-m", "moderator", "import", "--db", f"sqlite:///{path}", str(log)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    waits: list[float] = []
    states = [QueueState.LATER, QueueState.NEW]
    while proc.poll() is None:
        start = time.perf_counter()
        anna.move(group.id, states[len(waits) % 2])
        waits.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)
    waits.sort()
    print(
        f"moderator writes during an import of {size:,} messages: {len(waits)} moves, "
        f"median {waits[len(waits) // 2]:.1f} ms, p95 {waits[int(len(waits) * 0.95)]:.1f} ms, "
        f"max {waits[-1]:.1f} ms, 0 failed",
        flush=True,
    )
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--similar", action="store_true", help="questions that all look alike")
    parser.add_argument("--folder", type=Path, help="work here (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--no-rerun", action="store_true", help="skip the second import")
    parser.add_argument(
        "--moderator", type=int, metavar="N", help="only: a moderator's writes during an import"
    )
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="bench_import_large_"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.moderator:
        moderator_waits(folder, args.moderator)
        return
    kind = "similar" if args.similar else "mixed"
    for size in args.sizes:
        log = folder / f"chat_{kind}_{size}.txt"
        db = folder / f"import_{kind}_{size}.sqlite"
        db.unlink(missing_ok=True)
        t0 = time.perf_counter()
        generate(log, size, similar=args.similar)
        made = time.perf_counter() - t0
        mb = log.stat().st_size / 1e6
        seconds, cpu, peak, line = run_import(db, log)
        print(
            f"{kind} N={size:>9,}  log {mb:7.1f} MB (generated in {made:5.1f} s)  "
            f"import {seconds:8.1f} s ({cpu:8.1f} s CPU)  {size / seconds:8,.0f} messages/s "
            f"({size / cpu:6,.0f} per CPU second)  peak RSS {peak / 1024:7.1f} MB",
            flush=True,
        )
        print(f"    {line}", flush=True)
        if not args.no_rerun:
            again, cpu2, peak2, line2 = run_import(db, log)
            print(
                f"    re-run: {again:8.1f} s ({cpu2:8.1f} s CPU)  peak RSS {peak2 / 1024:7.1f} MB"
                f"  | {line2}",
                flush=True,
            )
        if not args.keep:
            log.unlink()
            db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
