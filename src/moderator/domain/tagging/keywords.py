"""The evidence of a question's words: the projects' keywords, aliases and names matched
against it (exactly, inflected, as parts of compounds, by rapidfuzz against typos), each
keyword once per question, weighted by how many projects share it; plus the words about
the event itself for the general block."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from moderator.domain.models import Project
from moderator.domain.tagging.words import (
    STOPWORDS,
    event_evidence,
    key,
    learnable,
    normalize_tokens,
    stem,
)

#: Only the beginning of a text is analysed; a question is never longer.
MAX_TEXT_CHARS = 20_000

# Weights of one keyword occurrence by how it matched.
_EXACT = 1.0
_INFLECTED = 0.9  # keyword plus a short ending: "Stadtrats", "Autos"
_HEAD = 0.85  # keyword as the last part of a compound: "Elektroladesäulen"
_MODIFIER = 0.8  # keyword as a first or inner part: "Paketdienste", "Begegnungsorte"
_FUZZY = 0.7
# Multipliers by where the keyword comes from.
_ALIAS = 2.0
_GENERAL = 0.6
_FUZZY_CUTOFF = 85.0
_FUZZY_CUTOFF_SHORT = 90.0  # words under 8 letters: one letter added or dropped, not swapped
_FUZZY_MIN_LEN = 5
_CACHE_LIMIT = 200_000
_NOWHERE = 1 << 30


@dataclass(frozen=True, slots=True)
class Analysis:
    """The evidence for each project (in the tagger's project order) found in one text."""

    scores: list[float]
    alias_hits: list[bool]
    first: list[int]  # token position of the first evidence per project
    evidence: list[list[str]]
    unmatched: set[str]  # content words no keyword explains: what `learn` records


@dataclass(frozen=True, slots=True)
class _Owner:
    project: int
    alias: bool


def stems(tokens: Iterable[str], keep_stopwords: bool = False) -> list[str]:
    """The matching keys of `tokens`, stop words left out unless `keep_stopwords`."""
    keys = [key(t) for t in tokens]
    if keep_stopwords:
        return keys
    return [s for s in keys if s not in STOPWORDS]


class KeywordMatcher:
    """The keywords, aliases and names of `projects` (in that order; `general`: the index
    of the general block), matched against a text by `analyse`."""

    def __init__(self, projects: Sequence[Project], general: int | None) -> None:
        self._general = general
        self._count = len(projects)
        # stem -> owners (project, alias?) for one-word keywords; phrases keyed by first stem.
        owners: dict[str, dict[int, bool]] = {}
        phrases: dict[tuple[str, ...], dict[int, bool]] = {}
        for i, project in enumerate(projects):
            entries = [(kw, False) for kw in project.keywords]
            entries += [(alias, True) for alias in (project.name, *project.aliases)]
            for entry, alias in entries:
                found = stems(normalize_tokens(entry), keep_stopwords=True)
                if not found:
                    continue
                single = found[0] if len(found) == 1 else stem("".join(found))
                slot = owners.setdefault(single, {})
                slot[i] = slot.get(i, False) or alias
                if len(found) > 1:
                    slot = phrases.setdefault(tuple(found), {})
                    slot[i] = slot.get(i, False) or alias
        self._owners = {s: tuple(_Owner(p, a) for p, a in o.items()) for s, o in owners.items()}
        self._phrases = {s: tuple(_Owner(p, a) for p, a in o.items()) for s, o in phrases.items()}
        self._phrase_starts: dict[str, list[tuple[str, ...]]] = {}
        for phrase in self._phrases:
            self._phrase_starts.setdefault(phrase[0], []).append(phrase)
        self._keyword_stems = sorted(self._owners, key=len, reverse=True)
        self._fuzzy_choices = [s for s in self._keyword_stems if len(s) >= _FUZZY_MIN_LEN]
        self._token_cache: dict[str, tuple[tuple[str, float], ...]] = {}

    def analyse(self, text: str) -> Analysis:
        """The keyword and event evidence of `text` for every project, and its words no
        keyword explains."""
        n = self._count
        result = Analysis([0.0] * n, [False] * n, [_NOWHERE] * n, [[] for _ in range(n)], set())
        tokens = normalize_tokens(text[:MAX_TEXT_CHARS])
        keys = [key(t) for t in tokens]
        # keyword -> (best match weight, first position); each keyword counts once per question
        found: dict[str, tuple[float, int]] = {}
        covered: dict[int, set[int]] = {}  # token position -> projects of a phrase covering it
        for pos, word in enumerate(keys):
            for phrase in self._phrase_starts.get(word, ()):
                end = pos + len(phrase)
                if tuple(keys[pos:end]) == phrase:
                    found.setdefault(" ".join(phrase), (_EXACT, pos))
                    projects = {o.project for o in self._phrases[phrase]}
                    for p in range(pos, end):
                        covered.setdefault(p, set()).update(projects)
        for pos, word in enumerate(keys):
            if word in STOPWORDS:
                continue
            matches = self._match_token(word)
            if not matches and pos not in covered and learnable(word):
                result.unmatched.add(word)
            for keyword, weight in matches:
                if pos in covered and not covered[pos] & {o.project for o in self._owners[keyword]}:
                    continue
                previous = found.get(keyword)
                if previous is None:
                    found[keyword] = (weight, pos)
                elif weight > previous[0]:
                    found[keyword] = (weight, previous[1])
        for keyword, (weight, pos) in found.items():
            owners = (
                self._phrases[tuple(keyword.split(" "))]
                if " " in keyword
                else self._owners[keyword]
            )
            share = weight / len(owners)
            for owner in owners:
                value = share * (_ALIAS if owner.alias else 1.0)
                if owner.project == self._general:
                    value *= _GENERAL
                result.scores[owner.project] += value
                result.alias_hits[owner.project] |= owner.alias
                result.first[owner.project] = min(result.first[owner.project], pos)
                result.evidence[owner.project].append(keyword)
        if self._general is not None:
            event = event_evidence(keys)
            if event:
                result.scores[self._general] += event
                result.evidence[self._general].append("event")
        return result

    def _match_token(self, word: str) -> tuple[tuple[str, float], ...]:
        """Keywords matching one (stemmed, folded) token with their weights; cached."""
        cached = self._token_cache.get(word)
        if cached is not None:
            return cached
        if len(self._token_cache) >= _CACHE_LIMIT:
            self._token_cache.clear()
        matches: list[tuple[str, float]] = []
        if word in self._owners:
            matches.append((word, _EXACT))
        else:
            for keyword in [k for k in self._keyword_stems if k in word]:
                weight = _compound_weight(word, keyword)
                if weight:
                    matches.append((keyword, weight))
        if matches:
            # a keyword inside a longer matching keyword does not count on its own:
            # "Verkehrsdaten" is not "Verkehr", "aufladen" is not "Laden" (a shop)
            matches = [(k, w) for k, w in matches if not any(k != o and k in o for o, _ in matches)]
        elif len(word) >= _FUZZY_MIN_LEN and not word.isdigit():
            cutoff = _FUZZY_CUTOFF if len(word) >= 8 else _FUZZY_CUTOFF_SHORT
            best = process.extractOne(
                word, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=cutoff
            )
            if best is not None:
                matches.append((best[0], _FUZZY))
        result = tuple(matches)
        self._token_cache[word] = result
        return result


def _compound_weight(word: str, keyword: str) -> float:
    """How strongly `keyword` as a part of the longer word `word` counts (0: not a part)."""
    if len(keyword) >= len(word):
        return 0.0
    if word.endswith(keyword):
        return _HEAD
    if len(keyword) <= 3:  # short words only as the head of a compound: "Schulbus"
        return 0.0
    if word.startswith(keyword):
        return _INFLECTED if len(word) - len(keyword) <= 3 else _MODIFIER
    if len(keyword) >= 5 and keyword in word:
        return _MODIFIER
    return 0.0
