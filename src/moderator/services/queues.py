"""Queue moves: the live queue stays contiguous and at most one question is on air."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moderator.domain.actions import Verb
from moderator.domain.models import (
    QueueState,
    WriteResult,
)
from moderator.domain.queues import (
    Plan,
    TransitionError,
    advance_target,
    plan_move,
    plan_reorder,
)
from moderator.services.base import Learned, S, ServiceBase
from moderator.services.errors import (
    ConflictError,
    ServiceError,
)
from moderator.storage.repository import (
    GroupRow,
    Repository,
)


class RowQueues:
    """The planner's view of the event's live queue and on-air question: database rows,
    read only when a plan asks for them."""

    def __init__(self, repo: Repository, event_id: int) -> None:
        self.repo, self.event_id = repo, event_id

    def live(self) -> list[GroupRow]:
        return self.repo.live_order(self.event_id)

    def on_air(self) -> list[GroupRow]:
        return self.repo.on_air(self.event_id)


class QueueMixin(ServiceBase):
    # ------------------------------------------------------------------ queues
    def move(
        self,
        group_id: int,
        target: QueueState | Callable[[QueueState], QueueState],
        *,
        expected_version: int | None = None,
        position: int | None = None,
        confirm_project: bool = False,
    ) -> WriteResult:
        """Move a group to another queue state (or to `target(current state)`).

        `confirm_project`: a group sent to the live queue or to "later" whose project is not
        confirmed yet is tagged in the same transaction, exactly as `tag(group_id)` does
        (two log entries, "tag" then "move", each undone on its own), so triage in one key
        costs one write. The rules are `domain.queues.plan_move`'s.
        """
        learned: Learned | None = None
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            if callable(target):
                target = target(S(row.state))
            before = {"state": row.state, "position": row.position}
            after_extra: dict[str, Any] = {}
            plan = self._move(repo, row, S(target), position, confirm_project=confirm_project)
            if plan.previous_on_air is not None:
                after_extra["previous_on_air"] = plan.previous_on_air
            if plan.tag is not None:
                # After the move (a refused transition tags nothing) and before the "move"
                # entry, so undo takes back the move first; both changes of the row reach
                # the database in one flush, one version bump like a plain move.
                learned = self._set_project(repo, row, plan.tag)
            self._log(
                repo,
                Verb.MOVE,
                row.id,
                f"moved #{row.id} to {S(target).value}",
                before,
                {"state": row.state, "position": row.position, **after_extra},
            )
            result = self._result(repo, row, plan.touched)
        if learned is not None:
            self._learn(learned)
        return result

    def _move(
        self,
        repo: Repository,
        row: GroupRow,
        target: QueueState,
        position: int | None = None,
        *,
        confirm_project: bool = False,
    ) -> Plan:
        """Plan a move (`domain.queues.plan_move`) and apply it to the rows; the caller
        tags (`plan.tag`) and logs."""
        plan = plan_move(
            row,
            target,
            RowQueues(repo, self.event_id),
            position=position,
            confirm_project=confirm_project,
            general_key=self.general_key,
        )
        self._apply(repo, plan)
        return plan

    def send_live(self, group_id: int, **kw: Any) -> WriteResult:
        return self.move(group_id, S.LIVE, **kw)

    def answer_later(self, group_id: int, **kw: Any) -> WriteResult:
        return self.move(group_id, S.LATER, **kw)

    def dismiss(self, group_id: int, **kw: Any) -> WriteResult:
        return self.move(group_id, S.DISMISSED, **kw)

    def advance(self, group_id: int, **kw: Any) -> WriteResult:
        """Enter: put a question on air, or mark the question on air as answered live."""
        # Decided inside the write transaction: two moderators pressing Enter at once
        # cannot both "put it on air".
        return self.move(group_id, advance_target, **kw)

    def reorder(
        self, group_id: int, delta: int, *, expected_version: int | None = None
    ) -> WriteResult:
        """Move a live question `delta` places up (negative) or down the live queue."""
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            live = repo.live_order(self.event_id)
            try:
                plan = plan_reorder(row, live, delta)
            except TransitionError as exc:
                raise ServiceError.carrying(exc) from None
            self._apply(repo, plan)
            self._log(
                repo,
                Verb.REORDER,
                row.id,
                f"moved #{row.id} to live position {row.position}",
                {"order": [g.id for g in live]},
                {"order": list(plan.order)},
            )
            return self._result(repo, row, plan.touched)

    @staticmethod
    def _apply_order(live: list[GroupRow], order: list[int]) -> None:
        by_id = {g.id: g for g in live}
        for index, gid in enumerate(order, start=1):
            if by_id[gid].position != index:
                by_id[gid].position = index

    def _force_state(
        self, repo: Repository, row: GroupRow, state: QueueState, position: int | None
    ) -> None:
        """Put a group back where an undone action found it (undo may go against the rules)."""
        if S(row.state) == state and (state != S.LIVE or row.position == position):
            return
        if state == S.ON_AIR and any(g.id != row.id for g in repo.on_air(self.event_id)):
            raise ConflictError(key="other_on_air")
        if S(row.state) == S.LIVE:
            self._leave_live(repo, row)
        row.position = None
        if state == S.LIVE:
            live = [g for g in repo.live_order(self.event_id) if g.id != row.id]
            slot = max(1, min(position or len(live) + 1, len(live) + 1))
            repo.flush()
            repo.shift_live_positions(self.event_id, slot, 1)
            row.position = slot
        row.state = state.value
        row.updated_at = self.clock()
