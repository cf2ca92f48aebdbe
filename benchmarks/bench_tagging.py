"""Benchmark the project tagger: tag 10,000 generated German questions.

Questions are built from templates, the event's keywords, filler words and random typos, so
many words are new to the tagger's token cache (as in a large event). Prints the total time
for `suggest_many` on a fresh tagger (target < 1 s) and the median time per question.

    PYTHONPATH=src python benchmarks/bench_tagging.py [--count 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from eval_tagging import load_projects

from moderator.domain.tagging import Tagger

TEMPLATES = (
    "Wann gibt es {a} in meinem Stadtteil?",
    "Wie funktioniert das mit {a} und {b} genau?",
    "wer bezahlt {a}? und was ist mit {b}",
    "Ich wohne in der {name}straße. Betrifft mich {a}?",
    "Werden die {a} auch für {b} genutzt, und wer entscheidet das?",
    "Hallo zusammen, meine Frage: {a} – ist das schon beschlossen?",
    "Wie viele {a} sind bis {year} geplant?",
    "Kann man {a} auch ohne Smartphone nutzen, z. B. {name}?",
    "Was passiert mit den Daten von {a}?",
    "Gibt es schon Erfahrungen aus {name} mit {a}?",
)
FILLER = (
    "Sache",
    "Angebot",
    "Zeitplan",
    "Nachbarn",
    "Kinder",
    "Wochenende",
    "Rathaus",
    "Bahnhof",
    "Sommer",
    "Vorschlag",
    "Stadtteil",
    "Gebühren",
)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def generate(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocabulary = [kw for p in load_projects() for kw in p.keywords] + list(FILLER)
    questions = []
    for _ in range(count):
        words = []
        for _slot in range(2):
            word = rng.choice(vocabulary)
            if rng.random() < 0.2:
                word = _typo(word, rng)
            words.append(word)
        name = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))).capitalize()
        template = rng.choice(TEMPLATES)
        text = template.format(a=words[0], b=words[1], name=name, year=rng.randint(2024, 2030))
        questions.append(text.lower() if rng.random() < 0.3 else text)
    return questions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5, help="runs for the median total")
    args = parser.parse_args()
    projects = load_projects()
    questions = generate(args.count, args.seed)

    totals = []
    for _ in range(args.repeat):
        tagger = Tagger(projects)  # fresh: empty token cache
        start = time.perf_counter()
        suggestions = tagger.suggest_many(questions)
        totals.append(time.perf_counter() - start)
    general = sum(s.project_key == "general" for s in suggestions)

    tagger = Tagger(projects)
    per_question = []
    for text in questions:
        start = time.perf_counter_ns()
        tagger.suggest(text)
        per_question.append(time.perf_counter_ns() - start)

    print(f"questions: {len(questions)} (general fallback: {general})")
    print(
        f"suggest_many total, fresh tagger: median {statistics.median(totals):.3f} s "
        f"(min {min(totals):.3f}, max {max(totals):.3f}, {args.repeat} runs; target < 1 s)"
    )
    print(
        f"per question: median {statistics.median(per_question) / 1000:.1f} µs, "
        f"p99 {sorted(per_question)[int(len(per_question) * 0.99)] / 1000:.1f} µs, "
        f"max {max(per_question) / 1000:.1f} µs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
