"""Merging and splitting question groups, and choosing their wording."""

from __future__ import annotations

from moderator.domain.actions import Verb
from moderator.domain.fit import clean
from moderator.domain.models import (
    Group,
    WriteResult,
)
from moderator.domain.queues import MergeError, Plan, plan_merge
from moderator.services.base import S, ServiceBase, title_of
from moderator.services.errors import (
    ServiceError,
)
from moderator.storage.repository import (
    GroupRow,
    MessageRow,
    Repository,
)


class GroupingMixin(ServiceBase):
    # ------------------------------------------------------------------ merge and split
    def merge(
        self,
        source_id: int,
        target_id: int,
        *,
        expected_version: int | None = None,
        summary: str | None = None,
    ) -> WriteResult:
        """Merge group `source_id` into `target_id`.

        Rules: every member (wording, author, channel, time) moves to the target and the
        target's title, project, queue state, position and answer win. The source is kept
        as a tombstone (`merged_into_id`) with its own state, so splitting its members off
        again restores it exactly; the action log records both sides.
        """
        if source_id == target_id:
            raise ServiceError(key="merge_self")
        with self._write() as repo:
            source = self._group(repo, source_id)
            target = self._group(repo, target_id)
            self._check_version(repo, source, expected_version)
            moved = [m.id for m in repo.members(source.id)]
            before = {"source": {"state": source.state, "position": source.position}}
            self._apply(repo, self._plan_merge(source, target))
            for member in repo.members(source.id):
                member.group_id = target.id
            source.merged_into_id = target.id
            source.updated_at = target.updated_at = self.clock()
            self._log(
                repo,
                Verb.MERGE,
                target.id,
                summary or f"merged #{source.id} into #{target.id}",
                before,
                {"source": source.id, "target": target.id, "moved": moved},
            )
            return self._result(repo, target, [source.id])

    def merge_message(self, message_id: int, target_id: int) -> Group:
        """Move a single wording into another group (its old group keeps the rest)."""
        with self._write() as repo:
            message = repo.message(message_id)
            if message.group_id is None:
                raise ServiceError(key="not_a_question", msg=message_id)
            source = self._group(repo, message.group_id)
            target = self._group(repo, target_id)
            if source.id == target.id:
                raise ServiceError(key="already_there")
            message.group_id = target.id
            repo.flush()
            emptied = not repo.members(source.id)
            before = {"source": {"state": source.state, "position": source.position}}
            if emptied:
                self._apply(repo, self._plan_merge(source, target))
                source.merged_into_id = target.id
            self._log(
                repo,
                Verb.MERGE,
                target.id,
                f"merged wording {message_id} into #{target.id}",
                before,
                {"source": source.id, "target": target.id, "moved": [message_id]},
            )
            return repo.to_group(target)

    def split(self, message_id: int) -> Group:
        """Take one wording out of its group: back to the group it came from, or a new one."""
        with self._write() as repo:
            message = repo.message(message_id)
            if message.group_id is None:
                raise ServiceError(key="not_in_group", msg=message_id)
            group = self._group(repo, message.group_id)
            others = [m for m in repo.members(group.id) if m.id != message.id]
            if not others:
                raise ServiceError(key="single_wording", id=group.id)
            destination = self._split_destination(repo, message, group)
            message.group_id = destination.id
            if (
                group.title == title_of(message.text)
                and not group.title_edited
                and not any(title_of(o.text) == group.title for o in others)
            ):
                group.title = title_of(others[0].text)
            group.updated_at = self.clock()
            self._log(
                repo,
                Verb.SPLIT,
                group.id,
                f"split wording {message.id} off #{group.id} into #{destination.id}",
                {"group": group.id},
                {"group": destination.id, "message": message.id},
            )
            repo.flush()
            return repo.to_group(destination)

    @staticmethod
    def _plan_merge(source: GroupRow, target: GroupRow) -> Plan:
        try:
            return plan_merge(source, target)
        except MergeError as exc:
            raise ServiceError.carrying(exc) from None

    def _split_destination(
        self, repo: Repository, message: MessageRow, group: GroupRow
    ) -> GroupRow:
        origin_id = message.origin_group_id
        if origin_id is not None and origin_id != group.id:
            origin = repo.group(origin_id)
            if origin.merged_into_id is not None:
                self._revive(repo, origin)
            return origin
        fresh = self._create_group(
            repo,
            message.text,
            project_key=group.project_key,
            project_confirmed=group.project_confirmed,
        )
        message.origin_group_id = fresh.id
        return fresh

    def _revive(self, repo: Repository, origin: GroupRow) -> None:
        origin.merged_into_id = None
        state = S(origin.state)
        if state == S.ON_AIR and repo.on_air(self.event_id):
            state = S.LIVE
            origin.state = S.LIVE.value
            origin.position = None
        if state == S.LIVE:
            live = repo.live_order(self.event_id)
            slot = origin.position or len(live) + 1
            slot = max(1, min(slot, len(live) + 1))
            repo.shift_live_positions(self.event_id, slot, 1)
            origin.position = slot
        origin.updated_at = self.clock()

    # ------------------------------------------------------------------ text and answers
    def set_title(
        self,
        group_id: int,
        *,
        text: str | None = None,
        from_message: int | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Choose the representative wording among members, or edit it (originals stay)."""
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            before = {"title": row.title, "title_edited": row.title_edited}
            if from_message is not None:
                member = repo.message(from_message)
                if member.group_id != row.id:
                    raise ServiceError(key="not_part", msg=from_message, id=row.id)
                row.title, row.title_edited = title_of(member.text), False
            elif text is not None and clean(text).strip():
                row.title, row.title_edited = clean(text).strip(), True
            else:
                raise ServiceError(key="empty_wording")
            row.updated_at = self.clock()
            self._log(
                repo,
                Verb.TITLE,
                row.id,
                f"changed the wording of #{row.id}",
                before,
                {"title": row.title, "title_edited": row.title_edited},
            )
            return self._result(repo, row)
