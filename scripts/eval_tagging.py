"""Evaluate the project tagger against the labelled German webinar questions.

Prints top-1 accuracy (all / dev / held-out), a confusion matrix, the misclassified questions,
and the effect of learning: a moderator confirming each question's tag in arrival order
(`Tagger.learn` after each suggestion). Exits 1 when the accuracy over all questions is below
the minimum (0.80 by default).

    PYTHONPATH=src python scripts/eval_tagging.py [--split dev|heldout|all] [--events FILE]
        [--embedder e5|use|none]

`--labelled tests/data/tagging_general.json`: organisational and general questions that name a
project in passing (and a few whose subject is the project), for the general block.

With a sentence encoder (the default where one loads), every question also brings its meaning
vector, as in the product after the meaning pass.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from moderator.domain.models import Project
from moderator.domain.tagging import Tagger
from moderator.domain.vectors import Embedder

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVENT = ROOT / "src" / "moderator" / "data" / "default_event.toml"
LABELLED = ROOT / "tests" / "data" / "tagging_labelled.json"
MIN_ACCURACY = 0.80


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    project: str
    split: str
    note: str = ""


@dataclass(slots=True)
class Evaluation:
    keys: list[str]
    examples: list[Example]
    predicted: list[str]
    predicted_learning: list[str]
    evidence: list[dict[str, tuple[str, ...]]]
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def accuracy(self, split: str | None = None, learning: bool = False) -> float:
        predicted = self.predicted_learning if learning else self.predicted
        pairs = [
            (ex, p)
            for ex, p in zip(self.examples, predicted, strict=True)
            if split is None or ex.split == split
        ]
        if not pairs:
            return 0.0
        return sum(ex.project == p for ex, p in pairs) / len(pairs)

    def misclassified(
        self, split: str | None = None
    ) -> list[tuple[Example, str, dict[str, tuple[str, ...]]]]:
        return [
            (ex, p, ev)
            for ex, p, ev in zip(self.examples, self.predicted, self.evidence, strict=True)
            if ex.project != p and (split is None or ex.split == split)
        ]


def load_projects(path: Path = DEFAULT_EVENT) -> list[Project]:
    """The projects of an event TOML file (a minimal reader; the app uses moderator.config)."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return [
        Project(
            key=p["key"],
            name=p["name"],
            hotkey=str(p.get("hotkey", "")),
            order=i,
            keywords=tuple(p.get("keywords", ())),
            aliases=tuple(p.get("aliases", ())),
            description=p.get("description", ""),
            general=bool(p.get("general", False)),
        )
        for i, p in enumerate(data["projects"])
    ]


def load_labelled(path: Path = LABELLED) -> list[Example]:
    with path.open(encoding="utf-8") as fh:
        rows = json.load(fh)
    return [Example(r["text"], r["project"], r["split"], r.get("note", "")) for r in rows]


def evaluate(
    projects: Sequence[Project],
    examples: Sequence[Example],
    split: str | None = None,
    embedder: Embedder | None = None,
) -> Evaluation:
    """Tag every example (optionally one split only), without and with learning."""
    chosen = [ex for ex in examples if split is None or ex.split == split]
    keys = [p.key for p in sorted(projects, key=lambda p: p.order)]
    vectors: list = [None] * len(chosen)

    def tagger() -> Tagger:
        t = Tagger(projects)
        if embedder is not None:
            t.set_meaning(embedder.encode([Tagger.project_text(p) for p in t.projects]))
        return t

    if embedder is not None:
        vectors = list(embedder.encode([ex.text for ex in chosen]))
    plain = tagger()
    predicted = [
        plain.suggest(ex.text, v).project_key for ex, v in zip(chosen, vectors, strict=True)
    ]
    evidence = [plain.explain(ex.text) for ex in chosen]
    learning = tagger()
    predicted_learning = []
    for ex, v in zip(chosen, vectors, strict=True):
        # arrival order: suggest, then the moderator confirms the right tag
        predicted_learning.append(learning.suggest(ex.text, v).project_key)
        learning.learn(ex.text, ex.project, v)
    confusion = {k: dict.fromkeys(keys, 0) for k in keys}
    for ex, p in zip(chosen, predicted, strict=True):
        confusion[ex.project][p] += 1
    return Evaluation(keys, list(chosen), predicted, predicted_learning, evidence, confusion)


def format_report(result: Evaluation, show_split: str | None) -> str:
    lines = []
    n_dev = sum(ex.split == "dev" for ex in result.examples)
    n_held = sum(ex.split == "heldout" for ex in result.examples)
    lines.append(f"questions: {len(result.examples)} (dev {n_dev}, held-out {n_held})")
    lines.append("top-1 accuracy     all     dev   held-out")
    for learning in (False, True):
        label = "with learning " if learning else "without learning"
        accs = [
            result.accuracy(s, learning)
            for s in (None, "dev", "heldout")
            if s is None or any(ex.split == s for ex in result.examples)
        ]
        lines.append(f"{label:<17}" + "".join(f"{a:7.3f}" for a in accs))
    lines.append("")
    lines.append("confusion matrix (rows: label, columns: suggestion)")
    short = {k: k[:6] for k in result.keys}
    lines.append(" " * 15 + "".join(f"{short[k]:>7}" for k in result.keys))
    for k in result.keys:
        row = result.confusion[k]
        lines.append(f"{k:<15}" + "".join(f"{row[c]:>7}" for c in result.keys))
    lines.append("")
    wrong = result.misclassified(show_split)
    lines.append(f"misclassified ({show_split or 'all'}): {len(wrong)}")
    for ex, predicted, evidence in wrong:
        lines.append(f"  [{ex.split}] {ex.project} -> {predicted}: {ex.text}")
        if evidence:
            found = "; ".join(f"{k}: {', '.join(v)}" for k, v in evidence.items())
            lines.append(f"      evidence: {found}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--event", type=Path, default=DEFAULT_EVENT, help="event TOML file")
    parser.add_argument("--labelled", type=Path, default=LABELLED, help="labelled JSON file")
    parser.add_argument(
        "--split", choices=("all", "dev", "heldout"), default="all", help="evaluate one split"
    )
    parser.add_argument("--min-accuracy", type=float, default=MIN_ACCURACY)
    parser.add_argument("--embedder", choices=("auto", "e5", "use", "none"), default="auto")
    args = parser.parse_args(argv)
    split = None if args.split == "all" else args.split
    embedder = None
    if args.embedder != "none":
        from moderator.meaning import load_embedder

        embedder = load_embedder(None if args.embedder == "auto" else args.embedder)
    print(f"meaning: {embedder.model_id if embedder else 'none (words only)'}")
    result = evaluate(load_projects(args.event), load_labelled(args.labelled), split, embedder)
    print(format_report(result, split))
    accuracy = result.accuracy()
    if accuracy < args.min_accuracy:
        print(f"FAIL: accuracy {accuracy:.3f} < {args.min_accuracy:.2f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
