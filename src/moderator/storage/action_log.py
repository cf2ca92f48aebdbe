"""The action log: entries written with a write, read for undo, history and sync. A mixin
of `Repository`, on its Session."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderator.domain.models import (
    Action,
)
from moderator.storage.convert import to_action
from moderator.storage.rows import (
    ActionRow,
)


class ActionLog:
    """Writes and reads the event's action log."""

    s: Session
    _log: list[ActionRow]

    # -- action log ------------------------------------------------------------------------
    def log(
        self,
        *,
        event_id: int,
        moderator: str,
        at: datetime,
        verb: str,
        group_id: int | None,
        summary: str,
        before: dict[str, Any],
        after: dict[str, Any],
        undo_of: int | None = None,
    ) -> ActionRow:
        """Queue an entry of the action log; `finish_write` stores it."""
        row = ActionRow(
            event_id=event_id,
            moderator=moderator,
            at=at,
            verb=verb,
            group_id=group_id,
            summary=summary,
            before=before,
            after=after,
            undone=False,
            undo_of=undo_of,
        )
        self._log.append(row)  # stored by `finish_write`, after the counter
        return row

    def action(self, action_id: int) -> ActionRow:
        row = self.s.get(ActionRow, action_id)
        if row is None:
            raise LookupError(f"no action #{action_id}")
        return row

    def last_undoable(
        self, event_id: int, moderator: str, verbs: Collection[str]
    ) -> ActionRow | None:
        return self.s.scalar(
            select(ActionRow)
            .where(
                ActionRow.event_id == event_id,
                ActionRow.moderator == moderator,
                ActionRow.undone.is_(False),
                ActionRow.verb.in_([str(v) for v in verbs]),
            )
            .order_by(ActionRow.id.desc())
            .limit(1)
        )

    def actions(
        self,
        event_id: int,
        *,
        group_id: int | None = None,
        after_id: int = 0,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[Action]:
        query = select(ActionRow).where(ActionRow.event_id == event_id, ActionRow.id > after_id)
        if group_id is not None:
            query = query.where(ActionRow.group_id == group_id)
        query = query.order_by(ActionRow.id.desc() if newest_first else ActionRow.id)
        if limit:
            query = query.limit(limit)
        return [to_action(r) for r in self.s.scalars(query)]

    def last_action_id(self, event_id: int) -> int:
        return (
            self.s.scalar(select(func.max(ActionRow.id)).where(ActionRow.event_id == event_id)) or 0
        )
