"""Queue moves: the live queue stays contiguous and at most one question is on air."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moderator.domain.models import (
    Group,
    QueueState,
)
from moderator.domain.queues import check_transition, move_in_order
from moderator.services.base import Learned, S, ServiceBase
from moderator.services.errors import (
    ConflictError,
    ServiceError,
)
from moderator.storage.repository import (
    GroupRow,
    Repository,
)

TRIAGED = (QueueState.LIVE, QueueState.LATER)  # a move there may confirm the project


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
    ) -> Group:
        """Move a group to another queue state (or to `target(current state)`).

        `confirm_project`: a group sent to the live queue or to "later" whose project is not
        confirmed yet is tagged in the same transaction, exactly as `tag(group_id)` does
        (two log entries, "tag" then "move", each undone on its own), so triage in one key
        costs one write.
        """
        learned: Learned | None = None
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            if callable(target):
                target = target(S(row.state))
            before = {"state": row.state, "position": row.position}
            after_extra: dict[str, Any] = {}
            previous = self._move(repo, row, S(target), position)
            if previous is not None:
                after_extra["previous_on_air"] = previous
            if confirm_project and not row.project_confirmed and S(target) in TRIAGED:
                # After `_move` (a refused transition tags nothing) and before the "move"
                # entry, so undo takes back the move first; both changes of the row reach
                # the database in one flush, one version bump like a plain move.
                learned = self._set_project(repo, row)
            self._log(
                repo,
                "move",
                row.id,
                f"moved #{row.id} to {S(target).value}",
                before,
                {"state": row.state, "position": row.position, **after_extra},
            )
            result = repo.to_group(row)
        if learned is not None:
            self._learn(learned)
        return result

    def _move(
        self, repo: Repository, row: GroupRow, target: QueueState, position: int | None = None
    ) -> int | None:
        """Change state keeping the live queue contiguous and at most one question on air."""
        current = S(row.state)
        check_transition(current, target)
        previous_on_air = None
        if current == target and position is None:
            return None
        if current == S.LIVE:
            self._leave_live(repo, row)
        if target == S.ON_AIR:
            for other in repo.on_air(self.event_id):
                if other.id != row.id:
                    other.state = S.ANSWERED_LIVE.value
                    other.updated_at = self.clock()
                    previous_on_air = other.id
        if target == S.LIVE:
            live = [g for g in repo.live_order(self.event_id) if g.id != row.id]
            slot = len(live) + 1 if position is None else max(1, min(position, len(live) + 1))
            repo.shift_live_positions(self.event_id, slot, 1)
            row.position = slot
        else:
            row.position = None
        row.state = target.value
        row.updated_at = self.clock()
        return previous_on_air

    def _leave_live(self, repo: Repository, row: GroupRow) -> None:
        old = row.position
        row.position = None
        repo.s.flush()
        if old is not None:
            repo.shift_live_positions(self.event_id, old + 1, -1)

    def send_live(self, group_id: int, **kw: Any) -> Group:
        return self.move(group_id, S.LIVE, **kw)

    def answer_later(self, group_id: int, **kw: Any) -> Group:
        return self.move(group_id, S.LATER, **kw)

    def dismiss(self, group_id: int, **kw: Any) -> Group:
        return self.move(group_id, S.DISMISSED, **kw)

    def advance(self, group_id: int, **kw: Any) -> Group:
        """Enter: put a question on air, or mark the question on air as answered live."""
        # Decided inside the write transaction: two moderators pressing Enter at once
        # cannot both "put it on air".
        return self.move(
            group_id, lambda state: S.ANSWERED_LIVE if state == S.ON_AIR else S.ON_AIR, **kw
        )

    def reorder(self, group_id: int, delta: int, *, expected_version: int | None = None) -> Group:
        """Move a live question `delta` places up (negative) or down the live queue."""
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            if row.state != S.LIVE.value:
                raise ServiceError(f"#{row.id} is not in the live queue")
            live = repo.live_order(self.event_id)
            old_order = [g.id for g in live]
            new_order = move_in_order(old_order, row.id, delta)
            self._apply_order(live, new_order)
            self._log(
                repo,
                "reorder",
                row.id,
                f"moved #{row.id} to live position {row.position}",
                {"order": old_order},
                {"order": new_order},
            )
            return repo.to_group(row)

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
            raise ConflictError("another question is on air now; undo refused")
        if S(row.state) == S.LIVE:
            self._leave_live(repo, row)
        row.position = None
        if state == S.LIVE:
            live = [g for g in repo.live_order(self.event_id) if g.id != row.id]
            slot = max(1, min(position or len(live) + 1, len(live) + 1))
            repo.s.flush()
            repo.shift_live_positions(self.event_id, slot, 1)
            row.position = slot
        row.state = state.value
        row.updated_at = self.clock()
