"""Fit the fused duplicate scorer (words + meaning + kind of question) for one encoder.

Usage: PYTHONPATH=src python scripts/train_fusion.py [--embedder e5|use] [--l2 1.0] [--write]

Protocol (as in scripts/eval_duplicates.py, whose split and arrival simulation it reuses):
1. Both labelled sets (adversarial and realistic); only their dev splits are used. The
   held-out splits are never read here.
2. For each of five seeded arrival orders of the dev items, every arriving item is paired
   with the candidates the product's `DuplicateIndex` would weigh for it (lexical candidates
   united with the nearest by meaning, among the items that arrived before it); label 1 when
   the candidate is a wording of the same group.
3. A logistic regression (Newton's method, L2 penalty on the weights, not the bias) over
   `moderator.domain.fusion.FUSED_FEATURES`.
4. Calibration onto the lexical scorer's scale, so that the event's thresholds mean the same
   for either scorer: the strong tier starts where the dev arrivals' top suggestions reach
   precision 0.90, and lands on `SUGGEST_THRESHOLD`; the "vielleicht" floor is where the
   dev arrivals keep 95 % of the correct earlier wordings that the five best candidates hold
   with no floor at all, and lands on `MAYBE_SCORE` (a temperature on the logit, which keeps
   the order of the candidates).

Prints the fitted model; `--write` replaces its entry in src/moderator/domain/fusion.py.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_duplicates import SEEDS, SETS, Item, load_items

from moderator.domain.duplicate_index import DuplicateIndex
from moderator.domain.fusion import FUSED_FEATURES, FUSION_MODELS, FusionModel
from moderator.domain.similarity import MAYBE_SCORE, SUGGEST_THRESHOLD
from moderator.meaning import load_embedder

FUSION = Path(__file__).resolve().parent.parent / "src" / "moderator" / "domain" / "fusion.py"
TARGET_PRECISION = 0.90
MAYBE_KEEPS = 0.95  # share of the correct wordings among the five best kept by the floor
SHOWN = 5
# Cosines of unrelated questions sit this high for each encoder: centre and spread used to
# bring the cosine feature to the scale of the others (measured on the dev items).
_BLOCK = re.compile(
    r"^FUSION_MODELS: dict\[str, FusionModel\] = \{\n.*?^\}\n# End of generated block\.\n",
    re.S | re.M,
)


def arrivals(
    items: list[Item], vectors: dict[str, np.ndarray], model: FusionModel, seed: int
) -> list[list[tuple[tuple[float, ...], bool]]]:
    """Per arriving item: (fused features, same group?) of every candidate it is weighed
    against (items that have a candidate at all)."""
    order = list(items)
    random.Random(seed).shuffle(order)
    index = DuplicateIndex(fusion=model)
    result = []
    for number, item in enumerate(order):
        vector = vectors[item.text]
        rows = []
        for other, lexical, cos, kinds in index.candidate_pairs(item.text, vector):
            if cos is None:
                continue
            rows.append((model.features(lexical, *kinds, cos), order[other].label == item.label))
        if rows:
            result.append(rows)
        index.add(number, item.text, vector)
    return result


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method; returns (weights, bias)."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    penalty = np.r_[np.full(x.shape[1], l2), 0.0]
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x1 @ w)))
        grad = x1.T @ (p - y) + penalty * w
        hess = (x1 * (p * (1 - p))[:, None]).T @ x1 + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def strong_logit(groups: list[list[tuple[float, bool]]], precision: float) -> float:
    """The lowest logit at which the top suggestions of the arrivals reach `precision`."""
    tops = sorted((max(rows) for rows in groups if rows), reverse=True)
    best = tops[0][0] if tops else 0.0
    tp = fp = 0
    for logit, same in tops:
        tp, fp = tp + same, fp + (not same)
        if tp / (tp + fp) >= precision:
            best = logit
    return best


def maybe_logit(groups: list[list[tuple[float, bool]]], keeps: float) -> float:
    """The highest logit floor at which the five best candidates of the arrivals still hold
    `keeps` of the correct earlier wordings they hold with no floor."""
    best = [
        max((z for z, same in sorted(rows, reverse=True)[:SHOWN] if same), default=None)
        for rows in groups
    ]
    found = sorted((z for z in best if z is not None), reverse=True)
    if not found:
        return -5.0
    return found[min(len(found) - 1, math.ceil(keeps * len(found)) - 1)]


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", choices=("e5", "use"), default="e5")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--write", action="store_true", help="update domain/fusion.py")
    args = parser.parse_args(argv)

    embedder = load_embedder(args.embedder)
    if embedder is None:
        print(f"sentence encoder {args.embedder} cannot be loaded here", file=sys.stderr)
        return 2
    family = next(f for f in FUSION_MODELS if embedder.model_id.startswith(f))
    dev: list[list[Item]] = []
    for path in SETS.values():
        items, _ = load_items(path)
        dev.append([i for i in items if i.split == "dev"])
    texts = sorted({i.text for items in dev for i in items})
    matrix = embedder.encode(texts)
    vectors = dict(zip(texts, matrix, strict=True))
    sample = matrix[np.random.default_rng(0).choice(len(texts), size=(400, 2))]
    cos = np.einsum("ij,ij->i", sample[:, 0], sample[:, 1])
    center, scale = float(np.median(cos)), float(1.0 / (np.percentile(cos, 95) - np.median(cos)))
    model = replace(FUSION_MODELS[family], cos_center=round(center, 4), cos_scale=round(scale, 3))

    per_arrival = [
        rows for items in dev for seed in SEEDS for rows in arrivals(items, vectors, model, seed)
    ]
    x = np.array([f for rows in per_arrival for f, _ in rows])
    y = np.array([same for rows in per_arrival for _, same in rows], dtype=float)
    weights, bias = fit(x, y, args.l2)
    logits = [[(float(weights @ f + bias), same) for f, same in rows] for rows in per_arrival]
    z_strong = strong_logit(logits, TARGET_PRECISION)
    z_maybe = min(maybe_logit(logits, MAYBE_KEEPS), z_strong - 1.0)
    # z' = a * (z - z_strong) + logit(strong): z_strong -> SUGGEST_THRESHOLD, z_maybe -> MAYBE
    a = (logit(SUGGEST_THRESHOLD / 100) - logit(MAYBE_SCORE / 100)) / (z_strong - z_maybe)
    model = replace(
        model,
        weights=tuple(round(float(a * w), 4) for w in weights),
        bias=round(a * (bias - z_strong) + logit(SUGGEST_THRESHOLD / 100), 4),
    )
    print(
        f"strong tier from logit {z_strong:.3f}, vielleicht from {z_maybe:.3f} "
        f"(temperature {a:.3f})"
    )
    print(
        f"{len(y)} candidate pairs ({int(y.sum())} same question) from {len(per_arrival)} arrivals"
    )
    for name, w in zip(FUSED_FEATURES, model.weights, strict=True):
        print(f"  {name:16s} {w:+.4f}")
    print(f"  bias {model.bias:+.4f}  cosine centre {model.cos_center} scale {model.cos_scale}")
    if args.write:
        models = dict(FUSION_MODELS, **{family: model})
        FUSION.write_text(_BLOCK.sub(lambda _m: render(models), FUSION.read_text("utf-8")), "utf-8")
        print(f"written to {FUSION}")
    return 0


def render(models: dict[str, FusionModel]) -> str:
    lines = ["FUSION_MODELS: dict[str, FusionModel] = {"]
    for family, m in models.items():
        rows = [m.weights[i : i + 6] for i in range(0, len(m.weights), 6)]
        lines += [
            f'    "{family}": FusionModel(',
            f'        family="{family}",',
            "        weights=(",
            *("            " + " ".join(f"{w}," for w in row) for row in rows),
            "        ),",
            f"        bias={m.bias},",
            f"        cos_center={m.cos_center},",
            f"        cos_scale={m.cos_scale},",
            "    ),",
        ]
    lines += ["}", "# End of generated block.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
