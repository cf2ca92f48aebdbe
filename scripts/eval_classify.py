"""Evaluate `moderator.domain.classify` against the labelled chat lines.

Usage: PYTHONPATH=src python scripts/eval_classify.py [path/to/labels.tsv]

Every fourth labelled line is held out (never looked at while tuning the rules) and reported
separately; `chat_classification_fresh.tsv` was written after tuning and is reported as a
third part. Exits 1 when precision or recall of "question" is below 0.95 on any part.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from moderator.domain.classify import classify
from moderator.domain.models import Kind

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
DEFAULT = DATA / "chat_classification.tsv"
#: Lines written after the rules were tuned, never used for tuning; reported on their own.
FRESH = DATA / "chat_classification_fresh.tsv"
THRESHOLD = 0.95
KINDS = [Kind.QUESTION, Kind.CHATTER, Kind.VOTE]


def load(path: Path) -> list[tuple[Kind, str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number == 1 or not line.strip():
            continue
        label, text = line.split("\t", 1)
        rows.append((Kind(label), text))
    return rows


def split(rows: list[tuple[Kind, str]]) -> tuple[list, list]:
    dev = [row for index, row in enumerate(rows) if index % 4 != 3]
    held_out = [row for index, row in enumerate(rows) if index % 4 == 3]
    return dev, held_out


def report(title: str, rows: list[tuple[Kind, str]]) -> tuple[float, float]:
    confusion: Counter[tuple[Kind, Kind]] = Counter()
    wrong = []
    for label, text in rows:
        got = classify(text)
        confusion[label, got] += 1
        if got != label:
            wrong.append((label, got, text))
    true_pos = confusion[Kind.QUESTION, Kind.QUESTION]
    predicted = sum(confusion[k, Kind.QUESTION] for k in KINDS)
    actual = sum(confusion[Kind.QUESTION, k] for k in KINDS)
    precision = true_pos / predicted if predicted else 1.0
    recall = true_pos / actual if actual else 1.0
    accuracy = sum(confusion[k, k] for k in KINDS) / len(rows)
    print(f"== {title}: {len(rows)} lines")
    print(f"question precision {precision:.3f}  recall {recall:.3f}  accuracy {accuracy:.3f}")
    print("label \\ got  " + "".join(f"{k.value:>10}" for k in KINDS))
    for label in KINDS:
        print(f"{label.value:<12} " + "".join(f"{confusion[label, k]:>10}" for k in KINDS))
    for label, got, text in wrong:
        print(f"  WRONG {label.value} -> {got.value}: {text}")
    print()
    return precision, recall


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    dev, held_out = split(load(path))
    scores = [report("dev", dev), report("held-out", held_out)]
    if len(argv) <= 1 and FRESH.exists():
        scores.append(report("fresh (written after tuning)", load(FRESH)))
    failed = any(p < THRESHOLD or r < THRESHOLD for p, r in scores)
    print("FAIL" if failed else "OK", f"(threshold {THRESHOLD})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
