"""Provisional duplicate index (replaced by the measured implementation)."""

from __future__ import annotations

from collections.abc import Collection

from rapidfuzz import fuzz

SUGGEST_THRESHOLD = 70.0


def similarity(a: str, b: str) -> float:
    return float(fuzz.token_set_ratio(a.casefold(), b.casefold()))


class DuplicateIndex:
    def __init__(self) -> None:
        self._texts: dict[int, str] = {}

    def add(self, item_id: int, text: str) -> None:
        self._texts[item_id] = text[:2000]

    def remove(self, item_id: int) -> None:
        self._texts.pop(item_id, None)

    def __len__(self) -> int:
        return len(self._texts)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._texts

    def query(
        self,
        text: str,
        *,
        limit: int = 5,
        min_score: float | None = None,
        exclude: Collection[int] = (),
    ) -> list[tuple[int, float]]:
        floor = SUGGEST_THRESHOLD if min_score is None else min_score
        scored = [(i, similarity(text, t)) for i, t in self._texts.items() if i not in exclude]
        scored = [s for s in scored if s[1] >= floor]
        scored.sort(key=lambda s: -s[1])
        return scored[:limit]
