"""The read side: whole groups with members and suggestions, counts (the list lines,
`GroupSummary`, in `list_lines`). A mixin of `Repository`, on its Session."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from moderator.domain.models import (
    Group,
    Kind,
    Message,
    QueueState,
    Suggestion,
)
from moderator.storage.convert import _build_group, to_message
from moderator.storage.list_lines import ListLines
from moderator.storage.rows import (
    GroupRow,
    MessageRow,
    SuggestionRow,
)


class ReadModels(ListLines):
    """Queries that read question groups for lists, details, exports and counts."""

    s: Session

    def groups_suggesting(self, group_ids: Collection[int]) -> set[int]:
        """Groups with a member whose duplicate suggestions name one of `group_ids`."""
        result: set[int] = set()
        ids = list(group_ids)
        for start in range(0, len(ids), 500):
            query = (
                select(MessageRow.group_id)
                .join(SuggestionRow, SuggestionRow.message_id == MessageRow.id)
                .where(
                    SuggestionRow.group_id.in_(ids[start : start + 500]),
                    MessageRow.group_id.is_not(None),
                )
                .distinct()
            )
            result.update(gid for gid in self.s.scalars(query) if gid is not None)
        return result

    def suggestions_for_group(self, group_id: int) -> list[Suggestion]:
        target = aliased(GroupRow)
        query = (
            select(SuggestionRow.group_id, func.max(SuggestionRow.score), target.title)
            .join(MessageRow, MessageRow.id == SuggestionRow.message_id)
            .join(target, target.id == SuggestionRow.group_id)
            .where(
                MessageRow.group_id == group_id,
                SuggestionRow.group_id != group_id,
                target.merged_into_id.is_(None),
            )
            .group_by(SuggestionRow.group_id, target.title)
            .order_by(func.max(SuggestionRow.score).desc())
        )
        return [Suggestion(group_id=g, score=float(s), text=t) for g, s, t in self.s.execute(query)]

    def suggestions_of_messages(
        self, message_ids: Collection[int]
    ) -> dict[int, list[tuple[int, float]]]:
        result: dict[int, list[tuple[int, float]]] = {}
        ids = list(message_ids)
        for start in range(0, len(ids), 500):
            query = select(SuggestionRow).where(
                SuggestionRow.message_id.in_(ids[start : start + 500])
            )
            for row in self.s.scalars(query.order_by(SuggestionRow.score.desc())):
                result.setdefault(row.message_id, []).append((row.group_id, row.score))
        return result

    def all_suggestions(self, event_id: int) -> dict[int, list[tuple[int, float]]]:
        result: dict[int, list[tuple[int, float]]] = {}
        query = (
            select(SuggestionRow.message_id, SuggestionRow.group_id, SuggestionRow.score)
            .join(MessageRow, MessageRow.id == SuggestionRow.message_id)
            .where(MessageRow.event_id == event_id)
            .order_by(SuggestionRow.message_id, SuggestionRow.score.desc())
        )
        for mid, gid, score in self.s.execute(query):
            result.setdefault(mid, []).append((gid, float(score)))
        return result

    def to_group(self, row: GroupRow, *, with_suggestions: bool = False) -> Group:
        members = tuple(to_message(m) for m in self.members(row.id))
        extra = self.votes([row.id]).get(row.id, (0, 0))[1]
        suggestions = tuple(self.suggestions_for_group(row.id)) if with_suggestions else ()
        return _build_group(row, members, extra, suggestions)

    def full_groups(
        self, event_id: int, *, include_merged: bool = False, with_suggestions: bool = False
    ) -> list[Group]:
        """Every group with members and votes, in a handful of queries (exports, stats)."""
        rows = self.groups(event_id, include_merged=include_merged)
        messages = list(
            self.s.scalars(
                select(MessageRow)
                .where(MessageRow.event_id == event_id)
                .order_by(MessageRow.received_at.is_(None), MessageRow.received_at, MessageRow.id)
            )
        )
        members: dict[int, list[Message]] = {}
        kind_of: dict[int, str] = {}
        group_of: dict[int, int | None] = {}
        for m in messages:
            kind_of[m.id] = m.kind
            group_of[m.id] = m.group_id
            if m.group_id is not None:
                members.setdefault(m.group_id, []).append(to_message(m))
        extra: Counter[int] = Counter()
        for m in messages:
            if m.kind == Kind.VOTE.value and m.vote_for_id is not None:
                gid = group_of.get(m.vote_for_id)
                if gid is not None:
                    extra[gid] += 1
        suggestions: dict[int, list[Suggestion]] = {}
        if with_suggestions:
            titles = {r.id: r.title for r in rows}
            best: dict[int, dict[int, float]] = {}
            for mid, hits in self.all_suggestions(event_id).items():
                gid = group_of.get(mid)
                if gid is None:
                    continue
                for other, score in hits:
                    if other != gid:
                        slot = best.setdefault(gid, {})
                        slot[other] = max(slot.get(other, 0.0), score)
            for gid, scores in best.items():
                suggestions[gid] = [
                    Suggestion(o, sc, titles.get(o, ""))
                    for o, sc in sorted(scores.items(), key=lambda kv: -kv[1])
                ]
        return [
            _build_group(
                row,
                tuple(members.get(row.id, ())),
                extra[row.id],
                tuple(suggestions.get(row.id, ())),
            )
            for row in rows
        ]

    def state_project_counts(self, event_id: int) -> dict[tuple[QueueState, str | None], int]:
        """Listed groups per (state, effective project: the confirmed one, else the
        suggested one, None: neither), in one query."""
        project = func.coalesce(GroupRow.project_key, GroupRow.suggested_project)
        query = (
            select(GroupRow.state, project, func.count())
            .where(
                GroupRow.event_id == event_id,
                GroupRow.merged_into_id.is_(None),
                exists().where(MessageRow.group_id == GroupRow.id),
            )
            .group_by(GroupRow.state, project)
        )
        return {(QueueState(state), key): n for state, key, n in self.s.execute(query)}

    def state_counts(self, event_id: int) -> dict[QueueState, int]:
        query = (
            select(GroupRow.state, func.count())
            .where(
                GroupRow.event_id == event_id,
                GroupRow.merged_into_id.is_(None),
                exists().where(MessageRow.group_id == GroupRow.id),
            )
            .group_by(GroupRow.state)
        )
        return {QueueState(state): count for state, count in self.s.execute(query)}

    def kind_counts(self, event_id: int) -> dict[Kind, int]:
        query = (
            select(MessageRow.kind, func.count())
            .where(MessageRow.event_id == event_id)
            .group_by(MessageRow.kind)
        )
        return {Kind(kind): count for kind, count in self.s.execute(query)}

    def kind_count(self, event_id: int, kind: Kind) -> int:
        """How many messages of one kind the event has (one count, no grouping)."""
        query = (
            select(func.count())
            .select_from(MessageRow)
            .where(MessageRow.event_id == event_id, MessageRow.kind == kind.value)
        )
        return self.s.scalar(query) or 0

    def project_counts(self, event_id: int) -> dict[str | None, int]:
        project = func.coalesce(GroupRow.project_key, GroupRow.suggested_project)
        query = (
            select(project, func.count())
            .where(
                GroupRow.event_id == event_id,
                GroupRow.merged_into_id.is_(None),
                exists().where(MessageRow.group_id == GroupRow.id),
            )
            .group_by(project)
        )
        return dict(self.s.execute(query).all())
