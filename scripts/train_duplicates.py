"""Fit the duplicate scorer's logistic-regression weights on the dev split and print them.

Usage: PYTHONPATH=src python scripts/train_duplicates.py [--l2 0.001] [--random-pairs 3000]

Pairs (dev split of tests/data/duplicates_labelled.json only, split as in
scripts/eval_duplicates.py):
* positive: every pair of wordings of one group;
* negative: the hard-negative pairs, every cross-group pair of one project (including the
  project's singletons and hard-negative texts), and random pairs across projects.
Features are `moderator.domain.pair_features.pair_features` with inverse-document-frequency
weights over the dev questions (as a `DuplicateIndex` holding them would use). Every pair weighs
the same, so the score keeps the rarity of duplicates among look-alikes. Fitted by Newton's
method (pure Python) with an L2 penalty on the weights (not the bias). Prints the constants block of
src/moderator/domain/similarity.py; `--write` replaces it there.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_duplicates import load_items

from moderator.domain.pair_features import FEATURE_NAMES, pair_features, prepare
from moderator.domain.similarity import idf_weight

SIMILARITY = (
    Path(__file__).resolve().parent.parent / "src" / "moderator" / "domain" / "similarity.py"
)
_BLOCK = re.compile(r"^MODEL_WEIGHTS: dict\[str, float\] = .*?^MODEL_BIAS = [^\n]*\n", re.S | re.M)


def training_set(hardest: int, random_pairs: int, seed: int = 0) -> tuple[list, list[int]]:
    """Feature rows ([1, features...]) and labels (1 same question, 0 not) over dev pairs."""
    items, data = load_items()
    dev = [i for i in items if i.split == "dev"]
    prepared = {i.text: prepare(i.text) for i in dev}
    df: dict[str, int] = {}
    for p in prepared.values():
        for t in p.tokens:
            df[t] = df.get(t, 0) + 1
    weight = idf_weight(df, len(prepared))
    feats: dict[tuple[str, str], tuple[float, ...]] = {}
    for a, b in itertools.combinations(dev, 2):
        f = pair_features(prepared[a.text], prepared[b.text], weight)
        if f is not None:
            feats[a.text, b.text] = feats[b.text, a.text] = f
    label = {i.text: i.label for i in dev}
    chosen: dict[frozenset[str], int] = {}
    for a, b in itertools.combinations(dev, 2):
        if a.label == b.label and (a.text, b.text) in feats:
            chosen[frozenset((a.text, b.text))] = 1
    # the wrong questions that look most alike: what a top suggestion has to beat
    for a in dev:
        wrong = [
            (b.text, feats[a.text, b.text])
            for b in dev
            if b.label != a.label and (a.text, b.text) in feats
        ]
        wrong.sort(key=lambda bf: -(bf[1][0] + bf[1][1] + bf[1][4]))
        for b_text, _ in wrong[:hardest]:
            chosen.setdefault(frozenset((a.text, b_text)), 0)
    for pair in data["hard_negatives"]:
        if (pair["a"], pair["b"]) in feats and label[pair["a"]] != label[pair["b"]]:
            chosen.setdefault(frozenset((pair["a"], pair["b"])), 0)
    rng = random.Random(seed)
    for _ in range(random_pairs):
        a, b = rng.sample(dev, 2)
        if a.label != b.label and (a.text, b.text) in feats:
            chosen.setdefault(frozenset((a.text, b.text)), 0)
    xs, ys = [], []
    for pair, y in chosen.items():
        a_text, b_text = sorted(pair)
        xs.append([1.0, *feats[a_text, b_text]])
        ys.append(y)
    return xs, ys


def _solve(m: list[list[float]], v: list[float]) -> list[float]:
    """Solve m x = v by Gaussian elimination with partial pivoting."""
    n = len(v)
    a = [[*row, v[i]] for i, row in enumerate(m)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col and a[r][col]:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] for i in range(n)]


def fit(xs: list[list[float]], ys: list[int], l2: float, iterations: int = 30) -> list[float]:
    """Weighted, L2-penalised logistic regression by Newton's method; w[0] is the bias."""
    sample_w = [1.0 / len(ys)] * len(ys)
    dim = len(xs[0])
    w = [0.0] * dim
    scale = l2
    for _ in range(iterations):
        grad = [scale * w[j] if j else 0.0 for j in range(dim)]
        hess = [[(scale if i == j and i else 0.0) for j in range(dim)] for i in range(dim)]
        for x, y, sw in zip(xs, ys, sample_w, strict=True):
            z = sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = sw * (p - y)
            h = sw * p * (1.0 - p)
            for i in range(dim):
                grad[i] += g * x[i]
                hx = h * x[i]
                row = hess[i]
                for j in range(dim):
                    row[j] += hx * x[j]
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return w


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=1e-3, help="L2 penalty on the mean loss")
    parser.add_argument("--random-pairs", type=int, default=1000)
    parser.add_argument("--hardest", type=int, default=20, help="mined negatives per question")
    parser.add_argument("--write", action="store_true", help="update similarity.py")
    args = parser.parse_args(argv)
    xs, ys = training_set(args.hardest, args.random_pairs)
    print(f"# {sum(ys)} positive and {len(ys) - sum(ys)} negative dev pairs, l2={args.l2}")
    w = fit(xs, ys, args.l2)
    block = "MODEL_WEIGHTS: dict[str, float] = {\n"
    for name, value in zip(FEATURE_NAMES, w[1:], strict=True):
        block += f'    "{name}": {value:.4f},\n'
    block += f"}}\nMODEL_BIAS = {w[0]:.4f}\n"
    print(block, end="")
    if args.write:
        text = SIMILARITY.read_text(encoding="utf-8")
        new, count = _BLOCK.subn(block, text)
        if count != 1:
            print(f"{SIMILARITY}: constants block not found", file=sys.stderr)
            return 1
        SIMILARITY.write_text(new, encoding="utf-8")
        print(f"written to {SIMILARITY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
