"""The read side: list lines (`GroupSummary`) in one statement or in batches, whole groups
with members and suggestions, counts. A mixin of `Repository`, on its Session."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from moderator.domain.models import (
    Group,
    GroupSummary,
    Kind,
    Message,
    QueueState,
    Suggestion,
)
from moderator.storage.convert import _build_group, _summary, to_message
from moderator.storage.rows import (
    GroupRow,
    MessageRow,
    SuggestionRow,
)

# `summaries` of at most this many `group_ids` (plus the live queue) in one statement,
# of more ids or the whole event in five batched queries. Measured (benchmarks/
# bench_readback.py, 10,000 questions): one statement is faster on both backends for
# every id count tried up to 8,000 (PostgreSQL: 1 id 4.5 against 10.5 ms, 1,000 ids 49
# against 84 ms), but PostgreSQL estimates its correlated subqueries at about 60 per row
# and JIT-compiles plans above jit_above_cost (default 100,000, some 1,600 rows) and
# optimises them above 500,000 (some 8,000 rows: a second of compiling, so the whole
# event is slower in one statement, 1.1 s against 0.8 s). 1,000 stays clear of that with
# room for the live queue, and covers everything `Reader` reads by ids but a rare burst.
ONE_QUERY_MAX_IDS = 1000


@cache
def _one_query_columns() -> tuple[tuple[Any, ...], Any, Any]:
    """The columns `Repository.summaries` adds to the groups in its one-statement way, the
    first member's alias and its id, built once: building aliases and subqueries costs
    more Python time (about 3 ms) than the database needs to run the whole statement.

    Portable SQL (no LATERAL, which SQLite lacks): each subquery is a few index lookups
    per group, cheap for a few groups, not for the whole event (`ONE_QUERY_MAX_IDS`).
    """
    member = aliased(MessageRow, name="member")
    voter = aliased(MessageRow, name="voter")
    first = aliased(MessageRow, name="first_member")
    target = aliased(GroupRow, name="target")
    questions = (
        select(func.count())
        .select_from(member)
        .where(member.group_id == GroupRow.id, member.kind == Kind.QUESTION.value)
        .correlate(GroupRow)
        .scalar_subquery()
    )
    extra = (
        select(func.count(voter.id))
        .select_from(member)
        .join(voter, voter.vote_for_id == member.id)
        .where(member.group_id == GroupRow.id, voter.kind == Kind.VOTE.value)
        .correlate(GroupRow)
        .scalar_subquery()
    )
    first_id = (
        select(func.min(member.id))
        .where(member.group_id == GroupRow.id)
        .correlate(GroupRow)
        .scalar_subquery()
    )
    live_suggestions = (
        select(SuggestionRow.group_id)
        .join(member, member.id == SuggestionRow.message_id)
        .join(target, target.id == SuggestionRow.group_id)
        .where(
            member.group_id == GroupRow.id,
            SuggestionRow.group_id != GroupRow.id,
            target.merged_into_id.is_(None),
        )
        .correlate(GroupRow)
    )
    # The tie-break of `Repository._top_suggestions`: highest score, then lowest group id.
    top_group = (
        live_suggestions.order_by(SuggestionRow.score.desc(), SuggestionRow.group_id)
        .limit(1)
        .scalar_subquery()
    )
    top_score = live_suggestions.with_only_columns(func.max(SuggestionRow.score)).scalar_subquery()
    columns = (
        questions,
        extra,
        first.channel,
        first.author,
        first.received_at,
        top_group,
        top_score,
    )
    return columns, first, first_id


class ReadModels:
    """Queries that read question groups for lists, details, exports and counts."""

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

    def summaries(
        self,
        event_id: int,
        *,
        states: Collection[QueueState] | None = None,
        project: str | None = None,
        search: str | None = None,
        group_ids: Collection[int] | None = None,
        plus_states: Collection[QueueState] = (),
        one_query: bool | None = None,
    ) -> list[GroupSummary]:
        """Open groups with their counts and hints. `group_ids` narrows to those groups,
        and `plus_states` adds every group in those states (one read for both).

        Two ways to the same list (see `ONE_QUERY_MAX_IDS`): a few ids (an own action's
        read-back, a poll for others' changes) in one statement with correlated
        subqueries per group, anything bigger in five batched queries. `one_query` forces
        one of them (tests and benchmarks compare them).
        """
        if one_query is None:
            one_query = group_ids is not None and len(group_ids) <= ONE_QUERY_MAX_IDS
        query = self._summary_query(
            event_id,
            states=states,
            project=project,
            search=search,
            group_ids=group_ids,
            plus_states=plus_states,
        )
        if one_query:
            return self._summaries_one_query(query)
        rows = list(self.s.scalars(query))
        ids = [g.id for g in rows]
        votes = self.votes(ids) if ids else {}
        firsts = self._first_members(ids)
        tops = self._top_suggestions(ids)
        result = []
        for group in rows:
            channel, author, first_at = firsts.get(group.id, (None, None, None))
            top = tops.get(group.id, (None, 0.0))
            members, extra = votes.get(group.id, (0, 0))
            result.append(
                _summary(group, members, extra, (channel, author, first_at), top[0], top[1])
            )
        return result

    def _summary_query(
        self,
        event_id: int,
        *,
        states: Collection[QueueState] | None,
        project: str | None,
        search: str | None,
        group_ids: Collection[int] | None,
        plus_states: Collection[QueueState],
    ) -> Select[tuple[GroupRow]]:
        """The groups `summaries` lists, in id order (both of its ways start from this)."""
        query = select(GroupRow).where(
            GroupRow.event_id == event_id,
            GroupRow.merged_into_id.is_(None),
            exists().where(MessageRow.group_id == GroupRow.id),
        )
        if states:
            query = query.where(GroupRow.state.in_([s.value for s in states]))
        if project:
            query = query.where(
                or_(
                    GroupRow.project_key == project,
                    and_(GroupRow.project_key.is_(None), GroupRow.suggested_project == project),
                )
            )
        if search:
            pattern = f"%{search.lower()}%"
            query = query.where(
                or_(
                    func.lower(GroupRow.title).like(pattern),
                    exists().where(
                        MessageRow.group_id == GroupRow.id,
                        or_(
                            func.lower(MessageRow.text).like(pattern),
                            func.lower(func.coalesce(MessageRow.author, "")).like(pattern),
                        ),
                    ),
                )
            )
        if group_ids is not None:
            wanted = GroupRow.id.in_(list(group_ids))
            if plus_states:
                wanted = or_(wanted, GroupRow.state.in_([s.value for s in plus_states]))
            query = query.where(wanted)
        return query.order_by(GroupRow.id)

    def _summaries_one_query(self, query: Select[tuple[GroupRow]]) -> list[GroupSummary]:
        """`summaries` in one statement: per group, correlated scalar subqueries count the
        question members and the "+1"s, find the first member (lowest message id; joined
        by primary key) and the best live duplicate suggestion (see `_one_query_columns`)."""
        columns, first, first_id = _one_query_columns()
        statement = query.add_columns(*columns).outerjoin(first, first.id == first_id)
        return [
            _summary(
                group,
                members,
                votes,
                (channel, author, first_at),
                top,
                0.0 if score is None else score,
            )
            for group, members, votes, channel, author, first_at, top, score in self.s.execute(
                statement
            )
        ]

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
            for gid, other, score in self.s.execute(query):
                best = result.get(gid)
                if best is None or (-score, other) < (-best[1], best[0]):
                    result[gid] = (other, score)
        return result

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
