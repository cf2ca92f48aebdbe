"""Provisional tagger (replaced by the measured implementation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moderator.domain.models import Project


@dataclass(frozen=True, slots=True)
class TagSuggestion:
    project_key: str
    confidence: float
    runner_up: str | None
    runner_up_confidence: float


class Tagger:
    def __init__(self, projects: Sequence[Project]) -> None:
        self.projects = list(projects)
        self.general = next(p.key for p in self.projects if p.general)

    def suggest(self, text: str) -> TagSuggestion:
        low = text.casefold()
        scores = sorted(
            (
                (sum(k.casefold() in low for k in (p.name, *p.keywords, *p.aliases)), p.key)
                for p in self.projects
                if not p.general
            ),
            reverse=True,
        )
        if not scores or scores[0][0] == 0:
            return TagSuggestion(self.general, 0.3, None, 0.0)
        runner = scores[1] if len(scores) > 1 and scores[1][0] else None
        return TagSuggestion(
            scores[0][1], 0.6, runner[1] if runner else None, 0.3 if runner else 0.0
        )

    def suggest_many(self, texts: Sequence[str]) -> list[TagSuggestion]:
        return [self.suggest(t) for t in texts]

    def learn(self, text: str, project_key: str) -> None:
        return None
