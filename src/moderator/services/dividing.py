"""Dividing one wording into several questions (`domain.dividing`): by hand with the
console's `s`, and on import for a mail that asks a bulleted or numbered list of questions.

The first part stays the message's wording; every further part becomes a message of its
own (same sender, channel, time and the whole original mail) with a question group of its
own. One "divide" entry in the action log records it; undo joins the parts again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from moderator.domain.actions import Verb
from moderator.domain.dividing import DivideError, DividePlan, plan_divide
from moderator.domain.models import Kind, WriteResult
from moderator.domain.similarity import SUGGESTIONS_KEPT, best_groups
from moderator.services.base import IMPORT, MAX_TEXT, QUEUE, S, ServiceBase, title_of
from moderator.services.errors import ConflictError, ServiceError
from moderator.storage.repository import MessageRow, Repository


class DivideEntry(NamedTuple):
    """The action-log entry of one divide."""

    group_id: int
    summary: str
    before: dict[str, Any]
    after: dict[str, Any]


class DividingMixin(ServiceBase):
    def divide(
        self, message_id: int, parts: Sequence[str], *, expected_version: int | None = None
    ) -> WriteResult:
        """Divide the wording `message_id` into `parts` (the first stays its wording).
        Returns the result for the message's group; `touched_ids` names every new one."""
        try:
            plan = plan_divide(list(parts))
        except DivideError as exc:
            raise ServiceError.carrying(exc) from None
        with self._write(IMPORT, QUEUE) as repo:
            self._sync_index(repo)  # new parts are indexed after everything stored before
            message = repo.message(message_id)
            if message.event_id != self.event_id:
                raise ServiceError(key="no_message", msg=message_id)
            if message.group_id is None or message.kind != Kind.QUESTION.value:
                raise ServiceError(key="not_a_question", msg=message_id)
            group = self._group(repo, message.group_id)
            self._check_version(repo, group, expected_version)
            groups = self._divide_rows(repo, message, plan)
            return self._result(repo, group, groups)

    def _divide_rows(
        self,
        repo: Repository,
        message: MessageRow,
        plan: DividePlan,
        pending_log: list[DivideEntry] | None = None,
    ) -> list[int]:
        """Apply `plan` to a stored question (inside a write holding the index's lock) and
        log it (or, with `pending_log`, leave the entry there for the caller to log after
        its own: an import logs what it imported first). Returns the group ids: the
        message's own first, then the new ones."""
        assert message.group_id is not None
        group = self._group(repo, message.group_id)
        now = self.clock()
        whole = message.text
        before: dict[str, Any] = {
            "text": whole,
            "title": group.title,
            "title_edited": group.title_edited,
            "suggested_project": group.suggested_project,
            "suggested_confidence": group.suggested_confidence,
            "runner_up_project": group.runner_up_project,
            "suggestions": [[g, s] for g, s in repo.suggestions_of(message.id)],
        }
        message.text = plan.keep[:MAX_TEXT]
        if not group.title_edited and group.title == title_of(whole):
            group.title = title_of(plan.keep)
        if len(repo.members(group.id)) == 1:
            tag = self._tagger.suggest(plan.keep)
            group.suggested_project = tag.project_key
            group.suggested_confidence = tag.confidence
            group.runner_up_project = tag.runner_up
        group.updated_at = now
        tags = self._tagger.suggest_many(list(plan.new))
        new_groups = repo.insert_groups(
            [self._group_values(text, tag, now) for text, tag in zip(plan.new, tags, strict=True)]
        )
        new_ids = repo.insert_messages(
            [
                {
                    "event_id": self.event_id,
                    "source_key": f"part:{uuid.uuid4().hex}",
                    "channel": message.channel,
                    "kind": Kind.QUESTION.value,
                    "kind_overridden": False,
                    "text": text[:MAX_TEXT],
                    "original": message.original,
                    "author": message.author,
                    "author_email": message.author_email,
                    "received_at": message.received_at,
                    "imported_at": now,
                    "private": message.private,
                    "source_name": message.source_name,
                    "source_line": message.source_line,
                    "group_id": gid,
                    "origin_group_id": gid,
                }
                for text, gid in zip(plan.new, new_groups, strict=True)
            ]
        )
        # The wording changed: its vector is encoded again, its suggestions found again.
        repo.forget_vectors([message.id])
        texts = {message.id: plan.keep, **dict(zip(new_ids, plan.new, strict=True))}
        own = {message.id: group.id, **dict(zip(new_ids, new_groups, strict=True))}
        for mid, text in texts.items():
            self._index.add(mid, text[:MAX_TEXT])
        self._indexed_upto = max(self._indexed_upto, *new_ids)
        hits = {
            mid: self._index.query(
                text[:MAX_TEXT],
                limit=8,
                min_score=self.matching.suggest_threshold,
                exclude=list(texts),  # the parts of one wording are different questions
            )
            for mid, text in texts.items()
        }
        others = {hit for found in hits.values() for hit, _ in found} - own.keys()
        group_of = repo.group_of_messages(others) if others else {}
        rows: list[dict[str, Any]] = []
        for mid, found in hits.items():
            ranked = best_groups(
                found, lambda hit: own.get(hit, group_of.get(hit)), own[mid], SUGGESTIONS_KEPT
            )
            rows.extend({"message_id": mid, "group_id": g, "score": float(s)} for g, s in ranked)
        repo.replace_suggestions(list(texts), rows)
        groups = [group.id, *new_groups]
        entry = DivideEntry(
            group.id,
            f"divided #{group.id} into {plan.count} questions ("
            + ", ".join(f"#{g}" for g in groups)
            + ")",
            before,
            {"message": message.id, "parts": new_ids, "groups": groups},
        )
        if pending_log is None:
            self._log_divides(repo, [entry])
        else:
            pending_log.append(entry)
        return groups

    def _log_divides(self, repo: Repository, entries: Sequence[DivideEntry]) -> None:
        for entry in entries:
            self._log(repo, Verb.DIVIDE, entry.group_id, entry.summary, entry.before, entry.after)

    def _join_parts(
        self, repo: Repository, before: dict[str, Any], after: dict[str, Any]
    ) -> list[int]:
        """Undo a divide: the parts' messages are deleted (votes and replies pass to the
        message they came from), their groups become tombstones of its group, and the
        message gets its whole wording back. Refused when a part has moved since.
        Returns the message ids to take out of the duplicate index."""
        message = repo.message(after["message"])
        home = message.group_id if message.group_id is not None else after["groups"][0]
        parts: list[int] = after["parts"]
        for mid, gid in zip(parts, after["groups"][1:], strict=True):
            try:
                part = repo.message(mid)
            except LookupError:
                raise ConflictError(key="wording_gone", msg=mid) from None
            if part.group_id != gid or [m.id for m in repo.members(gid)] != [mid]:
                raise ConflictError(key="changed_since", id=gid)
        for gid in after["groups"][1:]:
            row = repo.group(gid)
            if row.merged_into_id is not None:
                raise ConflictError(key="merged_since", id=gid)
            if S(row.state) == S.ON_AIR:
                raise ConflictError(key="on_air_undo", id=gid)
            self._leave_live(repo, row)
            row.merged_into_id = home
            row.updated_at = self.clock()
        repo.delete_messages(parts, replaced_by=message.id)
        kept = message.text
        message.text = before["text"]
        repo.forget_vectors([message.id])
        repo.replace_suggestions(
            [message.id],
            [
                {"message_id": message.id, "group_id": g, "score": float(s)}
                for g, s in before.get("suggestions", [])
                if g != home
            ],
        )
        group = repo.group(home)
        if group.merged_into_id is None:
            if not group.title_edited and group.title == title_of(kept):
                group.title, group.title_edited = before["title"], before["title_edited"]
            if not group.project_confirmed and len(repo.members(home)) == 1:
                group.suggested_project = before["suggested_project"]
                group.suggested_confidence = before["suggested_confidence"]
                group.runner_up_project = before["runner_up_project"]
            group.updated_at = self.clock()
        return parts

    def _after_join(self, message_id: int, text: str, parts: Sequence[int]) -> None:
        """The duplicate index after an undone divide (the write has committed)."""
        with self._lock:
            for mid in parts:
                self._index.remove(mid)
            if message_id in self._index:
                self._index.add(message_id, text[:MAX_TEXT])
