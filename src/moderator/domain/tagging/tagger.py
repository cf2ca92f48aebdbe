"""The tagger: the project suggested for a question, from the evidence of its words
(`keywords`), what the moderators confirmed during the event (`learn`: the words no keyword
explains, and the meaning vectors) and its meaning (`meaning`), decided with a confidence
and a runner-up."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from moderator.domain.models import Project
from moderator.domain.tagging.keywords import Analysis, KeywordMatcher
from moderator.domain.tagging.meaning import MeaningEvidence
from moderator.domain.tagging.meaning import project_text as _project_text

# Below this evidence the general block is suggested.
_MIN_EVIDENCE = 0.65
# A second project needs this much evidence to be shown as runner-up.
_MIN_RUNNER_UP = 0.5
# Weight of what `learn` recorded.
_LEARN_WEIGHT = 0.6
# At most this much learned evidence per project and question: enough to lift a question out
# of the general fallback or to break a tie, never enough to outvote two keywords.
_LEARN_CAP = 0.9


@dataclass(frozen=True, slots=True)
class TagSuggestion:
    """The suggested project of a question, with a 0..1 confidence and a possible second one."""

    project_key: str
    confidence: float
    runner_up: str | None
    runner_up_confidence: float


class Tagger:
    """Suggests projects for questions; learns from the moderator's decisions during an event."""

    def __init__(self, projects: Sequence[Project]) -> None:
        if not projects:
            raise ValueError("Tagger needs at least one project")
        self._projects = tuple(sorted(projects, key=lambda p: p.order))
        self._index = {p.key: i for i, p in enumerate(self._projects)}
        general = [i for i, p in enumerate(self._projects) if p.general]
        self._general = general[0] if general else None
        self._keywords = KeywordMatcher(self._projects, self._general)
        self._meaning = MeaningEvidence(len(self._projects))
        # stem of a word no keyword explains -> project -> how often it was confirmed there
        self._learned: dict[str, dict[int, int]] = {}

    # -- public API ---------------------------------------------------------------------------

    @property
    def projects(self) -> tuple[Project, ...]:
        return self._projects

    @staticmethod
    def project_text(project: Project) -> str:
        """What a project's meaning vector is made of: its name, description and keywords."""
        return _project_text(project)

    def set_meaning(self, prototypes: npt.ArrayLike) -> None:
        """Unit vectors of `project_text` for every project, in `projects` order."""
        self._meaning.set_prototypes(prototypes)

    @property
    def has_meaning(self) -> bool:
        return self._meaning.ready

    def suggest(self, text: str, vector: npt.ArrayLike | None = None) -> TagSuggestion:
        """The most likely project of `text` (with its meaning vector, if there is one); the
        general block when nothing fits."""
        analysis = self._analyse(text)
        if vector is not None and self._meaning.ready:
            self._meaning.add(analysis.scores, np.asarray(vector, dtype=np.float32))
        return self._decide(analysis)

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
            self._meaning.learn(project, vector)
        for stem in self._keywords.analyse(text).unmatched:
            counts = self._learned.setdefault(stem, {})
            counts[project] = counts.get(project, 0) + 1

    # -- scoring ------------------------------------------------------------------------------

    def _analyse(self, text: str) -> Analysis:
        """The evidence of `text`'s words: its keywords, then what `learn` recorded."""
        result = self._keywords.analyse(text)
        if self._learned:
            learned = [0.0] * len(self._projects)
            for stem in sorted(result.unmatched):  # one order whatever the hash seed
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

    # -- decision -----------------------------------------------------------------------------

    def _decide(self, analysis: Analysis) -> TagSuggestion:
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


def _confidence(score: float, other: float) -> float:
    """0..1: how much evidence there is, times its share against the competitor."""
    if score <= 0:
        return 0.0
    return (1.0 - math.exp(-score)) * score / (score + other + 0.5)
