"""Queries and row changes, one Session each. Returns domain objects or rows to services.

Rows never leave the services layer: services turn them into domain objects with the
converters (`storage.convert`) before returning anything. By concern: conversion
(`convert`), list lines (`list_lines`), read models (`read_models`), the action log
(`action_log`), question texts and vectors (`question_texts`), events and projects
(`events`); locks, writes and the live queue here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from moderator.domain.models import (
    GroupSummary,
    Kind,
    Message,
    QueueState,
)
from moderator.storage.action_log import ActionLog
from moderator.storage.convert import to_action, to_event, to_message
from moderator.storage.events import Events
from moderator.storage.list_lines import ONE_QUERY_MAX_IDS
from moderator.storage.purge import purge_personal_data, purged_key
from moderator.storage.question_texts import QuestionTexts
from moderator.storage.read_models import ReadModels
from moderator.storage.rows import (
    ActionRow,
    AnswerDraftRow,
    EventRow,
    GroupRow,
    MessageRow,
    SourceStateRow,
    SuggestionRow,
)

# Re-exported for services, which hold rows but never import SQLAlchemy themselves.
__all__ = [
    "ONE_QUERY_MAX_IDS",
    "ActionRow",
    "EventRow",
    "GroupRow",
    "GroupSummary",
    "MessageRow",
    "Repository",
    "to_action",
    "to_event",
    "to_message",
]


# PostgreSQL advisory lock classes, one per kind of writer: writers of one kind on one event
# take turns, importers and moderators do not wait for each other (see `lock_scope`).
MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL, checked on SQLite too
WRITE_SCOPES = {"import": 0x4D49, "queue": 0x4D51}


def change_channel(event_id: int) -> str:
    """The PostgreSQL LISTEN/NOTIFY channel of one event."""
    return f"moderator_{int(event_id)}"


class Repository(ReadModels, ActionLog, QuestionTexts, Events):
    """Everything the services ask of the database, on one Session."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._log: list[ActionRow] = []  # written by `finish_write`

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
        """Stored message ids by source key; a message whose key a purge replaced by its
        hash (`purged_key`) is found too, so importing a source again adds nothing."""
        found: dict[str, int] = {}
        key_list = list(keys)
        for start in range(0, len(key_list), 250):
            chunk = key_list[start : start + 250]
            hashed = {purged_key(key): key for key in chunk}
            for key, msg_id in self.s.execute(
                select(MessageRow.source_key, MessageRow.id).where(
                    MessageRow.event_id == event_id,
                    MessageRow.source_key.in_([*chunk, *hashed]),
                )
            ):
                found[hashed.get(key, key)] = msg_id
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
        # SQLite: SQLAlchemy can promise the ids in the order of the rows only by one
        # statement per row (a third of a 10,000-message import's storing time). SQLite
        # gives the rows of one multi-row INSERT rising ids in the order of its VALUES, so
        # the returned ids, sorted, are in the order of the rows.
        sqlite = connection.dialect.name == "sqlite"
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            if sqlite:
                statement = insert(table).returning(table.c.id)
                ids.extend(sorted(connection.execute(statement, chunk).scalars()))
            else:
                statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
                ids.extend(connection.execute(statement, chunk).scalars())
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

    def suggestions_of(self, message_id: int) -> list[tuple[int, float]]:
        """The stored duplicate suggestions of one message: (group, score)."""
        return [
            (g, float(score))
            for g, score in self.s.execute(
                select(SuggestionRow.group_id, SuggestionRow.score)
                .where(SuggestionRow.message_id == message_id)
                .order_by(SuggestionRow.group_id)
            )
        ]

    def delete_messages(self, message_ids: Collection[int], *, replaced_by: int) -> None:
        """Delete messages a divide created, now joined again: votes for them and replies
        to them point at `replaced_by`; their suggestions and vectors go with them."""
        ids = list(message_ids)
        if not ids:
            return
        self.s.flush()
        self.s.execute(
            update(MessageRow)
            .where(MessageRow.vote_for_id.in_(ids))
            .values(vote_for_id=replaced_by)
        )
        self.s.execute(
            update(MessageRow)
            .where(MessageRow.reply_to_id.in_(ids))
            .values(reply_to_id=replaced_by)
        )
        self.s.execute(delete(SuggestionRow).where(SuggestionRow.message_id.in_(ids)))
        self.forget_vectors(ids)
        for row in [self.message(i) for i in ids]:
            self.s.delete(row)
        self.s.flush()

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

    def flush(self) -> None:
        """Send the pending row changes to the database (inside the transaction)."""
        self.s.flush()

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

    def add_suggestions(self, message_id: int, suggestions: Iterable[tuple[int, float]]) -> None:
        for group_id, score in suggestions:
            self.s.add(SuggestionRow(message_id=message_id, group_id=group_id, score=float(score)))

    def groups(self, event_id: int, *, include_merged: bool = False) -> list[GroupRow]:
        query = select(GroupRow).where(GroupRow.event_id == event_id)
        if not include_merged:
            query = query.where(GroupRow.merged_into_id.is_(None))
        return list(self.s.scalars(query.order_by(GroupRow.id)))

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

    # -- answer drafts ---------------------------------------------------------------------
    def answer_draft(self, group_id: int, moderator: str) -> str | None:
        row = self.s.get(AnswerDraftRow, (group_id, moderator))
        return row.text if row else None

    def set_answer_draft(
        self, event_id: int, group_id: int, moderator: str, text: str, at: datetime
    ) -> None:
        row = self.s.get(AnswerDraftRow, (group_id, moderator))
        if row is None:
            draft = AnswerDraftRow(group_id=group_id, moderator=moderator, event_id=event_id)
            draft.text, draft.saved_at = text, at
            self.s.add(draft)
        else:
            row.text, row.saved_at = text, at

    def drop_answer_draft(self, group_id: int, moderator: str) -> None:
        row = self.s.get(AnswerDraftRow, (group_id, moderator))
        if row is not None:
            self.s.delete(row)

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
        """See `storage.purge.purge_personal_data`."""
        return purge_personal_data(self.s, event_id)
