"""Suggest the project a webinar question belongs to.

The event configuration gives every project a name, aliases and keywords (German). A question
is scored against them after a small German normalisation:

* casefold, umlauts spelled out (ä → ae, ß → ss), accents dropped, and for matching the
  spelled-out umlauts folded once more (ae → a) so that "Plätze"/"Platz", "Läden"/"Laden" and
  "Fahrpläne"/"Fahrplan" meet;
* hyphenated words are read both joined and in parts ("3D-Modell" → "3dmodell", "3d", "modell");
* a light suffix stemmer for inflections ("Sensoren" → "sensor", "Blinden" → "blind");
* compound parts: a keyword inside a longer word counts ("Paketstationen", "Elektroladesäulen");
  when several keywords fit one word, the longest wins ("Verkehrsdaten" is platform data, not
  traffic; "aufladen" is charging, not a shop);
* typos: rapidfuzz's ratio against the keywords for words that match nothing exactly.

Each keyword counts once per question, weighted by how many projects share it; aliases and
project names weigh more (an explicit project name is the strongest evidence), the general
block's keywords less (it is the fallback anyway). Below a minimum of evidence the general block
is suggested. `Tagger.learn` records the words of questions a moderator confirmed, so they weigh
towards that project for the rest of the event.

With a sentence encoder (`set_meaning`), a question's vector adds evidence by meaning: its
cosine with each project's description and keywords, and with the questions already confirmed
for that project (the three closest), centred over the projects and weighted by `_MEANING`
(chosen on the dev split with `scripts/eval_tagging.py --embedder e5`). "Paketboxen" then
finds "Lokale Logistik" without being a keyword.

Pure Python apart from rapidfuzz: no I/O.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from moderator.domain.models import Project

__all__ = ["MAX_TEXT_CHARS", "TagSuggestion", "Tagger"]

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
# Below this evidence the general block is suggested.
_MIN_EVIDENCE = 0.65
# A second project needs this much evidence to be shown as runner-up.
_MIN_RUNNER_UP = 0.5
# Weight of what `learn` recorded.
_LEARN_WEIGHT = 0.6
# At most this much learned evidence per project and question: enough to lift a question out
# of the general fallback or to break a tie, never enough to outvote two keywords.
_LEARN_CAP = 0.9
_MIN_LEARNED = 4  # shorter words are not learned
_FUZZY_CUTOFF = 85.0
_FUZZY_CUTOFF_SHORT = 90.0  # words under 8 letters: one letter added or dropped, not swapped
_FUZZY_MIN_LEN = 5
_CACHE_LIMIT = 200_000
# Evidence by meaning: the centred cosines times this (see the module docstring).
_MEANING = 22.5
_MEANING_NEIGHBOURS = 3  # confirmed questions a project's learned similarity averages
_MEANING_LEARNED = 500  # vectors kept per project (the newest)

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_HYPHENATED = re.compile(r"[a-z0-9]+(?:[-‐‑–][a-z0-9]+)+|[a-z0-9]+")
_HYPHEN = re.compile(r"[-‐‑–]")
_SUFFIXES = ("ern", "en", "er", "es", "em", "e")
_MIN_STEM = 3

# Function words, question words and words every webinar question uses. They are never
# matched against keywords and never learned.
_STOPWORDS_TEXT = """
aber alle allem allen aller alles also am an ander andere anderen anders auch auf aus bei
beim bereits bin bis bisher bitte bleibt da dabei dadurch dafuer dagegen daher damit dann
daran darauf darf darueber das dass davon dazu dem den denen denn der deren des deshalb
dessen die dies diese diesem diesen dieser dieses doch dort du durch ein eine einem einen
einer eines einfach einmal eigentlich er es etwa etwas euch euer fuer gab ganz gar geben
gibt gerade gern gerne geht gehen gemacht genau gilt gut hab habe haben hat hatte hier
hin hinaus ich ihr ihre ihrem ihren ihrer im immer in ins insgesamt ist ja jede jedem jeden
jeder jetzt kann kein keine keinen koennen koennte konkret man mehr mein meine meinem
meinen meiner mich mir mit moechte moeglich moeglichkeit muss muessen nach nein nicht
nichts noch nun nur ob oder ohne schon sehr sein seine seit sich sie sind so soll sollen
sollte sondern sonst ueber um und uns unser unsere unter viel viele vielen vom von vor
wann war waere warum was weil welche welchem welchen welcher welches wenn wer werden wie
wieder wieso wir wird wo wobei wohl wollen worden wurde wuerde wurden zu zum zur zwar
zwischen heute dann gut bald spaeter frage fragen danke hallo bzw usw eigentlich
stadt kaiserslautern kl projekt projekte projekten smart city geplant plan plaene
automatisch innen leute menschen buerger buergerin buergerinnen
"""


def _fold(token: str) -> str:
    """Fold spelled-out umlauts once more so umlaut plurals meet their singular."""
    return token.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=65_536)
def _key(token: str) -> str:
    """The matching key of a normalised token: folded and stemmed."""
    return _stem(_fold(token))


def normalize_tokens(text: str) -> list[str]:
    """Casefolded, umlaut-spelled, accent-free word tokens; hyphenated words joined and split."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    tokens: list[str] = []
    for match in _HYPHENATED.finditer(text):
        word = match.group()
        if not word.isalnum():
            parts = _HYPHEN.split(word)
            tokens.append("".join(parts))
            tokens.extend(parts)
        else:
            tokens.append(word)
    return tokens


_STOPWORDS = frozenset(_stem(_fold(w)) for w in _STOPWORDS_TEXT.split())

# Words about the webinar itself and taking part in it: a question that uses them ("Wann
# ist die Aufzeichnung verfügbar? Mich interessiert der Teil zum Bus.") is organisational
# and belongs to the general block unless a project is really its subject. Each counts
# once towards the general block: the things of the event (recording, slides, link)
# `_EVENT_THING`, taking part (register, take part) `_EVENT_TAKING_PART`, together at
# most `_EVENT_CAP` (weights chosen on the dev splits with `scripts/eval_tagging.py`).
_EVENT_THINGS_TEXT = """
webinar webinars webseminar seminar veranstaltung veranstaltungen aufzeichnung aufzeichnungen
mitschnitt folien foliensatz praesentation praesentationen link links zugangsdaten
einwahldaten einwahl zugangslink newsletter untertitel untertiteln teilnahmebestaetigung
protokoll pdf herunterladen download browser tablet chat gebaerdensprache
recording slides
"""
_EVENT_TAKING_PART_TEXT = """
anmelden anmeldung angemeldet registrieren registrierung teilnahme teilnehmen teilnehmende
teilnehmer verschickt zugeschickt nachlesen ansehen anschauen verpasst
register registration attend
"""
_EVENT_THINGS = frozenset(_stem(_fold(w)) for w in _EVENT_THINGS_TEXT.split())
_EVENT_TAKING_PART = frozenset(_stem(_fold(w)) for w in _EVENT_TAKING_PART_TEXT.split())
_EVENT_THING = 1.0
_EVENT_TAKING_PART_WEIGHT = 0.75
_EVENT_CAP = 2.5


@dataclass(frozen=True, slots=True)
class TagSuggestion:
    """The suggested project of a question, with a 0..1 confidence and a possible second one."""

    project_key: str
    confidence: float
    runner_up: str | None
    runner_up_confidence: float


_NOWHERE = 1 << 30


@dataclass(frozen=True, slots=True)
class _Analysis:
    scores: list[float]
    alias_hits: list[bool]
    first: list[int]  # token position of the first evidence per project
    evidence: list[list[str]]
    unmatched: set[str]  # content words no keyword explains: what `learn` records


@dataclass(frozen=True, slots=True)
class _Owner:
    project: int
    alias: bool


class Tagger:
    """Suggests projects for questions; learns from the moderator's decisions during an event."""

    def __init__(self, projects: Sequence[Project]) -> None:
        if not projects:
            raise ValueError("Tagger needs at least one project")
        self._projects = tuple(sorted(projects, key=lambda p: p.order))
        self._index = {p.key: i for i, p in enumerate(self._projects)}
        general = [i for i, p in enumerate(self._projects) if p.general]
        self._general = general[0] if general else None
        # stem -> owners (project, alias?) for one-word keywords; phrases keyed by first stem.
        owners: dict[str, dict[int, bool]] = {}
        phrases: dict[tuple[str, ...], dict[int, bool]] = {}
        for i, project in enumerate(self._projects):
            entries = [(kw, False) for kw in project.keywords]
            entries += [(alias, True) for alias in (project.name, *project.aliases)]
            for entry, alias in entries:
                stems = self._stems(normalize_tokens(entry), keep_stopwords=True)
                if not stems:
                    continue
                single = stems[0] if len(stems) == 1 else _stem("".join(stems))
                slot = owners.setdefault(single, {})
                slot[i] = slot.get(i, False) or alias
                if len(stems) > 1:
                    slot = phrases.setdefault(tuple(stems), {})
                    slot[i] = slot.get(i, False) or alias
        self._owners = {s: tuple(_Owner(p, a) for p, a in o.items()) for s, o in owners.items()}
        self._phrases = {s: tuple(_Owner(p, a) for p, a in o.items()) for s, o in phrases.items()}
        self._phrase_starts: dict[str, list[tuple[str, ...]]] = {}
        for phrase in self._phrases:
            self._phrase_starts.setdefault(phrase[0], []).append(phrase)
        self._keyword_stems = sorted(self._owners, key=len, reverse=True)
        self._fuzzy_choices = [s for s in self._keyword_stems if len(s) >= _FUZZY_MIN_LEN]
        self._token_cache: dict[str, tuple[tuple[str, float], ...]] = {}
        self._learned: dict[str, dict[int, int]] = {}
        self._prototypes: npt.NDArray[np.float32] | None = None
        self._learned_vectors: list[list[npt.NDArray[np.float32]]] = [[] for _ in self._projects]

    # -- public API ---------------------------------------------------------------------------

    @property
    def projects(self) -> tuple[Project, ...]:
        return self._projects

    @staticmethod
    def project_text(project: Project) -> str:
        """What a project's meaning vector is made of: its name, description and keywords."""
        return f"{project.name}: {project.description} {', '.join(project.keywords)}".strip()

    def set_meaning(self, prototypes: npt.ArrayLike) -> None:
        """Unit vectors of `project_text` for every project, in `projects` order."""
        matrix = np.asarray(prototypes, dtype=np.float32)
        if matrix.shape[0] != len(self._projects):
            raise ValueError("one vector per project is needed")
        self._prototypes = matrix

    @property
    def has_meaning(self) -> bool:
        return self._prototypes is not None

    def suggest(self, text: str, vector: npt.ArrayLike | None = None) -> TagSuggestion:
        """The most likely project of `text` (with its meaning vector, if there is one); the
        general block when nothing fits."""
        analysis = self._analyse(text)
        if vector is not None and self._prototypes is not None:
            self._add_meaning(analysis, np.asarray(vector, dtype=np.float32))
        return self._decide(analysis)

    def _add_meaning(self, analysis: _Analysis, vector: npt.NDArray[np.float32]) -> None:
        assert self._prototypes is not None
        cos = self._prototypes @ vector
        for i, learned in enumerate(self._learned_vectors):
            if learned:
                near = np.sort(np.asarray(learned) @ vector)[-_MEANING_NEIGHBOURS:]
                cos[i] = max(cos[i], float(near.mean()))
        for i, value in enumerate((cos - cos.mean()) * _MEANING):
            analysis.scores[i] += float(value)

    def suggest_many(self, texts: Sequence[str]) -> list[TagSuggestion]:
        return [self.suggest(text) for text in texts]

    def explain(self, text: str) -> dict[str, tuple[str, ...]]:
        """The evidence per project key: matched keyword stems and learned words."""
        analysis = self._analyse(text)
        return {
            self._projects[i].key: tuple(words)
            for i, words in enumerate(analysis.evidence)
            if words
        }

    def learn(self, text: str, project_key: str, vector: npt.ArrayLike | None = None) -> None:
        """Record a moderator's decision: the words (and the meaning vector) of `text` weigh
        towards `project_key`."""
        try:
            project = self._index[project_key]
        except KeyError:
            raise ValueError(f"unknown project key {project_key!r}") from None
        if vector is not None:
            kept = self._learned_vectors[project]
            kept.append(np.asarray(vector, dtype=np.float32))
            del kept[:-_MEANING_LEARNED]
        for stem in self._analyse(text).unmatched:
            counts = self._learned.setdefault(stem, {})
            counts[project] = counts.get(project, 0) + 1

    # -- scoring ------------------------------------------------------------------------------

    @staticmethod
    def _stems(tokens: Iterable[str], keep_stopwords: bool = False) -> list[str]:
        stems = [_key(t) for t in tokens]
        if keep_stopwords:
            return stems
        return [s for s in stems if s not in _STOPWORDS]

    def _analyse(self, text: str) -> _Analysis:
        n = len(self._projects)
        result = _Analysis([0.0] * n, [False] * n, [_NOWHERE] * n, [[] for _ in range(n)], set())
        tokens = normalize_tokens(text[:MAX_TEXT_CHARS])
        stems = [_key(t) for t in tokens]
        # keyword -> (best match weight, first position); each keyword counts once per question
        found: dict[str, tuple[float, int]] = {}
        covered: dict[int, set[int]] = {}  # token position -> projects of a phrase covering it
        for pos, stem in enumerate(stems):
            for phrase in self._phrase_starts.get(stem, ()):
                end = pos + len(phrase)
                if tuple(stems[pos:end]) == phrase:
                    found.setdefault(" ".join(phrase), (_EXACT, pos))
                    projects = {o.project for o in self._phrases[phrase]}
                    for p in range(pos, end):
                        covered.setdefault(p, set()).update(projects)
        for pos, stem in enumerate(stems):
            if stem in _STOPWORDS:
                continue
            matches = self._match_token(stem)
            if not matches and pos not in covered and _learnable(stem):
                result.unmatched.add(stem)
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
            event = _event_evidence(stems)
            if event:
                result.scores[self._general] += event
                result.evidence[self._general].append("event")
        if self._learned:
            learned = [0.0] * n
            for stem in result.unmatched:
                counts = self._learned.get(stem)
                if not counts:
                    continue
                total = sum(counts.values()) + 0.5
                for project, count in counts.items():
                    learned[project] += _LEARN_WEIGHT * count / total
                    result.evidence[project].append(f"learned:{stem}")
            for project, value in enumerate(learned):
                result.scores[project] += min(value, _LEARN_CAP)
        return result

    def _match_token(self, stem: str) -> tuple[tuple[str, float], ...]:
        """Keywords matching one (stemmed, folded) token with their weights; cached."""
        cached = self._token_cache.get(stem)
        if cached is not None:
            return cached
        if len(self._token_cache) >= _CACHE_LIMIT:
            self._token_cache.clear()
        matches: list[tuple[str, float]] = []
        if stem in self._owners:
            matches.append((stem, _EXACT))
        else:
            for keyword in [k for k in self._keyword_stems if k in stem]:
                weight = self._compound_weight(stem, keyword)
                if weight:
                    matches.append((keyword, weight))
        if matches:
            # a keyword inside a longer matching keyword does not count on its own:
            # "Verkehrsdaten" is not "Verkehr", "aufladen" is not "Laden" (a shop)
            matches = [(k, w) for k, w in matches if not any(k != o and k in o for o, _ in matches)]
        elif len(stem) >= _FUZZY_MIN_LEN and not stem.isdigit():
            cutoff = _FUZZY_CUTOFF if len(stem) >= 8 else _FUZZY_CUTOFF_SHORT
            best = process.extractOne(
                stem, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=cutoff
            )
            if best is not None:
                matches.append((best[0], _FUZZY))
        result = tuple(matches)
        self._token_cache[stem] = result
        return result

    @staticmethod
    def _compound_weight(stem: str, keyword: str) -> float:
        """How strongly `keyword` as a part of the longer word `stem` counts (0: not a part)."""
        if len(keyword) >= len(stem):
            return 0.0
        if stem.endswith(keyword):
            return _HEAD
        if len(keyword) <= 3:  # short words only as the head of a compound: "Schulbus"
            return 0.0
        if stem.startswith(keyword):
            return _INFLECTED if len(stem) - len(keyword) <= 3 else _MODIFIER
        if len(keyword) >= 5 and keyword in stem:
            return _MODIFIER
        return 0.0

    # -- decision -----------------------------------------------------------------------------

    def _decide(self, analysis: _Analysis) -> TagSuggestion:
        scores = analysis.scores
        # On equal evidence: an explicit project name first, then the project mentioned first
        # (German questions tend to name their subject early), then the configured order.
        ranked = sorted(
            range(len(scores)),
            key=lambda i: (-round(scores[i], 6), not analysis.alias_hits[i], analysis.first[i], i),
        )
        best = ranked[0]
        best_score = scores[best]
        if best_score < _MIN_EVIDENCE and self._general is not None:
            # Not enough evidence: the general block, with the best guess as runner-up.
            fallback = self._projects[self._general].key
            candidates = [i for i in ranked if i != self._general and scores[i] > 0]
            runner = candidates[0] if candidates else None
            confidence = 0.6 - 0.4 * min(best_score / _MIN_EVIDENCE, 1.0)
            return TagSuggestion(
                project_key=fallback,
                confidence=round(confidence, 3),
                runner_up=self._projects[runner].key if runner is not None else None,
                runner_up_confidence=(
                    round(_confidence(scores[runner], 0.0), 3) if runner is not None else 0.0
                ),
            )
        second = ranked[1] if len(ranked) > 1 else None
        second_score = scores[second] if second is not None else 0.0
        runner_up = second if second is not None and second_score >= _MIN_RUNNER_UP else None
        return TagSuggestion(
            project_key=self._projects[best].key,
            confidence=round(_confidence(best_score, second_score), 3),
            runner_up=self._projects[runner_up].key if runner_up is not None else None,
            runner_up_confidence=(
                round(_confidence(second_score, best_score), 3) if runner_up is not None else 0.0
            ),
        )


def _event_evidence(stems: Sequence[str]) -> float:
    """Evidence for the general block from words about the event itself."""
    things = {s for s in stems if s in _EVENT_THINGS}
    taking_part = {s for s in stems if s in _EVENT_TAKING_PART}
    value = _EVENT_THING * len(things) + _EVENT_TAKING_PART_WEIGHT * len(taking_part)
    return min(value, _EVENT_CAP)


def _learnable(stem: str) -> bool:
    return len(stem) >= _MIN_LEARNED and stem.isalpha()


def _confidence(score: float, other: float) -> float:
    """0..1: how much evidence there is, times its share against the competitor."""
    if score <= 0:
        return 0.0
    return (1.0 - math.exp(-score)) * score / (score + other + 0.5)
