"""What a list line counts beside its group's row: its votes, its first member (channel,
author, time) and its best live duplicate suggestion, read for a batch of groups by id or
for the whole event at once. A mixin of `Repository` (through `ListLines`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from moderator.domain.models import Kind
from moderator.storage.rows import GroupRow, MessageRow, SuggestionRow


class LineParts:
    """Votes, first members and top suggestions of list lines."""

    s: Session

    def votes(self, group_ids: Collection[int]) -> dict[int, tuple[int, int]]:
        """group id -> (question members, extra votes from "+1" messages)."""
        if not group_ids:
            return {}
        ids = list(group_ids)
        result: dict[int, tuple[int, int]] = {g: (0, 0) for g in ids}
        voter = aliased(MessageRow)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            members = dict(
                self.s.execute(
                    select(MessageRow.group_id, func.count())
                    .where(MessageRow.group_id.in_(chunk), MessageRow.kind == Kind.QUESTION.value)
                    .group_by(MessageRow.group_id)
                ).all()
            )
            extra = dict(
                self.s.execute(
                    select(MessageRow.group_id, func.count(voter.id))
                    .join(voter, voter.vote_for_id == MessageRow.id)
                    .where(MessageRow.group_id.in_(chunk), voter.kind == Kind.VOTE.value)
                    .group_by(MessageRow.group_id)
                ).all()
            )
            for gid in chunk:
                result[gid] = (members.get(gid, 0), extra.get(gid, 0))
        return result

    def _first_members(
        self, group_ids: list[int]
    ) -> dict[int, tuple[str, str | None, datetime | None]]:
        result: dict[int, tuple[str, str | None, datetime | None]] = {}
        for start in range(0, len(group_ids), 500):
            chunk = group_ids[start : start + 500]
            query = (
                select(
                    MessageRow.group_id,
                    MessageRow.channel,
                    MessageRow.author,
                    MessageRow.received_at,
                )
                .where(MessageRow.group_id.in_(chunk))
                .order_by(MessageRow.group_id, MessageRow.id)
            )
            for gid, channel, author, at in self.s.execute(query):
                result.setdefault(gid, (channel, author, at))
        return result

    def _top_suggestions(self, group_ids: list[int]) -> dict[int, tuple[int, float]]:
        """For each group, the best live suggestion of any of its members to another group:
        the highest score, on a tie the lowest group id (the order rows arrive in is not
        fixed, so it must not decide)."""
        result: dict[int, tuple[int, float]] = {}
        target = aliased(GroupRow)
        for start in range(0, len(group_ids), 500):
            chunk = group_ids[start : start + 500]
            query = (
                select(MessageRow.group_id, SuggestionRow.group_id, SuggestionRow.score)
                .join(SuggestionRow, SuggestionRow.message_id == MessageRow.id)
                .join(target, target.id == SuggestionRow.group_id)
                .where(
                    MessageRow.group_id.in_(chunk),
                    SuggestionRow.group_id != MessageRow.group_id,
                    target.merged_into_id.is_(None),
                )
            )
            result.update(_best_per_group(self.s.execute(query)))
        return result

    def _event_votes(self, event_id: int) -> dict[int, tuple[int, int]]:
        """`votes` of every group of the event, in two aggregate queries."""
        voter = aliased(MessageRow)
        members = self.s.execute(
            select(MessageRow.group_id, func.count())
            .where(
                MessageRow.event_id == event_id,
                MessageRow.group_id.is_not(None),
                MessageRow.kind == Kind.QUESTION.value,
            )
            .group_by(MessageRow.group_id)
        ).all()
        extra = dict(
            self.s.execute(
                select(MessageRow.group_id, func.count(voter.id))
                .join(voter, voter.vote_for_id == MessageRow.id)
                .where(
                    MessageRow.event_id == event_id,
                    MessageRow.group_id.is_not(None),
                    voter.kind == Kind.VOTE.value,
                )
                .group_by(MessageRow.group_id)
            ).all()
        )
        result = {gid: (count, extra.pop(gid, 0)) for gid, count in members}
        result.update((gid, (0, count)) for gid, count in extra.items())
        return result

    def _event_first_members(
        self, event_id: int
    ) -> dict[int, tuple[str, str | None, datetime | None]]:
        """`_first_members` of every group of the event: its lowest message id's row."""
        firsts = (
            select(func.min(MessageRow.id).label("id"))
            .where(MessageRow.event_id == event_id, MessageRow.group_id.is_not(None))
            .group_by(MessageRow.group_id)
            .subquery()
        )
        query = select(
            MessageRow.group_id, MessageRow.channel, MessageRow.author, MessageRow.received_at
        ).join(firsts, firsts.c.id == MessageRow.id)
        return {gid: (channel, author, at) for gid, channel, author, at in self.s.execute(query)}

    def _event_top_suggestions(self, event_id: int) -> dict[int, tuple[int, float]]:
        """`_top_suggestions` of every group of the event, in one query."""
        target = aliased(GroupRow)
        query = (
            select(MessageRow.group_id, SuggestionRow.group_id, SuggestionRow.score)
            .join(SuggestionRow, SuggestionRow.message_id == MessageRow.id)
            .join(target, target.id == SuggestionRow.group_id)
            .where(
                MessageRow.event_id == event_id,
                MessageRow.group_id.is_not(None),
                SuggestionRow.group_id != MessageRow.group_id,
                target.merged_into_id.is_(None),
            )
        )
        return _best_per_group(self.s.execute(query))


def _best_per_group(rows: Iterable[Any]) -> dict[int, tuple[int, float]]:
    """(group, suggested group, score) rows -> per group the highest score, on a tie the
    lowest suggested group id (the order rows arrive in is not fixed, so it must not
    decide)."""
    result: dict[int, tuple[int, float]] = {}
    for gid, other, score in rows:
        best = result.get(gid)
        if best is None or (-score, other) < (-best[1], best[0]):
            result[gid] = (other, score)
    return result
