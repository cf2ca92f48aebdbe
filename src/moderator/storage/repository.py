"""Queries and row changes, one Session each. Returns domain objects or rows to services.

Rows never leave the services layer: services turn them into domain objects with the
converters below before returning anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import flag_modified

from moderator.domain.models import (
    Action,
    Channel,
    Event,
    Group,
    Kind,
    Message,
    Project,
    QueueState,
    Suggestion,
)
from moderator.storage.db import EVENTS_LOCK
from moderator.storage.rows import (
    ActionRow,
    EventRow,
    GroupRow,
    MessageRow,
    ProjectRow,
    QuestionVectorRow,
    SourceStateRow,
    SuggestionRow,
)

# Re-exported for services, which hold rows but never import SQLAlchemy themselves.
__all__ = [
    "ActionRow",
    "EventRow",
    "GroupRow",
    "GroupSummary",
    "MessageRow",
    "Repository",
]


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One line of a list: what the inbox and the queues show, without member details."""

    id: int
    title: str
    state: QueueState
    position: int | None
    project_key: str | None
    project_confirmed: bool
    suggested_project: str | None
    suggested_confidence: float
    members: int
    votes: int
    channel: Channel
    author: str | None
    first_at: datetime | None
    created_at: datetime
    top_match_group: int | None
    top_match_score: float
    version: int
    auto_merged: bool
    has_answer: bool

    @property
    def effective_project(self) -> str | None:
        return self.project_key or self.suggested_project


def to_event(row: EventRow) -> Event:
    return Event(id=row.id, slug=row.slug, title=row.title, starts_at=row.starts_at)


def to_message(row: MessageRow) -> Message:
    return Message(
        id=row.id,
        event_id=row.event_id,
        source_key=row.source_key,
        channel=Channel(row.channel),
        kind=Kind(row.kind),
        text=row.text,
        original=row.original,
        author=row.author,
        author_email=row.author_email,
        received_at=row.received_at,
        private=row.private,
        group_id=row.group_id,
        reply_to_id=row.reply_to_id,
        vote_for_id=row.vote_for_id,
        kind_overridden=row.kind_overridden,
    )


def to_action(row: ActionRow) -> Action:
    return Action(
        id=row.id,
        event_id=row.event_id,
        moderator=row.moderator,
        at=row.at,
        verb=row.verb,
        group_id=row.group_id,
        summary=row.summary,
        before=dict(row.before or {}),
        after=dict(row.after or {}),
        undone=row.undone,
    )


# PostgreSQL advisory lock classes, one per kind of writer: writers of one kind on one event
# take turns, importers and moderators do not wait for each other (see `lock_scope`).
MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL, checked on SQLite too
WRITE_SCOPES = {"import": 0x4D49, "queue": 0x4D51}


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


def change_channel(event_id: int) -> str:
    """The PostgreSQL LISTEN/NOTIFY channel of one event."""
    return f"moderator_{int(event_id)}"


def _build_group(
    row: GroupRow,
    members: tuple[Message, ...],
    extra_votes: int,
    suggestions: tuple[Suggestion, ...],
) -> Group:
    """A domain group; votes are its question members plus the "+1"s for them."""
    questions = sum(1 for m in members if m.kind == Kind.QUESTION)
    return Group(
        id=row.id,
        event_id=row.event_id,
        title=row.title,
        state=QueueState(row.state),
        position=row.position,
        project_key=row.project_key,
        project_confirmed=row.project_confirmed,
        suggested_project=row.suggested_project,
        suggested_confidence=row.suggested_confidence,
        answer=row.answer,
        version=row.version,
        created_at=row.created_at,
        members=members,
        votes=questions + extra_votes,
        extra_votes=extra_votes,
        auto_merged=row.auto_merged,
        suggestions=suggestions,
        merged_into=row.merged_into_id,
        runner_up_project=row.runner_up_project,
        title_edited=row.title_edited,
    )


def _summary(
    row: GroupRow,
    members: int,
    extra_votes: int,
    first: tuple[str | None, str | None, datetime | None],
    top_group: int | None,
    top_score: float,
) -> GroupSummary:
    """One line of a list; `first` is the first member's channel, author and time (a
    group without a member row counts as typed in by hand)."""
    channel, author, first_at = first
    return GroupSummary(
        id=row.id,
        title=row.title,
        state=QueueState(row.state),
        position=row.position,
        project_key=row.project_key,
        project_confirmed=row.project_confirmed,
        suggested_project=row.suggested_project,
        suggested_confidence=row.suggested_confidence,
        members=members,
        votes=members + extra_votes,
        channel=Channel(channel or Channel.MANUAL.value),
        author=author,
        first_at=first_at,
        created_at=row.created_at,
        top_match_group=top_group,
        top_match_score=top_score,
        version=row.version,
        auto_merged=row.auto_merged,
        has_answer=bool(row.answer.strip()),
    )


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


class Repository:
    """Everything the services ask of the database, on one Session."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._log: list[ActionRow] = []  # written by `finish_write`

    # -- events and projects ---------------------------------------------------------------
    def event_by_slug(self, slug: str) -> EventRow | None:
        return self.s.scalar(select(EventRow).where(EventRow.slug == slug))

    def event(self, event_id: int) -> EventRow:
        row = self.s.get(EventRow, event_id)
        if row is None:
            raise LookupError(f"no event with id {event_id}")
        return row

    def events(self) -> list[Event]:
        rows = self.s.scalars(
            select(EventRow).order_by(EventRow.created_at.desc(), EventRow.id.desc())
        )
        return [to_event(r) for r in rows]

    def add_event(
        self, *, slug: str, title: str, starts_at: datetime | None, config_toml: str, now: datetime
    ) -> EventRow:
        row = EventRow(
            slug=slug,
            title=title,
            starts_at=starts_at,
            config_toml=config_toml,
            created_at=now,
            change_seq=0,
        )
        self.s.add(row)
        self.s.flush()
        return row

    def replace_projects(self, event_id: int, projects: Sequence[Project]) -> None:
        existing = {
            p.key: p
            for p in self.s.scalars(select(ProjectRow).where(ProjectRow.event_id == event_id))
        }
        for position, project in enumerate(projects, start=1):
            row = existing.pop(project.key, None) or ProjectRow(event_id=event_id, key=project.key)
            row.name = project.name
            row.hotkey = project.hotkey
            row.position = position
            row.general = project.general
            row.keywords = "\n".join(project.keywords)
            row.aliases = "\n".join(project.aliases)
            row.description = project.description
            self.s.add(row)
        for row in existing.values():
            self.s.delete(row)
        self.s.flush()

    def projects(self, event_id: int) -> list[Project]:
        rows = self.s.scalars(
            select(ProjectRow).where(ProjectRow.event_id == event_id).order_by(ProjectRow.position)
        )
        return [
            Project(
                key=r.key,
                name=r.name,
                hotkey=r.hotkey,
                order=r.position,
                keywords=tuple(filter(None, r.keywords.split("\n"))),
                aliases=tuple(filter(None, r.aliases.split("\n"))),
                description=r.description,
                general=r.general,
            )
            for r in rows
        ]

    def lock_events(self) -> None:
        """Until the transaction ends, be the only one finding or creating an event, so
        processes started together create it once. SQLite writers take turns anyway."""
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(select(func.pg_advisory_xact_lock(EVENTS_LOCK)))

    def lock_scope(self, event_id: int, scope: str) -> None:
        """Take one of the event's write locks until the transaction ends.

        `queue`: moderators' decisions, which read and rewrite queues and groups (version
        checks guard the groups, this lock the live positions and the one question on
        air). `import`: importers, which must see each other's questions for duplicate
        suggestions and store messages in id order. On PostgreSQL an advisory lock; SQLite
        needs none, its writers take turns anyway (BEGIN IMMEDIATE).
        """
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(select(func.pg_advisory_xact_lock(WRITE_SCOPES[scope], event_id)))

    def touch_group(self, row: GroupRow, **values: Any) -> None:
        """Set `values` and write the row with a version check even if nothing changed."""
        for key, value in values.items():
            setattr(row, key, value)
        flag_modified(row, next(iter(values)))

    def finish_write(self, event_id: int) -> int:
        """The last statements of every write: bump the event's change counter, then store
        the action log entries; returns the new counter.

        The counter's row lock is held from here to COMMIT, a few milliseconds, so action
        ids are handed out in commit order: a reader that saw action n has seen every
        action before it (`actions(after_id=...)` relies on it). `UPDATE` takes a
        no-key-update lock, which does not wait for writers that merely insert rows
        referring to the event. On PostgreSQL this also queues `NOTIFY moderator_<event
        id>` with the new counter, delivered to listeners when the transaction commits.
        """
        seq = self.s.execute(
            update(EventRow)
            .where(EventRow.id == event_id)
            .values(change_seq=EventRow.change_seq + 1)
            .returning(EventRow.change_seq)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        if seq is None:
            raise LookupError(f"no event with id {event_id}")
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(select(func.pg_notify(change_channel(event_id), str(seq))))
        if self._log:
            self.s.add_all(self._log)
            self.s.flush()
            self._log.clear()
        return seq

    def change_seq(self, event_id: int) -> int:
        return self.s.scalar(select(EventRow.change_seq).where(EventRow.id == event_id)) or 0

    # -- messages --------------------------------------------------------------------------
    def known_keys(self, event_id: int, keys: Collection[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        key_list = list(keys)
        for start in range(0, len(key_list), 500):
            chunk = key_list[start : start + 500]
            for key, msg_id in self.s.execute(
                select(MessageRow.source_key, MessageRow.id).where(
                    MessageRow.event_id == event_id, MessageRow.source_key.in_(chunk)
                )
            ):
                found[key] = msg_id
        return found

    def insert_messages(self, rows: list[dict[str, Any]]) -> list[int]:
        """Bulk insert; returns the new ids in the order of `rows`."""
        if not rows:
            return []
        return self._insert_returning_ids(MessageRow.__table__, rows)

    def insert_groups(self, rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        return self._insert_returning_ids(GroupRow.__table__, rows)

    def _insert_returning_ids(self, table: Any, rows: list[dict[str, Any]]) -> list[int]:
        # Core insertmanyvalues (one statement per batch), not the ORM bulk path, whose
        # result splicing grows with the square of the batch count.
        connection = self.s.connection()
        ids: list[int] = []
        for start in range(0, len(rows), 1000):
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids.extend(connection.execute(statement, rows[start : start + 1000]).scalars())
        return ids

    def update_messages(self, rows: list[dict[str, Any]]) -> None:
        """Bulk update by primary key: each dict has `id` and the columns to set."""
        if rows:
            self.s.execute(update(MessageRow), rows)

    def insert_suggestions(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.s.connection().execute(insert(SuggestionRow.__table__), rows)

    def message(self, message_id: int) -> MessageRow:
        row = self.s.get(MessageRow, message_id)
        if row is None:
            raise LookupError(f"no message #{message_id}")
        return row

    def messages(
        self, event_id: int, *, kinds: Collection[Kind] | None = None, after_id: int = 0
    ) -> list[Message]:
        query = select(MessageRow).where(MessageRow.event_id == event_id, MessageRow.id > after_id)
        if kinds:
            query = query.where(MessageRow.kind.in_([k.value for k in kinds]))
        return [to_message(r) for r in self.s.scalars(query.order_by(MessageRow.id))]

    @staticmethod
    def _grouped_questions(event_id: int) -> tuple[Any, ...]:
        """The conditions of the questions the duplicate index holds: grouped questions."""
        return (
            MessageRow.event_id == event_id,
            MessageRow.kind == Kind.QUESTION.value,
            MessageRow.group_id.is_not(None),
        )

    def question_texts(self, event_id: int, after_id: int = 0) -> list[tuple[int, int, str]]:
        """(message id, group id, text) of every grouped question, for the duplicate index."""
        query = (
            select(MessageRow.id, MessageRow.group_id, MessageRow.text)
            .where(*self._grouped_questions(event_id), MessageRow.id > after_id)
            .order_by(MessageRow.id)
        )
        return [(m, g, t) for m, g, t in self.s.execute(query)]

    def question_texts_and_vectors(
        self, event_id: int, model_id: str, after_id: int = 0
    ) -> list[tuple[int, int, str, bytes | None]]:
        """(message id, group id, text, stored vector of `model_id` or None) of every grouped
        question after `after_id`, for the duplicate index."""
        query = (
            select(MessageRow.id, MessageRow.group_id, MessageRow.text, QuestionVectorRow.vector)
            .outerjoin(
                QuestionVectorRow,
                (QuestionVectorRow.message_id == MessageRow.id)
                & (QuestionVectorRow.model_id == model_id),
            )
            .where(*self._grouped_questions(event_id), MessageRow.id > after_id)
            .order_by(MessageRow.id)
        )
        return [(m, g, t, v) for m, g, t, v in self.s.execute(query)]

    def questions_without_vector(
        self, event_id: int, model_id: str, limit: int
    ) -> list[tuple[int, str]]:
        """(message id, text) of the first `limit` grouped questions, oldest first, that have
        no vector of `model_id` yet."""
        has_vector = select(QuestionVectorRow.message_id).where(
            QuestionVectorRow.message_id == MessageRow.id,
            QuestionVectorRow.model_id == model_id,
        )
        query = (
            select(MessageRow.id, MessageRow.text)
            .where(*self._grouped_questions(event_id), ~has_vector.exists())
            .order_by(MessageRow.id)
            .limit(limit)
        )
        return [(m, t) for m, t in self.s.execute(query)]

    def count_without_vector(self, event_id: int, model_id: str) -> int:
        """How many grouped questions of the event have no vector of `model_id` yet."""
        has_vector = select(QuestionVectorRow.message_id).where(
            QuestionVectorRow.message_id == MessageRow.id,
            QuestionVectorRow.model_id == model_id,
        )
        return (
            self.s.scalar(
                select(func.count(MessageRow.id)).where(
                    *self._grouped_questions(event_id), ~has_vector.exists()
                )
            )
            or 0
        )

    def store_vectors(self, event_id: int, model_id: str, rows: list[tuple[int, bytes]]) -> None:
        """Store question vectors of `model_id` (replacing earlier ones of that model)."""
        if not rows:
            return
        self.s.execute(
            delete(QuestionVectorRow).where(
                QuestionVectorRow.model_id == model_id,
                QuestionVectorRow.message_id.in_([m for m, _ in rows]),
            )
        )
        self.s.connection().execute(
            insert(QuestionVectorRow.__table__),
            [
                {"message_id": m, "model_id": model_id, "event_id": event_id, "vector": v}
                for m, v in rows
            ],
        )

    def drop_vectors(self, event_id: int, *, keep_model: str | None = None) -> int:
        """Delete the event's question vectors (but those of `keep_model`); how many."""
        query = delete(QuestionVectorRow).where(QuestionVectorRow.event_id == event_id)
        if keep_model is not None:
            query = query.where(QuestionVectorRow.model_id != keep_model)
        return self.s.execute(query).rowcount or 0

    def origin_groups(self, message_ids: Collection[int]) -> dict[int, int]:
        """The group each of these messages opened (messages that opened none are left out)."""
        result: dict[int, int] = {}
        ids = list(message_ids)
        for start in range(0, len(ids), 500):
            for mid, gid in self.s.execute(
                select(MessageRow.id, MessageRow.origin_group_id).where(
                    MessageRow.id.in_(ids[start : start + 500]),
                    MessageRow.origin_group_id.is_not(None),
                )
            ):
                result[mid] = gid
        return result

    def resuggest_projects(
        self, suggestions: dict[int, tuple[str, float, str | None]]
    ) -> list[int]:
        """Replace the suggested project (key, confidence, runner-up) of groups nobody has
        tagged yet; a group a moderator tagged meanwhile keeps its tag. Each changed group's
        version goes up (a console acting on the old suggestion is told it changed).
        Returns the changed group ids."""
        changed = []
        for group_id, (key, confidence, runner_up) in suggestions.items():
            result = self.s.execute(
                update(GroupRow)
                .where(
                    GroupRow.id == group_id,
                    GroupRow.project_key.is_(None),
                    GroupRow.merged_into_id.is_(None),
                    GroupRow.suggested_project.is_distinct_from(key),
                )
                .values(
                    suggested_project=key,
                    suggested_confidence=confidence,
                    runner_up_project=runner_up,
                    version=GroupRow.version + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount:
                changed.append(group_id)
        return changed

    def replace_suggestions(self, message_ids: Collection[int], rows: list[dict[str, Any]]) -> None:
        """The duplicate suggestions of these messages become `rows`."""
        ids = list(message_ids)
        for start in range(0, len(ids), 500):
            self.s.execute(
                delete(SuggestionRow).where(SuggestionRow.message_id.in_(ids[start : start + 500]))
            )
        self.insert_suggestions(rows)

    def group_of_messages(self, message_ids: Collection[int]) -> dict[int, int | None]:
        result: dict[int, int | None] = {}
        ids = list(message_ids)
        for start in range(0, len(ids), 500):
            for mid, gid in self.s.execute(
                select(MessageRow.id, MessageRow.group_id).where(
                    MessageRow.id.in_(ids[start : start + 500])
                )
            ):
                result[mid] = gid
        return result

    def latest_question_id(
        self, event_id: int, *, before_id: int | None = None, source_prefix: str | None = None
    ) -> int | None:
        query = select(MessageRow.id).where(
            MessageRow.event_id == event_id, MessageRow.kind == Kind.QUESTION.value
        )
        if before_id is not None:
            query = query.where(MessageRow.id < before_id)
        if source_prefix:
            query = query.where(MessageRow.source_key.startswith(source_prefix, autoescape=True))
        return self.s.scalar(query.order_by(MessageRow.id.desc()).limit(1))

    def members(self, group_id: int) -> list[MessageRow]:
        return list(
            self.s.scalars(
                select(MessageRow)
                .where(MessageRow.group_id == group_id)
                .order_by(MessageRow.received_at.is_(None), MessageRow.received_at, MessageRow.id)
            )
        )

    # -- groups ----------------------------------------------------------------------------
    def group(self, group_id: int) -> GroupRow:
        if not 0 < group_id <= MAX_ID:  # an id no row can have (the columns are 32-bit)
            raise LookupError(f"no question #{group_id}")
        row = self.s.get(GroupRow, group_id)
        if row is None:
            raise LookupError(f"no question #{group_id}")
        return row

    def live_order(self, event_id: int) -> list[GroupRow]:
        return list(
            self.s.scalars(
                select(GroupRow)
                .where(
                    GroupRow.event_id == event_id,
                    GroupRow.state == QueueState.LIVE.value,
                    GroupRow.merged_into_id.is_(None),
                )
                .order_by(GroupRow.position.is_(None), GroupRow.position, GroupRow.id)
            )
        )

    def on_air(self, event_id: int) -> list[GroupRow]:
        return list(
            self.s.scalars(
                select(GroupRow).where(
                    GroupRow.event_id == event_id,
                    GroupRow.state == QueueState.ON_AIR.value,
                    GroupRow.merged_into_id.is_(None),
                )
            )
        )

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

    def add_suggestions(self, message_id: int, suggestions: Iterable[tuple[int, float]]) -> None:
        for group_id, score in suggestions:
            self.s.add(SuggestionRow(message_id=message_id, group_id=group_id, score=float(score)))

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

    def groups(self, event_id: int, *, include_merged: bool = False) -> list[GroupRow]:
        query = select(GroupRow).where(GroupRow.event_id == event_id)
        if not include_merged:
            query = query.where(GroupRow.merged_into_id.is_(None))
        return list(self.s.scalars(query.order_by(GroupRow.id)))

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

    def shift_live_positions(self, event_id: int, from_position: int, delta: int) -> None:
        self.s.execute(
            update(GroupRow)
            .where(
                GroupRow.event_id == event_id,
                GroupRow.state == QueueState.LIVE.value,
                GroupRow.merged_into_id.is_(None),
                GroupRow.position >= from_position,
            )
            .values(position=GroupRow.position + delta)
            .execution_options(synchronize_session="fetch")
        )

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
                ActionRow.verb.in_(list(verbs)),
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

    # -- watched sources -------------------------------------------------------------------
    def source_state(self, event_id: int, source: str) -> dict[str, Any] | None:
        row = self.s.get(SourceStateRow, (event_id, source))
        return dict(row.state) if row else None

    def set_source_state(self, event_id: int, source: str, state: dict[str, Any]) -> None:
        row = self.s.get(SourceStateRow, (event_id, source))
        if row is None:
            self.s.add(SourceStateRow(event_id=event_id, source=source, state=state))
        else:
            row.state = state

    # -- personal data ---------------------------------------------------------------------
    def purge_personal_data(self, event_id: int) -> int:
        result = self.s.execute(
            update(MessageRow)
            .where(
                MessageRow.event_id == event_id,
                or_(MessageRow.author.is_not(None), MessageRow.author_email.is_not(None)),
            )
            .values(author=None, author_email=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0
