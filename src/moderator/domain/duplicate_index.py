"""An incremental index of questions to find likely duplicates fast.

Candidates come from an inverted index of content words (and, with a sentence encoder, from
the nearest questions by meaning); each candidate is then scored with the lexical scorer of
`moderator.domain.similarity`, or with the fused scorer of `moderator.domain.fusion` where
both questions carry a meaning vector. Pure computation, no I/O.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any

import numpy.typing as npt

from moderator.domain.fusion import FusionModel
from moderator.domain.pair_features import Prepared, pair_features, prepare
from moderator.domain.question_kind import question_kinds
from moderator.domain.similarity import (
    SUGGEST_THRESHOLD,
    idf_weight,
    score_features,
    score_prepared,
)
from moderator.domain.vectors import VectorIndex

__all__ = ["DuplicateIndex"]

# What the index weighs of one candidate: (its id, the lexical pair features or None, the
# cosine or None, (the query's kinds of question, the candidate's)).
Pair = tuple[int, tuple[float, ...] | None, float | None, tuple[frozenset[str], frozenset[str]]]

# Candidate generation. A query reads whole postings lists, rarest first, while they fit
# in `_POSTINGS_BUDGET`; a list too long for what is left only adds to the candidates
# gathered so far (a look-up per candidate). All of that together, lists read and
# candidates looked up, stops at `_WORK_BUDGET`, so a query costs the same however many
# similar questions the index holds (10,000 copies of one question made the work grow with
# the index, and an import of them quadratic). Where even the rarest list is longer than
# `_POSTINGS_BUDGET`, no key narrows the search: its newest `_SAMPLE` entries are the
# candidates.
_CANDIDATES = 8
_VECTOR_CANDIDATES = 16  # nearest by meaning, added to the lexical candidates
# A search by meaning: above the median cosine by this, and within the band of the best.
_SEARCH_MARGIN = 0.05
_SEARCH_BAND = 0.035
_POSTINGS_BUDGET = 4_000
_WORK_BUDGET = 2 * _POSTINGS_BUDGET
_SAMPLE = 500
_AFFIX_WEIGHT = 0.35
_AFFIX_LEN = 4


def _index_keys(p: Prepared) -> dict[str, float]:
    """Inverted-index keys of a prepared question with their kind weights.

    Whole content tokens and their first and last four letters (so that a typo in one half
    of a word, or another compound with the same head, still finds it). Concept classes are
    not keys: their postings are too long to keep queries fast at 100k questions.
    """
    keys: dict[str, float] = {}
    for t in p.tokens:
        keys[t] = 1.0
        if len(t) > _AFFIX_LEN + 1:
            keys.setdefault(t[:_AFFIX_LEN] + "<", _AFFIX_WEIGHT)
            keys.setdefault(">" + t[-_AFFIX_LEN:], _AFFIX_WEIGHT)
    return keys


class DuplicateIndex:
    """Incremental index of questions keyed by int ids, queried for likely duplicates.

    `query` selects candidates through an inverted index of content tokens and their
    prefixes/suffixes (rarest keys first, weighted by inverse document
    frequency), then scores the best `candidates` of them with the pair model.

    With a `fusion` model, questions can also carry a sentence-encoder vector (`add` or
    `set_vector`): a query with a vector then also takes the nearest questions by meaning as
    candidates, and scores every candidate that has a vector with the fused model
    (`moderator.domain.fusion`); the others keep the lexical score. Not thread-safe; the
    caller guards it.
    """

    def __init__(
        self,
        *,
        candidates: int = _CANDIDATES,
        idf_weighting: bool = True,
        fusion: FusionModel | None = None,
        vector_candidates: int = _VECTOR_CANDIDATES,
        max_items: int | None = None,
    ) -> None:
        """`max_items`: hold at most this many questions; adding one more forgets the
        oldest (first added), so memory stays bounded however large the event grows."""
        self._candidates = candidates
        self._max_items = max_items
        self._idf_weighting = idf_weighting
        self._items: dict[int, Prepared] = {}
        # key -> ids in insertion order (a dict used as an ordered set: newest last)
        self._postings: dict[str, dict[int, None]] = {}
        self._df: dict[str, int] = {}
        self._last: tuple[str, Prepared] | None = None
        self.fusion = fusion
        self._vector_candidates = vector_candidates
        self._vectors: VectorIndex | None = None
        self._kinds: dict[int, frozenset[str]] = {}

    def _prepare(self, text: str) -> Prepared:
        # A question is usually queried and then added: prepare it once.
        if self._last is not None and self._last[0] == text:
            return self._last[1]
        prepared = prepare(text)
        self._last = (text, prepared)
        return prepared

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    @property
    def vectors(self) -> int:
        """How many indexed questions carry a meaning vector."""
        return len(self._vectors) if self._vectors is not None else 0

    def has_vector(self, item_id: int) -> bool:
        return self._vectors is not None and item_id in self._vectors

    def search_by_meaning(self, vector: npt.ArrayLike) -> list[tuple[int, float]]:
        """Indexed questions that stand out by meaning for a search text's `vector`."""
        if self._vectors is None:
            return []
        return self._vectors.search(vector, margin=_SEARCH_MARGIN, band=_SEARCH_BAND)

    def vector(self, item_id: int) -> npt.NDArray[Any] | None:
        """The meaning vector stored for `item_id`, if any."""
        return self._vectors.vector(item_id) if self._vectors is not None else None

    def set_vector(self, item_id: int, vector: npt.ArrayLike, *, unit: bool = False) -> None:
        """Give the indexed question `item_id` its meaning vector (ignored without a fusion
        model or for an id that is not indexed); `unit`: it has length 1 already."""
        if self.fusion is None or item_id not in self._items:
            return
        if self._vectors is None:
            self._vectors = VectorIndex(len(vector))  # type: ignore[arg-type]
        self._vectors.add(item_id, vector, unit=unit)

    def add(
        self, item_id: int, text: str, vector: npt.ArrayLike | None = None, *, unit: bool = False
    ) -> None:
        """Index `text` under `item_id` (replacing what was indexed under that id), with its
        meaning vector if there is one (`unit`: of length 1 already, as stored ones are)."""
        if item_id in self._items:
            self.remove(item_id)
        p = self._prepare(text)
        self._items[item_id] = p
        self._kinds[item_id] = question_kinds(text, normalized=p.norm)
        if vector is not None:
            self.set_vector(item_id, vector, unit=unit)
        df = self._df
        for t in p.tokens:
            df[t] = df.get(t, 0) + 1
        postings = self._postings
        for key in _index_keys(p):
            bucket = postings.get(key)
            if bucket is None:
                postings[key] = {item_id: None}
            else:
                bucket[item_id] = None
        if self._max_items is not None and len(self._items) > self._max_items:
            self.remove(next(iter(self._items)))

    def remove(self, item_id: int) -> None:
        """Forget `item_id`; unknown ids are ignored."""
        p = self._items.pop(item_id, None)
        if p is None:
            return
        self._kinds.pop(item_id, None)
        if self._vectors is not None:
            self._vectors.remove(item_id)
        df = self._df
        for t in p.tokens:
            n = df[t] - 1
            if n:
                df[t] = n
            else:
                del df[t]
        postings = self._postings
        for key in _index_keys(p):
            bucket = postings.get(key)
            if bucket is not None:
                bucket.pop(item_id, None)
                if not bucket:
                    del postings[key]

    def _candidates_for(
        self, p: Prepared, exclude: Collection[int], before: int | None = None
    ) -> list[int]:
        postings = self._postings
        n = len(self._items) + 1
        keyed = []
        for key, kind in _index_keys(p).items():
            bucket = postings.get(key)
            if bucket:
                keyed.append((len(bucket), kind * math.log1p(n / len(bucket)), bucket))
        keyed.sort(key=itemgetter(0))
        acc: dict[int, float] = {}
        budget = _POSTINGS_BUDGET  # postings read in full
        work = _WORK_BUDGET  # postings read and candidates looked up
        for size, w, bucket in keyed:
            if not acc:
                # the rarest key seeds the accumulator at C speed (its newest entries only,
                # when even it is longer than the budget: the newest before `before`
                # among the newest `work` of them)
                if size > budget:
                    newest: Iterable[int] = islice(reversed(bucket), work)
                    if before is not None:
                        newest = (item for item in newest if item < before)
                    acc = dict.fromkeys(islice(newest, _SAMPLE), w)
                    work -= _SAMPLE
                else:
                    acc = dict.fromkeys(bucket, w)
                    work -= len(acc)
                budget -= len(acc)
            elif size <= budget:
                budget -= size
                work -= size
                get = acc.get
                for item in bucket:
                    acc[item] = get(item, 0.0) + w
            elif len(acc) <= work:
                work -= len(acc)
                for item in acc:
                    if item in bucket:
                        acc[item] += w
            else:
                break
        for item in exclude:
            acc.pop(item, None)
        if before is not None:
            acc = {item: w for item, w in acc.items() if item < before}
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
        vector: npt.ArrayLike | None = None,
        before: int | None = None,
        fill: int = 0,
    ) -> list[tuple[int, float]]:
        """Ids of indexed questions most similar to `text`, best first, with scores 0..100.

        Only scores >= `min_score` (default `SUGGEST_THRESHOLD`) are returned; ids in
        `exclude` never are, nor ids from `before` on (a question is matched against those
        that arrived before it). `vector`: the question's meaning vector (see the class
        docstring). Ties keep the lower (earlier) id first. `fill`: when fewer than `fill`
        reach `min_score`, the questions nearest by meaning follow, closest first, with
        their (lower) scores, up to `fill` in all (none without a vector).
        """
        if min_score is None:
            min_score = SUGGEST_THRESHOLD
        p = self._prepare(text)
        if limit <= 0 or not self._items:
            return []
        use_vectors = vector is not None and self._vectors is not None and self.fusion
        if not p.tokens and not use_vectors:
            return []
        if not isinstance(exclude, set | frozenset | dict):
            exclude = set(exclude)
        candidates = self._candidates_for(p, exclude, before) if p.tokens else []
        cosines: dict[int, float] = {}
        if use_vectors:
            assert self._vectors is not None and vector is not None
            for item, near in self._vectors.nearest(
                vector, self._vector_candidates, exclude=exclude, before=before
            ):
                cosines[item] = near
            seen = set(candidates)
            candidates.extend(item for item in cosines if item not in seen)
        if not candidates:
            return []
        scored = []
        below: dict[int, float] = {}  # scores under `min_score`, kept for `fill`
        weight = self._weight()
        own_weights = [weight(t) for t in p.tokens]  # once per query, not per candidate
        pairs = self._pairs(p, text, candidates, vector, cosines, weight, own_weights)
        for item, lexical, cos, kinds in pairs:
            if cos is None or self.fusion is None:
                score = score_prepared(p, self._items[item], weight, own_weights)
            elif (
                p.tokens
                and p.token_set == self._items[item].token_set
                and p.intents == self._items[item].intents
            ):
                score = 100.0  # the same words and question words: the same question
            else:
                # Both scorers are calibrated onto one scale: a pair either is sure of counts
                # (the words alone are surer of near-identical wordings), unless the two ask
                # for different kinds of answer, which only the fused scorer weighs.
                score = self.fusion.score(self.fusion.features(lexical, *kinds, cos))
                own, its = kinds
                if not (own and its and own.isdisjoint(its)) and lexical is not None:
                    # what `score_prepared` gives, from the features computed already
                    score = max(score, round(score_features(lexical), 1))
            if score >= min_score:
                scored.append((-score, item))
            elif fill:
                below[item] = score
        scored.sort()
        found = [(item, -neg) for neg, item in scored[:limit]]
        if len(found) < fill and below:
            # The scorer is unsure of the rest: the nearest by meaning are the best guess.
            nearest = sorted((i for i in below if i in cosines), key=lambda i: -cosines[i])
            found += [(item, below[item]) for item in nearest[: fill - len(found)]]
        return found

    def _weight(self) -> Callable[[str], float]:
        return idf_weight(self._df, len(self._items)) if self._idf_weighting else lambda _t: 1.0

    def _pairs(
        self,
        p: Prepared,
        text: str,
        candidates: list[int],
        vector: npt.ArrayLike | None,
        cosines: dict[int, float],
        weight: Callable[[str], float],
        own_weights: Sequence[float] | None = None,
    ) -> Iterator[Pair]:
        """(candidate, lexical features, cosine or None, (own kinds, its kinds)) per candidate."""
        vectors = self._vectors if vector is not None and self.fusion is not None else None
        own_kinds = question_kinds(text, normalized=p.norm) if vectors is not None else frozenset()
        for item in candidates:
            cos = None
            if vectors is not None:
                cos = cosines.get(item)
                if cos is None:
                    cos = vectors.cosine(vector, item)  # type: ignore[arg-type]
            lexical = (
                pair_features(p, self._items[item], weight, own_weights)
                if cos is not None
                else None
            )
            yield item, lexical, cos, (own_kinds, self._kinds.get(item, frozenset()))

    def candidate_pairs(
        self,
        text: str,
        vector: npt.ArrayLike | None = None,
        *,
        before: int | None = None,
    ) -> list[Pair]:
        """What `query` weighs for each candidate, unscored (for fitting the fused model)."""
        p = self._prepare(text)
        candidates = self._candidates_for(p, set(), before) if p.tokens else []
        cosines: dict[int, float] = {}
        if vector is not None and self._vectors is not None and self.fusion is not None:
            cosines = dict(self._vectors.nearest(vector, self._vector_candidates, before=before))
            seen = set(candidates)
            candidates.extend(item for item in cosines if item not in seen)
        return list(self._pairs(p, text, candidates, vector, cosines, self._weight()))
