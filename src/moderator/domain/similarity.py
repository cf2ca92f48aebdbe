"""Similarity of German questions and an incremental index to find duplicates fast.

What a score means
------------------
A score is a number from 0 to 100: the weighted share of content words two questions have
in common, where a word also counts as shared when it is a near spelling of a word in the
other question (a typo, an inflection, an ae/ä spelling) or one is a compound part of the
other ("Stadtrat" / "Stadtratssitzung"). Each side's words are weighted, and the score is
the matched weight of both sides over their total weight (a soft Dice coefficient):

* 100: the same content words (word order, case, punctuation, umlaut spelling, gendered
  forms, greetings and filler words do not count);
* about 70 to 90: the same question with a word or two added, missing or changed;
* below `SUGGEST_THRESHOLD`: a question that merely shares its subject ("Wo stehen die
  Paketstationen?" against "Wie viele Paketstationen wird es geben?").

`similarity(a, b)` weights every content word equally (question words less). A
`DuplicateIndex` weights words by how rare they are among the questions it holds (inverse
document frequency): in an event where every second question mentions "Paketstation",
that word alone does not make two questions the same. Scores from an index therefore
depend a little on what it holds; both stay in 0..100 and share one threshold.

`SUGGEST_THRESHOLD` was chosen with `scripts/eval_duplicates.py` on the labelled set in
`tests/data/duplicates_labelled.json` (see that script for the protocol and numbers).

Only the first `MAX_MATCH_CHARS` characters of a text are compared.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Iterable
from operator import itemgetter

from rapidfuzz import fuzz, process

from moderator.domain.normalize import MAX_MATCH_CHARS, QUESTION_WORDS, tokens

__all__ = ["SUGGEST_THRESHOLD", "DuplicateIndex", "match_tokens", "similarity"]

#: Suggest an existing question as a duplicate from this score on (chosen by measurement).
SUGGEST_THRESHOLD = 76.0

# A token pair counts as a near spelling from this rapidfuzz ratio on (0..100).
_TYPO_RATIO = 80.0
# Credit for a near spelling scales from _TYPO_FLOOR (at _TYPO_RATIO) to 1.0 (identical).
_TYPO_FLOOR = 0.75
# Credit when one token is the beginning or end of the other (compounds, "3d" + "modell").
_COMPOUND_CREDIT = 0.7
_COMPOUND_MIN = 4
# Weight of question words relative to an average content word.
_QUESTION_WEIGHT = 0.5

# Question words that fix what kind of answer is wanted. Two questions asking for different
# kinds (where vs. when vs. who vs. how many vs. why) are different questions, whatever
# else they share: their score is multiplied by this factor.
_DEFINITE_QUESTION_WORDS = frozenset({"wo", "wann", "wer", "wieviel", "warum"})
_QUESTION_CLASH = 0.8

# Candidate generation.
_CANDIDATES = 40
_POSTINGS_BUDGET = 12_000
_PREFIX_WEIGHT = 0.35
_AFFIX_LEN = 4


def match_tokens(text: str) -> tuple[str, ...]:
    """Content tokens of the first `MAX_MATCH_CHARS` characters of `text`."""
    return tuple(tokens(text[:MAX_MATCH_CHARS]))


def _token_credit(a: str, b: str) -> float:
    """How much token `a` counts as token `b` (0..1)."""
    if a == b:
        return 1.0
    if a in QUESTION_WORDS or b in QUESTION_WORDS:
        return 0.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= _COMPOUND_MIN and (long_.startswith(short) or long_.endswith(short)):
        return _COMPOUND_CREDIT
    if len(short) < 4:
        return 0.0
    ratio = fuzz.ratio(a, b, score_cutoff=_TYPO_RATIO)
    if not ratio:
        return 0.0
    return _TYPO_FLOOR + (1.0 - _TYPO_FLOOR) * (ratio - _TYPO_RATIO) / (100.0 - _TYPO_RATIO)


def _uniform_weight(token: str) -> float:
    return _QUESTION_WEIGHT if token in QUESTION_WORDS else 1.0


def _soft_dice(
    a: tuple[str, ...],
    b: tuple[str, ...],
    weight: Callable[[str], float],
    credit: Callable[[str, str], float] = _token_credit,
) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    matched = 0.0
    total = 0.0
    best_b = dict.fromkeys(b, 0.0)
    for ta in a:
        w = weight(ta)
        total += w
        best = 0.0
        for tb in b:
            c = credit(ta, tb)
            if c > best_b[tb]:
                best_b[tb] = c
            if c > best:
                best = c
        matched += w * best
    for tb, best in best_b.items():
        w = weight(tb)
        total += w
        matched += w * best
    score = 100.0 * matched / total if total else 0.0
    kinds_a = _DEFINITE_QUESTION_WORDS.intersection(a)
    if kinds_a:
        kinds_b = _DEFINITE_QUESTION_WORDS.intersection(b)
        if kinds_b and kinds_a.isdisjoint(kinds_b):
            score *= _QUESTION_CLASH
    return score


def similarity(a: str, b: str) -> float:
    """Score 0..100 of how much question `a` asks the same as question `b`.

    Symmetric; equal words weigh equally (see the module docstring for what the score means).
    """
    return round(_soft_dice(match_tokens(a), match_tokens(b), _uniform_weight), 1)


def _index_keys(toks: Iterable[str]) -> dict[str, float]:
    """Inverted-index keys of a token list with their kind weights.

    Whole content tokens, plus their first and last four letters so that a typo in one half
    of a word still finds it. Question words are too common to select candidates.
    """
    keys: dict[str, float] = {}
    for t in toks:
        if t in QUESTION_WORDS:
            continue
        keys[t] = 1.0
        if len(t) > _AFFIX_LEN + 1:
            keys.setdefault(t[:_AFFIX_LEN] + "<", _PREFIX_WEIGHT)
            keys.setdefault(">" + t[-_AFFIX_LEN:], _PREFIX_WEIGHT)
    return keys


class DuplicateIndex:
    """Incremental index of questions keyed by int ids, queried for likely duplicates.

    `query` selects candidates through an inverted index of content tokens and their
    prefixes/suffixes (rarest keys first, weighted by inverse document frequency), then
    scores the best `candidates` of them exactly. Not thread-safe; the caller guards it.
    """

    def __init__(self, *, candidates: int = _CANDIDATES, idf_weighting: bool = True) -> None:
        self._candidates = candidates
        self._idf_weighting = idf_weighting
        self._tokens: dict[int, tuple[str, ...]] = {}
        self._postings: dict[str, set[int]] = {}
        self._df: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._tokens

    def add(self, item_id: int, text: str) -> None:
        """Index `text` under `item_id` (replacing what was indexed under that id)."""
        if item_id in self._tokens:
            self.remove(item_id)
        toks = match_tokens(text)
        self._tokens[item_id] = toks
        df = self._df
        for t in toks:
            df[t] = df.get(t, 0) + 1
        postings = self._postings
        for key in _index_keys(toks):
            bucket = postings.get(key)
            if bucket is None:
                postings[key] = {item_id}
            else:
                bucket.add(item_id)

    def remove(self, item_id: int) -> None:
        """Forget `item_id`; unknown ids are ignored."""
        toks = self._tokens.pop(item_id, None)
        if toks is None:
            return
        df = self._df
        for t in toks:
            n = df[t] - 1
            if n:
                df[t] = n
            else:
                del df[t]
        postings = self._postings
        for key in _index_keys(toks):
            bucket = postings.get(key)
            if bucket is not None:
                bucket.discard(item_id)
                if not bucket:
                    del postings[key]

    def _weight_fn(self) -> Callable[[str], float]:
        if not self._idf_weighting:
            return _uniform_weight
        df = self._df
        n = len(self._tokens) + 1
        cache: dict[str, float] = {}

        def weight(token: str) -> float:
            w = cache.get(token)
            if w is None:
                if token in QUESTION_WORDS:
                    w = _QUESTION_WEIGHT * (1.0 + math.log1p(n / 8.0))
                else:
                    w = 1.0 + math.log1p(n / (df.get(token, 0) + 1.0))
                cache[token] = w
            return w

        return weight

    def _candidates_for(self, toks: tuple[str, ...], exclude: Collection[int]) -> list[int]:
        postings = self._postings
        n = len(self._tokens) + 1
        keyed = []
        for key, kind in _index_keys(toks).items():
            bucket = postings.get(key)
            if bucket:
                keyed.append((len(bucket), kind * math.log1p(n / len(bucket)), bucket))
        keyed.sort(key=itemgetter(0))
        acc: dict[int, float] = {}
        budget = _POSTINGS_BUDGET
        for size, w, bucket in keyed:
            if not acc:
                # the rarest key seeds the accumulator at C speed
                acc = dict.fromkeys(bucket, w)
                budget -= size
            elif size <= budget:
                budget -= size
                get = acc.get
                for item in bucket:
                    acc[item] = get(item, 0.0) + w
            else:
                for item in acc:
                    if item in bucket:
                        acc[item] += w
        for item in exclude:
            acc.pop(item, None)
        if len(acc) <= self._candidates:
            return list(acc)
        return [item for item, _ in heapq.nlargest(self._candidates, acc.items(), itemgetter(1))]

    def query(
        self,
        text: str,
        *,
        limit: int = 5,
        min_score: float | None = None,
        exclude: Collection[int] = (),
    ) -> list[tuple[int, float]]:
        """Ids of indexed questions most similar to `text`, best first, with scores 0..100.

        Only scores >= `min_score` (default `SUGGEST_THRESHOLD`) are returned; ids in
        `exclude` never are. Ties keep the lower (earlier) id first.
        """
        if min_score is None:
            min_score = SUGGEST_THRESHOLD
        toks = match_tokens(text)
        if not toks or limit <= 0 or not self._tokens:
            return []
        if not isinstance(exclude, set | frozenset | dict):
            exclude = set(exclude)
        candidates = self._candidates_for(toks, exclude)
        if not candidates:
            return []
        weight = self._weight_fn()
        credit = _cached_credit(toks, {t for c in candidates for t in self._tokens[c]})
        scored = []
        for item in candidates:
            score = round(_soft_dice(toks, self._tokens[item], weight, credit), 1)
            if score >= min_score:
                scored.append((-score, item))
        scored.sort()
        return [(item, -neg) for neg, item in scored[:limit]]


def _cached_credit(query: tuple[str, ...], others: set[str]) -> Callable[[str, str], float]:
    """`_token_credit` for one query against many candidates, with near spellings found in
    one rapidfuzz call per query token instead of one call per token pair."""
    choices = [t for t in others if len(t) >= 4 and t not in QUESTION_WORDS]
    table: dict[tuple[str, str], float] = {}
    for q in query:
        if q in QUESTION_WORDS or len(q) < 4:
            continue
        for choice, _score, _i in process.extract(
            q, choices, scorer=fuzz.ratio, score_cutoff=_TYPO_RATIO, limit=None
        ):
            table[q, choice] = _token_credit(q, choice)

    def credit(a: str, b: str) -> float:
        if a == b:
            return 1.0
        c = table.get((a, b))
        if c is not None:
            return c
        if a in QUESTION_WORDS or b in QUESTION_WORDS:
            return 0.0
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        if len(short) >= _COMPOUND_MIN and (long_.startswith(short) or long_.endswith(short)):
            return _COMPOUND_CREDIT
        return 0.0

    return credit
