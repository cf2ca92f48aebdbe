"""Benchmark duplicates by meaning: a question arriving live, start-up, memory, the meaning pass.

Usage: PYTHONPATH=src python benchmarks/bench_meaning.py [--sizes 10000 100000]
       [--queries 300] [--pool 2000] [--pass-messages 10000] [--embedder e5]

Run it on one core (`taskset -c 0`); the encoder gets one thread. Four measurements:

1. A question arriving live, against N stored questions: encode it, then `DuplicateIndex.query`
   with its vector (lexical candidates united with the nearest by meaning, every candidate
   scored by the fused model): p50 and p95 per question, encoding included. Beside it the
   lexical path alone (no vector), as the product runs without an encoder.
   Stored questions are generated (benchmarks/bench_similarity.py); their vectors are the
   real vectors of a pool of `--pool` distinct generated questions, each stored question
   taking one with a little noise (encoding 100,000 questions would take an hour on one core,
   and a query's cost does not depend on which vectors it meets). Arriving questions are
   encoded for real, one by one.
   Targets: p95 <= 50 ms at 10,000 and <= 150 ms at 100,000; lexical alone <= 5 / 20 ms.
2. Start-up with N stored questions and their vectors in a SQLite file: a new service reads
   them into its index (`warm_up`, as the console does after its first screen), no encoding.
   Target: <= 1.5 s at 10,000.
3. Memory: the peak resident size of the process of step 2 (a console's service with the
   encoder loaded and the index filled), target <= 300 MB at 10,000.
4. The meaning pass after importing a generated `--pass-messages`-message Zoom chat
   (benchmarks/bench_import.py): how long the import takes to store and show every question
   (target <= 3 s), then to compare them by words (the import returns), then how long
   `embed_pending` takes to encode them and store the fused suggestions.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import generate
from bench_similarity import make_question, percentile

from moderator.config import load_default_config
from moderator.domain.duplicate_index import DuplicateIndex
from moderator.domain.fusion import fusion_model_for
from moderator.domain.models import Channel, IncomingMessage, Kind
from moderator.domain.similarity import SUGGEST_THRESHOLD
from moderator.domain.vectors import to_bytes, unit_rows
from moderator.meaning import load_embedder
from moderator.services import open_event
from moderator.services.ingesting import import_paths
from moderator.storage.db import Database
from moderator.storage.repository import Repository


def rss_mb() -> float:
    """Peak resident size of this process in MB: VmHWM where Linux gives it (ru_maxrss is
    inherited from the parent across fork and exec, so a child would report the parent's)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pool_vectors(embedder, texts: list[str]) -> np.ndarray:
    start = time.perf_counter()
    vectors = embedder.encode(texts)
    took = time.perf_counter() - start
    each = took / len(texts) * 1000
    print(f"pool: {len(texts)} questions encoded in {took:.1f} s ({each:.1f} ms each)")
    return vectors


def stored_vectors(pool: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    picks = pool[rng.integers(0, len(pool), size)]
    return unit_rows(picks + rng.normal(0, 0.01, picks.shape).astype(np.float32))


def bench_arrivals(embedder, size: int, queries: int, pool: np.ndarray, seed: int) -> None:
    rng = random.Random(seed)
    existing = [make_question(rng) for _ in range(size)]
    arriving = [make_question(rng) for _ in range(queries)]
    vectors = stored_vectors(pool, size, np.random.default_rng(seed))
    fused = DuplicateIndex(fusion=fusion_model_for(embedder.model_id))
    lexical = DuplicateIndex()
    start = time.perf_counter()
    for item_id, (text, vector) in enumerate(zip(existing, vectors, strict=True)):
        fused.add(item_id, text, vector)
    build = time.perf_counter() - start
    for item_id, text in enumerate(existing):
        lexical.add(item_id, text)
    with_meaning, words_only, encoding = [], [], []
    for text in arriving:
        t0 = time.perf_counter()
        vector = embedder.encode([text])[0]
        t1 = time.perf_counter()
        fused.query(text, vector=vector, limit=8, min_score=SUGGEST_THRESHOLD)
        t2 = time.perf_counter()
        lexical.query(text, limit=8)
        t3 = time.perf_counter()
        with_meaning.append((t2 - t0) * 1000)
        encoding.append((t1 - t0) * 1000)
        words_only.append((t3 - t2) * 1000)
    print(
        f"N={size:>7,}  arriving question, encoding included: median "
        f"{statistics.median(with_meaning):6.1f} ms  p95 {percentile(with_meaning, 0.95):6.1f} ms "
        f"(encoding median {statistics.median(encoding):5.1f} ms)  | words only: median "
        f"{statistics.median(words_only):5.2f} ms  p95 {percentile(words_only, 0.95):5.2f} ms  "
        f"| fused index built in {build:5.2f} s, peak RSS {rss_mb():6.0f} MB"
    )


def bench_startup(
    embedder, embedder_name: str, size: int, pool: np.ndarray, seed: int
) -> None:
    rng = random.Random(seed)
    texts = [make_question(rng) for _ in range(size)]
    vectors = stored_vectors(pool, size, np.random.default_rng(seed))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "start.db"
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        config = load_default_config()
        filler = open_event(db, config, moderator="bench")
        filler.import_messages(
            [
                IncomingMessage(
                    source_key=f"bench:{i}",
                    channel=Channel.CHAT,
                    text=text,
                    author=f"Person {i}",
                    kind_hint=Kind.QUESTION,
                )
                for i, text in enumerate(texts)
            ],
            source="bench",
        )
        with db.writing() as session:
            repo = Repository(session)
            ids = [m for m, _g, _t in repo.question_texts(filler.event_id)]
            repo.store_vectors(
                filler.event_id,
                embedder.model_id,
                [(m, to_bytes(v)) for m, v in zip(ids, vectors, strict=False)],
            )
        db.dispose()
        runs = [
            subprocess.run(
                [sys.executable, __file__, "--start-child", str(path), embedder_name],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            for _ in range(3)
        ]
        took = statistics.median(float(r[0]) for r in runs)
        rss = statistics.median(float(r[1]) for r in runs)
        print(
            f"N={size:>7,}  start-up with stored vectors in a new process (open + warm_up, "
            f"no encoding): median {took:5.2f} s of {len(runs)}; {len(ids):,} questions with "
            f"vectors; that process's peak RSS (encoder and index loaded) {rss:6.0f} MB"
        )


def start_child(path: str, embedder_name: str) -> None:
    """Open the event of the SQLite file `path` as a console would and warm it up; print
    the seconds it took and the peak RSS in MB."""
    embedder = load_embedder(embedder_name, threads=1)
    start = time.perf_counter()
    db = Database(f"sqlite:///{path}")
    service = open_event(db, load_default_config(), moderator="bench", embedder=lambda: embedder)
    service.warm_up()
    took = time.perf_counter() - start
    assert service.meaning_status().pending == 0
    print(f"{took:.3f} {rss_mb():.0f}")


def bench_pass(embedder, messages: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        chat = Path(tmp) / "meeting_saved_chat.txt"
        chat.write_text(generate(messages), encoding="utf-8")
        db = Database(f"sqlite:///{Path(tmp) / 'pass.db'}")
        db.upgrade()
        service = open_event(
            db, load_default_config(), moderator="bench", embedder=lambda: embedder
        )
        stored: list[float] = []  # when each batch was committed (its questions show)
        start = time.perf_counter()
        (summary,) = import_paths(
            service, [chat], progress=lambda _report: stored.append(time.perf_counter())
        )
        shown, returned = stored[-1] - start, time.perf_counter() - start
        start = time.perf_counter()
        done = service.embed_pending()
        took = time.perf_counter() - start
        print(
            f"{messages:,}-message chat: every question stored and shown after {shown:.2f} s "
            f"({summary.questions:,} questions); compared by words, the import returned after "
            f"{returned:.2f} s ({summary.with_suggestion:,} with a suggestion); meaning pass "
            f"{took:.1f} s "
            f"({took / max(done.encoded, 1) * 1000:.1f} ms per question, "
            f"{done.with_suggestion:,} with a fused suggestion, {done.retagged:,} re-tagged)"
        )
        db.dispose()


def main() -> None:
    if sys.argv[1:2] == ["--start-child"]:
        start_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--pool", type=int, default=2_000)
    parser.add_argument("--pass-messages", type=int, default=10_000)
    parser.add_argument("--embedder", default="e5")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    embedder = load_embedder(args.embedder, threads=1)
    if embedder is None:
        raise SystemExit(f"sentence encoder {args.embedder} not available here")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{embedder.model_id}, 1 encoder thread, {cores} core(s) allowed")
    rng = random.Random(args.seed + 1)
    pool = pool_vectors(embedder, [make_question(rng) for _ in range(args.pool)])
    for size in args.sizes:
        bench_arrivals(embedder, size, args.queries, pool, args.seed)
    for size in args.sizes:
        bench_startup(embedder, args.embedder, size, pool, args.seed)
    if args.pass_messages:
        bench_pass(embedder, args.pass_messages)


if __name__ == "__main__":
    main()
