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

from collections.abc import Callable
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


def prepare(text: str) -> Prepared:
    """Prepare the first `MAX_MATCH_CHARS` characters of `text` for `pair_features`."""
    norm = normalize(text[:MAX_MATCH_CHARS])
    toks = normalized_tokens(norm)  # normalised once (half of the time it takes)
    content = tuple(t for t in toks if t not in QUESTION_WORDS)
    intents = frozenset(_INTENT[t] for t in toks if t in _INTENT)
    found: set[str] = set()
    for t in content:
        found.update(concepts(t))
    return Prepared(content, intents, frozenset(found), " ".join(content), norm)


_credit_cache: dict[tuple[str, str], float] = {}


def token_credit(a: str, b: str) -> float:
    """How much content token `a` counts as content token `b` (0..1, symmetric)."""
    if a == b:
        return 1.0
    key = (a, b) if a < b else (b, a)
    c = _credit_cache.get(key)
    if c is not None:
        return c
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
    if len(_credit_cache) < 500_000:
        _credit_cache[key] = c
    return c


def _uniform(_token: str) -> float:
    return 1.0


def pair_features(
    a: Prepared, b: Prepared, weight: Callable[[str], float] = _uniform
) -> tuple[float, ...] | None:
    """Features of the pair (see `FEATURE_NAMES`), or None if either has no content word."""
    ta, tb = a.tokens, b.tokens
    if not ta or not tb:
        return None
    wa = [weight(t) for t in ta]
    wb = [weight(t) for t in tb]
    best_b = [0.0] * len(tb)
    matched_a = exact = 0.0
    heaviest_unmatched = 0.0
    unmatched = 0
    hard = 0.0
    for t, w in zip(ta, wa, strict=True):
        best = 0.0
        for j, u in enumerate(tb):
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
