"""List lines (`GroupSummary`): what the console's lists show of each question, read in
one of three ways by how many there are (a few ids in one statement, a few thousand in
batches of ids, the whole event in event-wide aggregates). A mixin of `Repository`."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from moderator.domain.models import Channel, GroupSummary, Kind, QueueState
from moderator.storage.convert import _summary
from moderator.storage.line_parts import LineParts
from moderator.storage.rows import GroupRow, MessageRow, SuggestionRow

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


# Above this many groups `summaries` reads the counts, first members and suggestions for
# the whole event in one aggregate query each instead of in batches of 500 ids: at 100,000
# questions the batches were 600 statements (each compiled afresh for its id list) and
# most of the console's start-up.
EVENT_WIDE_ABOVE = 2000

#: The group columns a list line needs (a plain row, not an ORM object: loading 100,000
#: ORM objects costs seconds of identity-map work the lists never use).
_LINE_COLUMNS = (
    GroupRow.id,
    GroupRow.title,
    GroupRow.state,
    GroupRow.position,
    GroupRow.project_key,
    GroupRow.project_confirmed,
    GroupRow.suggested_project,
    GroupRow.suggested_confidence,
    GroupRow.created_at,
    GroupRow.version,
    GroupRow.auto_merged,
    GroupRow.answer,
)


class ListLines(LineParts):
    """The queries behind `summaries`."""

    s: Session

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
        event_wide: bool | None = None,
    ) -> list[GroupSummary]:
        """Open groups with their counts and hints. `group_ids` narrows to those groups,
        and `plus_states` adds every group in those states (one read for both).

        Three ways to the same list: a few ids (an own action's read-back, a poll for
        others' changes) in one statement with correlated subqueries per group (see
        `ONE_QUERY_MAX_IDS`); more in batched queries by id; more than `EVENT_WIDE_ABOVE`
        groups (the console's first load) with one aggregate query over the event for each
        of counts, first members and suggestions. `one_query` and `event_wide` force a way
        (tests and benchmarks compare them).
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
        rows = self.s.execute(query.with_only_columns(*_LINE_COLUMNS)).all()
        ids = [g.id for g in rows]
        if event_wide is None:
            event_wide = len(ids) > EVENT_WIDE_ABOVE
        if event_wide:
            votes = self._event_votes(event_id)
            firsts = self._event_first_members(event_id)
            tops = self._event_top_suggestions(event_id)
        else:
            votes = self.votes(ids) if ids else {}
            firsts = self._first_members(ids)
            tops = self._top_suggestions(ids)
        return _lines(rows, votes, firsts, tops)

    def newest_group_ids(
        self, event_id: int, states: Collection[QueueState] | None, limit: int
    ) -> list[int]:
        """The ids of the newest `limit` listed groups in `states` (None: any)."""
        query = self._summary_query(
            event_id, states=states, project=None, search=None, group_ids=None, plus_states=()
        )
        query = query.with_only_columns(GroupRow.id).order_by(None).order_by(GroupRow.id.desc())
        return list(self.s.scalars(query.limit(limit)))

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
        """The groups `summaries` lists, in id order (each of its ways starts from this)."""
        in_event = GroupRow.event_id == event_id
        query = select(GroupRow).where(
            GroupRow.merged_into_id.is_(None),
            exists().where(MessageRow.group_id == GroupRow.id),
        )
        if group_ids is None:
            query = query.where(in_event)
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
            # The event inside each side of the OR, not beside it: then each side uses an
            # index (the key; the event's states), where the event's index alone would
            # read every group of the event (15 ms at 100,000 for a read-back).
            wanted = and_(GroupRow.id.in_(list(group_ids)), in_event)
            if plus_states:
                live = GroupRow.state.in_([s.value for s in plus_states])
                wanted = or_(wanted, and_(in_event, live))
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


_STATES = {s.value: s for s in QueueState}
_CHANNELS = {c.value: c for c in Channel}


def _lines(
    rows: Iterable[Any],
    votes: dict[int, tuple[int, int]],
    firsts: dict[int, tuple[str, str | None, datetime | None]],
    tops: dict[int, tuple[int, float]],
) -> list[GroupSummary]:
    """List lines from rows of `_LINE_COLUMNS` and what was read beside them: what
    `convert._summary` does, unrolled (a tenth of the start-up at 100,000 questions went
    into building the lines by keyword)."""
    result = []
    append = result.append
    none, no_votes, no_top = (None, None, None), (0, 0), (None, 0.0)
    manual = Channel.MANUAL
    for (
        gid,
        title,
        state,
        position,
        key,
        confirmed,
        suggested,
        confidence,
        created_at,
        version,
        auto,
        answer,
    ) in rows:
        members, extra = votes.get(gid, no_votes)
        channel, author, first_at = firsts.get(gid, none)
        top, score = tops.get(gid, no_top)
        append(
            GroupSummary(
                gid,
                title,
                _STATES[state],
                position,
                key,
                confirmed,
                suggested,
                confidence,
                members,
                members + extra,
                _CHANNELS[channel] if channel else manual,
                author,
                first_at,
                created_at,
                top,
                score,
                version,
                auto,
                bool(answer.strip()),
            )
        )
    return result
