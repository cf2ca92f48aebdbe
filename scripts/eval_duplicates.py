"""Evaluate duplicate suggestions on the labelled German question set.

Usage: PYTHONPATH=src python scripts/eval_duplicates.py [--threshold 70] [--seeds 5]

Data: tests/data/duplicates_labelled.json with
* groups: 2-5 wordings of the same question (one label per group);
* hard_negatives: pairs on one project that share words but ask different things; a text
  equal to a group wording is that wording, any other text is a question of its own;
* singletons: questions without duplicate (distractors).

Protocol (simulated arrival order):
1. Every distinct question becomes one item with a label (its group, or itself).
2. For each seed, the items are shuffled with `random.Random(seed)` and inserted one by one
   into an empty `DuplicateIndex`. Before inserting an item, the index is queried with it;
   the top suggestion is the best hit whose score is >= the threshold. (Also reported: how
   often a correct earlier wording is among the top 5 shown, i.e. one keystroke away.)
3. A top suggestion with the same label is a true positive, with another label a false
   positive. An item whose group already has an earlier member but which got no correct top
   suggestion is a miss (no suggestion, or a wrong one).
4. precision = TP / (TP + FP); recall = TP / (items that had an earlier group member).
   Counts are summed over all seeds.
5. Hold-out: one group in five (by CRC32 of the group id), and likewise one hard-negative
   pair and one singleton in five, form the held-out split. Everything is inserted into the
   same index; an arriving item is scored in the split it belongs to. The held-out numbers
   were looked at only after the algorithm was tuned on the dev split.

Pair check (no index, `similarity(a, b)` with uniform weights): the share of same-group
pairs and of hard-negative pairs scoring >= the threshold.

Exit code 1 if precision < 0.90 or recall < 0.80 over all items at the chosen threshold.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from moderator.domain.similarity import SUGGEST_THRESHOLD, DuplicateIndex, similarity

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "duplicates_labelled.json"
MIN_PRECISION = 0.90
MIN_RECALL = 0.80
SEEDS = (1, 2, 3, 4, 5)
SPLITS = ("dev", "holdout")
SHOWN = 5  # suggestions a moderator sees at once


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    label: str
    split: str


@dataclass(frozen=True, slots=True)
class Arrival:
    """One query in the simulation: the arriving item and its best hit (if any)."""

    item: Item
    best: Item | None
    score: float
    had_earlier: bool
    shown: tuple[tuple[Item, float], ...] = ()


@dataclass(slots=True)
class Metrics:
    tp: int = 0
    fp: int = 0
    positives: int = 0
    found_in_shown: int = 0
    false_positives: list[Arrival] = field(default_factory=list)
    misses: list[Arrival] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.positives if self.positives else 1.0

    @property
    def recall_shown(self) -> float:
        """Share of positives with a correct hit among the top SHOWN above threshold."""
        return self.found_in_shown / self.positives if self.positives else 1.0


def _split(key: str) -> str:
    return "holdout" if zlib.crc32(key.encode("utf-8")) % 5 == 0 else "dev"


def load_items(path: Path = DATA) -> tuple[list[Item], dict]:
    """Distinct labelled questions of the data file, and the raw data."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items: dict[str, Item] = {}
    for group in data["groups"]:
        split = _split(group["id"])
        for text in group["questions"]:
            if text in items:
                raise ValueError(f"{path}: question listed twice: {text!r}")
            items[text] = Item(text, group["id"], split)
    for pair in data["hard_negatives"]:
        split = _split(pair["a"] + "|" + pair["b"])
        for text in (pair["a"], pair["b"]):
            items.setdefault(text, Item(text, "single:" + text, split))
    for single in data["singletons"]:
        text = single["text"]
        items.setdefault(text, Item(text, "single:" + text, _split(text)))
    return list(items.values()), data


def simulate(items: list[Item], seed: int) -> list[Arrival]:
    """Insert `items` in a seeded random order, querying each one before it is added."""
    order = list(items)
    random.Random(seed).shuffle(order)
    index = DuplicateIndex()
    seen_labels: set[str] = set()
    arrivals = []
    for number, item in enumerate(order):
        hits = index.query(item.text, limit=SHOWN, min_score=0.0)
        best, score = (order[hits[0][0]], hits[0][1]) if hits else (None, 0.0)
        shown = tuple((order[i], s) for i, s in hits)
        arrivals.append(Arrival(item, best, score, item.label in seen_labels, shown))
        seen_labels.add(item.label)
        index.add(number, item.text)
    return arrivals


def score_arrivals(arrivals: list[Arrival], threshold: float) -> dict[str, Metrics]:
    """Metrics per split ("dev", "holdout") and over everything ("all")."""
    metrics = {name: Metrics() for name in (*SPLITS, "all")}
    for arrival in arrivals:
        for m in (metrics[arrival.item.split], metrics["all"]):
            suggested = arrival.best is not None and arrival.score >= threshold
            correct = suggested and arrival.best.label == arrival.item.label
            if arrival.had_earlier:
                m.positives += 1
                if any(i.label == arrival.item.label and s >= threshold for i, s in arrival.shown):
                    m.found_in_shown += 1
            if correct:
                m.tp += 1
            elif suggested:
                m.fp += 1
                m.false_positives.append(arrival)
            if arrival.had_earlier and not correct:
                m.misses.append(arrival)
    return metrics


def evaluate(
    threshold: float = SUGGEST_THRESHOLD, seeds: tuple[int, ...] = SEEDS, path: Path = DATA
) -> dict[str, Metrics]:
    """Run the protocol of this module and return metrics per split and overall."""
    items, _ = load_items(path)
    arrivals = [a for seed in seeds for a in simulate(items, seed)]
    return score_arrivals(arrivals, threshold)


def best_threshold(arrivals: list[Arrival], min_precision: float, split: str) -> float | None:
    """Lowest threshold (in steps of 0.5) whose `split` precision is >= `min_precision`."""
    for step in range(0, 201):
        t = step / 2
        if score_arrivals(arrivals, t)[split].precision >= min_precision:
            return t
    return None


def pair_rates(data: dict, threshold: float) -> tuple[float, float]:
    """Share of same-group pairs and of hard-negative pairs with similarity >= threshold."""
    same = [
        similarity(a, b)
        for g in data["groups"]
        for a, b in itertools.combinations(g["questions"], 2)
    ]
    negative = [similarity(p["a"], p["b"]) for p in data["hard_negatives"]]
    rate = lambda scores: sum(s >= threshold for s in scores) / len(scores)  # noqa: E731
    return rate(same), rate(negative)


def _show(arrival: Arrival) -> str:
    best = f"{arrival.best.text!r} [{arrival.best.label}]" if arrival.best else "-"
    return f"  {arrival.score:5.1f}  {arrival.item.text!r} [{arrival.item.label}]\n      -> {best}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=SUGGEST_THRESHOLD)
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help="number of shuffles")
    parser.add_argument("--examples", type=int, default=25, help="confusions to print")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--dev-only", action="store_true", help="hide held-out numbers")
    args = parser.parse_args(argv)
    shown_splits = ("dev",) if args.dev_only else ("all", *SPLITS)
    if args.dev_only:
        args.split = "dev"

    items, data = load_items()
    seeds = tuple(range(1, args.seeds + 1))
    arrivals = [a for seed in seeds for a in simulate(items, seed)]
    print(
        f"{len(items)} questions, {len(data['groups'])} groups, "
        f"{len(data['hard_negatives'])} hard-negative pairs, {len(data['singletons'])} "
        f"singletons; {len(seeds)} seeded arrival orders"
    )
    print(f"\nthreshold  precision  recall   ({' | '.join(shown_splits)})")
    for t in (30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 98):
        m = score_arrivals(arrivals, t)
        row = "  |  ".join(f"{m[s].precision:.3f} {m[s].recall:.3f}" for s in shown_splits)
        print(f"{t:9.0f}  {row}")

    name = "dev" if args.dev_only else "all"
    best = best_threshold(arrivals, MIN_PRECISION, name)
    if best is not None:
        m = score_arrivals(arrivals, best)[name]
        print(
            f"\nHighest-recall threshold with {name} precision >= {MIN_PRECISION}: {best:g} "
            f"(precision {m.precision:.3f}, recall {m.recall:.3f})"
        )

    metrics = score_arrivals(arrivals, args.threshold)
    same, negative = pair_rates(data, args.threshold)
    print(f"\nAt threshold {args.threshold:g}:")
    for name in shown_splits:
        m = metrics[name]
        print(
            f"  {name:8s} precision {m.precision:.3f} ({m.tp}/{m.tp + m.fp})  "
            f"recall {m.recall:.3f} ({m.tp}/{m.positives})  "
            f"correct among top {SHOWN}: {m.recall_shown:.3f}"
        )
    print(
        f"  pairs: same-group >= threshold {same:.3f}, hard negatives >= threshold {negative:.3f}"
    )

    shown = metrics[args.split]
    first_seed = len(arrivals) // len(seeds)
    fps = [a for a in shown.false_positives if a in arrivals[:first_seed]]
    misses = [a for a in shown.misses if a in arrivals[:first_seed]]
    print(f"\nFalse positives ({args.split}, first arrival order):")
    print("\n".join(_show(a) for a in fps[: args.examples]) or "  none")
    print(f"\nMisses ({args.split}, first arrival order):")
    print("\n".join(_show(a) for a in misses[: args.examples]) or "  none")

    m = metrics["dev" if args.dev_only else "all"]
    ok = m.precision >= MIN_PRECISION and m.recall >= MIN_RECALL
    print(f"\n{'PASS' if ok else 'FAIL'}: precision >= {MIN_PRECISION}, recall >= {MIN_RECALL}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
