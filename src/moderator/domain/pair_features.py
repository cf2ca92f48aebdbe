"""Cheap features of a pair of German questions, for the duplicate scorer.

A question is prepared once (`prepare`): its content tokens (stopwords and question words
removed, lightly stemmed), its question words, its concept classes (see
`moderator.domain.concepts`) and its normalised text. `pair_features` then compares two
prepared questions in a few microseconds; `moderator.domain.similarity` combines the
features with learned weights into a probability.

Tokens are compared softly (`token_credit`, 0..1): equal; same concept class ("kosten" /
"bezahlen"); one a compound part of the other ("stadtrat" / "stadtratssitzung"); a shared
word start of six letters or a shared ending of five ("gestreamt" / "livestream"); or a near
spelling (typos, inflections). Token weights come from the caller (inverse document
frequency in an index, uniform otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from moderator.domain.concepts import concepts
from moderator.domain.normalize import (
    MAX_MATCH_CHARS,
    QUESTION_WORDS,
    normalize,
    normalized_tokens,
)

__all__ = ["FEATURE_NAMES", "Prepared", "pair_features", "prepare", "token_credit"]

FEATURE_NAMES = (
    "cov_min",  # soft weighted coverage of the less covered side
    "cov_max",  # soft weighted coverage of the better covered side (containment)
    "exact_dice",  # weighted Dice of equal tokens only
    "token_set",  # rapidfuzz token_set_ratio of the content tokens / 100
    "partial_sort",  # rapidfuzz partial_token_sort_ratio of the normalised texts / 100
    "concept_jaccard",  # Jaccard of the concept classes of both questions
    "unmatched_rare",  # weight of the heaviest token without a counterpart / heaviest token
    "unmatched_count",  # tokens without a counterpart on either side, capped at 3, / 3
    "hard_dice",  # soft Dice counting only credits of 0.7 and more (unsure matches as none)
    "intent_same",  # both ask where/when/who/how many/why, and the same
    "intent_clash",  # both ask where/when/who/how many/why, but different
    "intent_half",  # one asks where/when/..., the other has no such question word
)

# Kinds of answer a question word asks for; "wozu" asks for a reason like "warum".
_INTENT = {
    "wo": "wo",
    "wann": "wann",
    "wer": "wer",
    "wieviel": "wieviel",
    "warum": "warum",
    "wozu": "warum",
    "was": "was",
    "wie": "wie",
    "welche": "welche",
}

_CONCEPT_CREDIT = 0.8
_COMPOUND_CREDIT = 0.8
_COMPOUND_MIN = 4
_PREFIX_MIN, _PREFIX_CREDIT = 6, 0.75
_SUFFIX_MIN, _SUFFIX_CREDIT = 5, 0.7
_TYPO_RATIO = 80.0
_TYPO_FLOOR = 0.75
_UNMATCHED = 0.5  # a token whose best credit is below this has no counterpart
_SURE = 0.79  # credits from here on are equal words, compounds, concepts or close typos


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the scorer needs of one question, computed once."""

    tokens: tuple[str, ...]
    intents: frozenset[str]
    concepts: frozenset[str]
    content: str
    norm: str
    token_set: frozenset[str]


def prepare(text: str) -> Prepared:
    """Prepare the first `MAX_MATCH_CHARS` characters of `text` for `pair_features`."""
    norm = normalize(text[:MAX_MATCH_CHARS])
    toks = normalized_tokens(norm)  # normalised once (half of the time it takes)
    content = tuple(t for t in toks if t not in QUESTION_WORDS)
    intents = frozenset(_INTENT[t] for t in toks if t in _INTENT)
    found: set[str] = set()
    for t in content:
        found.update(concepts(t))
    return Prepared(
        content, intents, frozenset(found), " ".join(content), norm, frozenset(content)
    )


# token -> {other token -> credit}: a pair's credits are looked up a row at a time (the
# scorer's inner loop), each pair stored under both tokens; bounded like any cache.
_credit_rows: dict[str, dict[str, float]] = {}
_CACHE_LIMIT = 1_000_000
_cached = 0


def _credit_row(token: str) -> dict[str, float]:
    row = _credit_rows.get(token)
    if row is None:
        row = _credit_rows[token] = {token: 1.0}
    return row


def token_credit(a: str, b: str) -> float:
    """How much content token `a` counts as content token `b` (0..1, symmetric)."""
    if a == b:
        return 1.0
    row = _credit_row(a)
    c = row.get(b)
    if c is None:
        c = _compute_credit(a, b)
        global _cached
        if _cached < _CACHE_LIMIT:
            _cached += 1
            row[b] = c
            _credit_row(b)[a] = c
    return c


def _compute_credit(a: str, b: str) -> float:
    c = 0.0
    if concepts(a) & concepts(b):
        c = _CONCEPT_CREDIT
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= _COMPOUND_MIN and (long_.startswith(short) or long_.endswith(short)):
        c = max(c, _COMPOUND_CREDIT)
    elif len(short) >= _SUFFIX_MIN:
        if short[:_PREFIX_MIN] == long_[:_PREFIX_MIN] and len(short) >= _PREFIX_MIN:
            c = max(c, _PREFIX_CREDIT)
        elif short[-_SUFFIX_MIN:] == long_[-_SUFFIX_MIN:]:
            c = max(c, _SUFFIX_CREDIT)
    if c < _TYPO_FLOOR and len(short) >= 4:
        ratio = fuzz.ratio(a, b, score_cutoff=_TYPO_RATIO)
        if ratio:
            c = max(
                c, _TYPO_FLOOR + (1 - _TYPO_FLOOR) * (ratio - _TYPO_RATIO) / (100 - _TYPO_RATIO)
            )
    return c


def _uniform(_token: str) -> float:
    return 1.0


def pair_features(
    a: Prepared,
    b: Prepared,
    weight: Callable[[str], float] = _uniform,
    weights_a: Sequence[float] | None = None,
) -> tuple[float, ...] | None:
    """Features of the pair (see `FEATURE_NAMES`), or None if either has no content word.

    `weights_a`: `weight` of each of `a`'s tokens, when the caller has them already (a
    query scoring many candidates computes them once)."""
    ta, tb = a.tokens, b.tokens
    if not ta or not tb:
        return None
    wa = weights_a if weights_a is not None else [weight(t) for t in ta]
    wb = [weight(t) for t in tb]
    best_b = [0.0] * len(tb)
    matched_a = exact = 0.0
    heaviest_unmatched = 0.0
    unmatched = 0
    hard = 0.0
    for t, w in zip(ta, wa, strict=True):
        row = _credit_row(t)  # the cached credits of `t`, looked up without a call
        best = 0.0
        for j, u in enumerate(tb):
            c = row.get(u)
            if c is None:
                c = token_credit(t, u)
            if c > best:
                best = c
            if c > best_b[j]:
                best_b[j] = c
            if c == 1.0:
                exact += w
        matched_a += w * best
        if best >= _SURE:
            hard += w * best
        if best < _UNMATCHED:
            unmatched += 1
            if w > heaviest_unmatched:
                heaviest_unmatched = w
    matched_b = 0.0
    for w, best in zip(wb, best_b, strict=True):
        matched_b += w * best
        if best >= _SURE:
            hard += w * best
        if best < _UNMATCHED:
            unmatched += 1
            if w > heaviest_unmatched:
                heaviest_unmatched = w
    total_a, total_b = sum(wa), sum(wb)
    cov_a, cov_b = matched_a / total_a, matched_b / total_b
    exact_b = sum(w for t, w in zip(tb, wb, strict=True) if t in ta)
    ca, cb = a.concepts, b.concepts
    union = len(ca | cb)
    ia, ib = a.intents, b.intents
    return (
        min(cov_a, cov_b),
        max(cov_a, cov_b),
        (exact + exact_b) / (total_a + total_b),
        fuzz.token_set_ratio(a.content, b.content) / 100.0,
        fuzz.partial_token_sort_ratio(a.norm, b.norm) / 100.0,
        len(ca & cb) / union if union else 0.0,
        heaviest_unmatched / max(max(wa), max(wb)),
        min(unmatched, 3) / 3.0,
        hard / (total_a + total_b),
        1.0 if ia & ib else 0.0,
        1.0 if ia and ib and ia.isdisjoint(ib) else 0.0,
        1.0 if bool(ia) != bool(ib) else 0.0,
    )
