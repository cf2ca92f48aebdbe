"""Evaluate `moderator.domain.classify` against the labelled chat lines.

Usage: PYTHONPATH=src python scripts/eval_classify.py [--language de|en] [path/to/labels.tsv]

Every fourth labelled line is held out (never looked at while tuning the rules) and reported
separately; `chat_classification_fresh.tsv` was written after tuning and is reported as a
third part. Exits 1 when precision or recall of "question" is below the language's threshold
(German 0.95, English 0.90) on any part, or below the plain rule "contains a question mark",
which each part reports for comparison.

`--language en` classifies with the English rules against `chat_classification_en.tsv`
(written before the English rules were tuned) and `chat_classification_en_fresh.tsv`
(written after).
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
DEFAULTS = {"de": DEFAULT, "en": DATA / "chat_classification_en.tsv"}
FRESHES = {"de": FRESH, "en": DATA / "chat_classification_en_fresh.tsv"}
THRESHOLDS = {"de": 0.95, "en": 0.90}
THRESHOLD = THRESHOLDS["de"]
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


def question_mark_rule(text: str) -> Kind:
    """The plain baseline: a message with a question mark is a question."""
    return Kind.QUESTION if "?" in text else Kind.CHATTER


def precision_recall(pairs: list[tuple[Kind, Kind]]) -> tuple[float, float]:
    """Precision and recall of "question" for (label, got) pairs."""
    true_pos = sum(1 for label, got in pairs if label == got == Kind.QUESTION)
    predicted = sum(1 for _, got in pairs if got == Kind.QUESTION)
    actual = sum(1 for label, _ in pairs if label == Kind.QUESTION)
    return (true_pos / predicted if predicted else 1.0, true_pos / actual if actual else 1.0)


def report(
    title: str, rows: list[tuple[Kind, str]], language: str = "de"
) -> tuple[float, float, float, float]:
    """Print the figures of one part; returns ours and the question-mark rule's (P, R)."""
    confusion: Counter[tuple[Kind, Kind]] = Counter()
    wrong = []
    for label, text in rows:
        got = classify(text, language)
        confusion[label, got] += 1
        if got != label:
            wrong.append((label, got, text))
    precision, recall = precision_recall(
        [(label, got) for (label, got), n in confusion.items() for _ in range(n)]
    )
    mark_p, mark_r = precision_recall([(label, question_mark_rule(t)) for label, t in rows])
    accuracy = sum(confusion[k, k] for k in KINDS) / len(rows)
    print(f"== {title}: {len(rows)} lines")
    print(f"question precision {precision:.3f}  recall {recall:.3f}  accuracy {accuracy:.3f}")
    print(f"question-mark rule precision {mark_p:.3f}  recall {mark_r:.3f}")
    print("label \\ got  " + "".join(f"{k.value:>10}" for k in KINDS))
    for label in KINDS:
        print(f"{label.value:<12} " + "".join(f"{confusion[label, k]:>10}" for k in KINDS))
    for label, got, text in wrong:
        print(f"  WRONG {label.value} -> {got.value}: {text}")
    print()
    return precision, recall, mark_p, mark_r


def beaten(precision: float, recall: float, mark_p: float, mark_r: float) -> bool:
    """Ours is at least as good as the question-mark rule on both and better on one."""
    return precision >= mark_p and recall >= mark_r and (precision, recall) != (mark_p, mark_r)


def main(argv: list[str]) -> int:
    args = list(argv[1:])
    language = "de"
    if "--language" in args:
        at = args.index("--language")
        language = args[at + 1] if at + 1 < len(args) else ""
        del args[at : at + 2]
        if language not in DEFAULTS:
            print(f"--language must be one of {', '.join(DEFAULTS)}", file=sys.stderr)
            return 2
    path = Path(args[0]) if args else DEFAULTS[language]
    threshold = THRESHOLDS[language]
    dev, held_out = split(load(path))
    scores = [report("dev", dev, language), report("held-out", held_out, language)]
    fresh = FRESHES[language]
    if not args and fresh.exists():
        scores.append(report("fresh (written after tuning)", load(fresh), language))
    failed = any(p < threshold or r < threshold for p, r, _, _ in scores)
    # The plain rule must be beaten where it is not already perfect.
    failed = failed or any(not beaten(*s) for s in scores if s[2:] != (1.0, 1.0))
    print("FAIL" if failed else "OK", f"(language {language}, threshold {threshold})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
