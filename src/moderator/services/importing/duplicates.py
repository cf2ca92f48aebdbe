"""Duplicate suggestions for newly imported questions, and the auto-merges they lead to
(when the event's `[matching]` turns auto-merge on)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from moderator.domain.models import IncomingMessage
from moderator.domain.similarity import SUGGESTIONS_KEPT, best_groups
from moderator.services.base import MAX_TEXT, ServiceBase
from moderator.services.importing.summary import ImportSummary
from moderator.storage.repository import Repository


class ImportDuplicatesMixin(ServiceBase):
    def _suggest_duplicates(
        self,
        repo: Repository,
        questions: Sequence[IncomingMessage],
        question_ids: Sequence[int],
        group_ids: Sequence[int],
        summary: ImportSummary,
    ) -> set[int]:
        """Store the duplicate suggestions of the new `questions` (stored as `question_ids`
        in their own new groups `group_ids`) in arrival order, so later questions see
        earlier ones, and auto-merge those scoring at least the auto-merge threshold.
        Returns the new groups merged away."""
        auto = self.matching.auto_merge_threshold if self.matching.auto_merge else None
        local_group: dict[int, int] = {}
        suggestion_rows: list[dict[str, Any]] = []
        merged: list[tuple[int, int, int]] = []  # (message id, own group, target group)
        # First the index (each question sees the ones before it), then one query for the
        # groups of the earlier questions found, then the groups in arrival order.
        found: list[list[tuple[int, float]]] = []
        for message, mid in zip(questions, question_ids, strict=True):
            text = message.text[:MAX_TEXT]
            found.append(
                self._index.query(text, limit=8, min_score=self.matching.suggest_threshold)
            )
            self._index.add(mid, text)
            self._indexed_upto = max(self._indexed_upto, mid)
        in_batch = set(question_ids)
        earlier = {h for hits in found for h, _ in hits if h not in in_batch}
        groups_of = repo.group_of_messages(earlier) if earlier else {}
        for mid, gid, hits in zip(question_ids, group_ids, found, strict=True):
            local_group[mid] = gid
            if not hits:
                continue
            ranked = best_groups(
                hits, lambda hit: local_group.get(hit, groups_of.get(hit)), gid, SUGGESTIONS_KEPT
            )
            if not ranked:
                continue
            suggestion_rows.extend(
                {"message_id": mid, "group_id": other, "score": float(score)}
                for other, score in ranked
            )
            summary.with_suggestion += 1
            target_id, score = ranked[0]
            if auto is not None and score >= auto:
                local_group[mid] = target_id
                merged.append((mid, gid, target_id))
        repo.insert_suggestions(suggestion_rows)
        merged_groups: set[int] = set()
        for mid, own, target_id in merged:
            target = repo.group(target_id)
            if target.merged_into_id is not None:
                continue
            repo.message(mid).group_id = target_id
            repo.group(own).merged_into_id = target_id
            # Always a versioned UPDATE of the target, even if it was auto-merged before: a
            # moderator merging it away at the same moment then collides with this import
            # (one of the two is refused and tried again or reported) instead of leaving
            # the new question in a tombstone.
            repo.touch_group(target, auto_merged=True)
            summary.auto_merged += 1
            summary.merges.append((mid, own, target_id))
            merged_groups.add(own)
        return merged_groups
