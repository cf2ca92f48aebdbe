"""Duplicate suggestions for newly imported questions, and the auto-merges they lead to
(when the event's `[matching]` turns auto-merge on).

An import of more than one batch stores the questions of its later batches first, so that
they show at once, and compares them afterwards (`match_pending`), a chunk per transaction:
each question against the questions stored before it. Until then such a question is stored
as not `matched`; a comparison cut short (Ctrl+C, a crash) is finished by the next import or
console. The first batch of an import, a question typed in by hand and a watched source's
poll are compared in their own transaction (`_suggest_duplicates`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from moderator.domain.actions import Verb
from moderator.domain.models import IncomingMessage
from moderator.domain.similarity import SUGGESTIONS_KEPT, best_groups
from moderator.services.base import MAX_TEXT, ServiceBase
from moderator.services.importing.summary import ImportSummary
from moderator.storage.repository import Repository

#: Questions compared per transaction of `match_pending` (under a tenth of a second each,
#: like an import batch: a moderator's write waits for at most one of them).
MATCH_CHUNK = 150

Progress = Callable[[int, int], object]  # (compared, to compare); what it returns is unused
_T = TypeVar("_T")


class ImportDuplicatesMixin(ServiceBase):
    if TYPE_CHECKING:

        def _store_import(self, store: Callable[..., _T]) -> _T: ...  # the pipeline's

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
        items = [
            (mid, gid, message.text[:MAX_TEXT])
            for message, mid, gid in zip(questions, question_ids, group_ids, strict=True)
        ]
        return self._match(repo, items, set(group_ids), summary)[1]

    def _leave_for_later(self, question_ids: Sequence[int]) -> None:
        """Questions stored for a later `match_pending`: kept out of the duplicate index until
        they are compared (the next batch's index sync must not read them either)."""
        if question_ids:
            self._indexed_upto = max(self._indexed_upto, *question_ids)

    def match_pending(
        self, summary: ImportSummary | None = None, *, progress: Progress | None = None
    ) -> int:
        """Compare every stored question not yet compared with the questions before it:
        store its suggestions and, with auto-merge on, merge it. A chunk per transaction;
        `summary` (an import's) counts the suggestions and merges. Returns how many
        questions were compared.

        They leave the duplicate index first and come back one by one, each after its own
        query, so that each is compared with the index as it was when it arrived (as a
        question compared on arrival is): the word weights, and which of a common word's
        questions are looked at, are those of its time."""
        summary = summary if summary is not None else ImportSummary(source="")
        with self._reading() as session:
            pending = Repository(session).unmatched_questions(self.event_id)
        if not pending:
            return 0
        with self._lock:
            for mid, _ in pending:
                self._index.remove(mid)
        if progress is not None:
            progress(0, len(pending))
        done = 0
        for start in range(0, len(pending), MATCH_CHUNK):
            rows = pending[start : start + MATCH_CHUNK]

            def store(*locks: str, rows: list[tuple[int, str]] = rows) -> ImportSummary:
                part = ImportSummary(source=summary.source)
                with self._write(*locks) as repo:
                    self._sync_index(repo)
                    fresh = repo.still_unmatched([mid for mid, _ in rows])
                    texts = [(mid, text[:MAX_TEXT]) for mid, text in rows]
                    for mid, text in texts:
                        if mid not in fresh:  # compared by another process meanwhile
                            self._index.add(mid, text)
                    texts = [(mid, text) for mid, text in texts if mid in fresh]
                    ids = [mid for mid, _ in texts]
                    current = repo.group_of_messages(ids)
                    origin = repo.origin_groups(ids)
                    items = [
                        (mid, gid, text)
                        for mid, text in texts
                        if (gid := current.get(mid)) is not None
                    ]
                    # Only a question still alone in the group it opened may be merged.
                    alone = {gid for mid, gid, _ in items if origin.get(mid) == gid}
                    suggested, _ = self._match(repo, items, alone, part)
                    repo.mark_matched(ids)
                    if suggested:
                        # Names the groups whose suggestions changed, for the consoles
                        # that read only what changed.
                        self._log(
                            repo,
                            Verb.IMPORT,
                            None,
                            f"compared {len(ids)} imported questions"
                            + (f", auto-merged {len(part.merges)}" if part.merges else ""),
                            {},
                            self._match_log(summary.source, len(ids), part, suggested),
                        )
                return part

            part = self._store_import(store)
            summary.with_suggestion += part.with_suggestion
            summary.auto_merged += part.auto_merged
            summary.merges.extend(part.merges)
            merged = {own for _, own, _ in part.merges}
            summary.group_ids[:] = [g for g in summary.group_ids if g not in merged]
            done += len(rows)
            if progress is not None:
                progress(done, len(pending))
        return done

    @staticmethod
    def _match_log(
        source: str, compared: int, summary: ImportSummary, suggested: set[int]
    ) -> dict[str, Any]:
        """The `after` of a comparison's log entry: how many were compared, the groups given
        suggestions, and for auto-merges (as an import's entry) both groups and the messages
        moved. No messages new (folded into its import's entry, it adds nothing)."""
        return {
            "source": source,
            "compared": compared,
            "new": 0,
            "questions": 0,
            "groups": sorted(suggested),
            "merged": [g for _, own, target in summary.merges for g in (own, target)],
            "moved": [message for message, _, _ in summary.merges],
        }

    def _match(
        self,
        repo: Repository,
        items: Sequence[tuple[int, int, str]],
        mergeable: set[int],
        summary: ImportSummary,
    ) -> tuple[set[int], set[int]]:
        """Suggestions for the questions `items` (message id, its group, text), not yet in
        the duplicate index, in id order: each against the questions stored before it, then
        indexed. Auto-merges those whose
        group is in `mergeable`. Returns the groups given suggestions (and the groups they
        joined) and the groups merged away."""
        auto = self.matching.auto_merge_threshold if self.matching.auto_merge else None
        threshold = self.matching.suggest_threshold
        local_group: dict[int, int] = {}
        suggestion_rows: list[dict[str, Any]] = []
        merged: list[tuple[int, int, int]] = []  # (message id, own group, target group)
        # First the index, then one query for the groups of the earlier questions found,
        # then the groups in arrival order.
        found = []
        for mid, _gid, text in items:  # each against the ones before it, then indexed
            found.append(self._index.query(text, limit=8, min_score=threshold, before=mid))
            self._index.add(mid, text)
            self._indexed_upto = max(self._indexed_upto, mid)
        in_items = {mid for mid, _, _ in items}
        earlier = {h for hits in found for h, _ in hits if h not in in_items}
        groups_of = repo.group_of_messages(earlier) if earlier else {}
        for (mid, gid, _text), hits in zip(items, found, strict=True):
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
            if auto is not None and score >= auto and gid in mergeable:
                local_group[mid] = target_id
                merged.append((mid, gid, target_id))
        repo.insert_suggestions(suggestion_rows)
        merged_groups: set[int] = set()
        for mid, own, target_id in merged:
            target = repo.group(target_id)
            if target.merged_into_id is not None:
                continue
            own_row = repo.group(own)
            if own_row.merged_into_id is not None:
                continue
            repo.message(mid).group_id = target_id
            # Versioned UPDATEs of both groups, even if the target was auto-merged before:
            # a moderator acting on either at the same moment then collides with this
            # import (one of the two is refused and tried again or reported) instead of
            # leaving the new question in a tombstone.
            repo.touch_group(own_row, merged_into_id=target_id)
            repo.touch_group(target, auto_merged=True)
            summary.auto_merged += 1
            summary.merges.append((mid, own, target_id))
            merged_groups.add(own)
        suggested = {row["message_id"] for row in suggestion_rows}
        groups = {gid for mid, gid, _ in items if mid in suggested}
        return groups | {target for _, _, target in merged}, merged_groups
