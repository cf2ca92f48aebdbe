"""ORM rows. Never leave the storage package: the repository converts them to domain objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from moderator.domain.fit import (
    AUTHOR_MAX,
    EMAIL_MAX,
    MODERATOR_MAX,
    PROJECT_KEY_MAX,
    PROJECT_NAME_MAX,
    SLUG_MAX,
    SOURCE_KEY_MAX,
    TITLE_MAX,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored in UTC, returned timezone-aware on every backend.

    SQLite keeps no offset, so without this a stored 18:00+02:00 would come back as a naive
    18:00. A naive value handed in is taken as the machine's local time (chat logs carry
    the wall-clock time of the computer that saved them).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    starts_at: Mapped[datetime | None]
    config_toml: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    # Bumped by every write transaction of the event: the cheap change signal other
    # consoles poll, and the row every writer locks, which serialises writes per event.
    change_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The project the speakers present now (a project key, None: none), the team's choice:
    # every console, the stage and the web pages order the live queue by it.
    presented_project: Mapped[str | None] = mapped_column(String(100), default=None)


class ProjectRow(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("event_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    key: Mapped[str] = mapped_column(String(PROJECT_KEY_MAX))
    name: Mapped[str] = mapped_column(String(PROJECT_NAME_MAX))
    hotkey: Mapped[str] = mapped_column(String(4), default="")
    position: Mapped[int] = mapped_column(Integer)
    general: Mapped[bool] = mapped_column(Boolean, default=False)
    keywords: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")


class GroupRow(Base):
    __tablename__ = "groups"
    __table_args__ = (Index("ix_groups_event_state", "event_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    title: Mapped[str] = mapped_column(Text)
    title_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="new")
    position: Mapped[int | None]
    project_key: Mapped[str | None] = mapped_column(String(100))
    project_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    suggested_project: Mapped[str | None] = mapped_column(String(100))
    suggested_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    runner_up_project: Mapped[str | None] = mapped_column(String(100))
    answer: Mapped[str] = mapped_column(Text, default="")
    auto_merged: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("event_id", "source_key"),
        Index("ix_messages_group", "group_id"),
        Index("ix_messages_vote_for", "vote_for_id"),
        # "the questions after id N" and "the latest question before id N" of one event
        # (the index sync and the target of a "+1") in a range, not a scan of the event
        Index("ix_messages_event_kind_id", "event_id", "kind", "id"),
        # the questions an import left to compare: few or none, found without a scan (the
        # console looks for them before each meaning pass)
        Index(
            "ix_messages_unmatched",
            "event_id",
            "kind",
            "id",
            sqlite_where=text("matched = 0"),
            postgresql_where=text("NOT matched"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    source_key: Mapped[str] = mapped_column(String(SOURCE_KEY_MAX))
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    kind_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    original: Mapped[str] = mapped_column(Text)
    # Values are fitted to these lengths before they arrive (`domain.fit`).
    author: Mapped[str | None] = mapped_column(String(AUTHOR_MAX))
    author_email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    received_at: Mapped[datetime | None]
    imported_at: Mapped[datetime]
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    source_name: Mapped[str | None] = mapped_column(Text)
    source_line: Mapped[int | None]
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    origin_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    vote_for_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    # False while an imported question waits for its duplicate suggestions (an import
    # stores its questions first and compares them with the earlier ones afterwards).
    matched: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class SuggestionRow(Base):
    """Duplicate suggestions computed when a question arrived."""

    __tablename__ = "suggestions"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)


class ActionRow(Base):
    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_event_id", "event_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    moderator: Mapped[str] = mapped_column(String(MODERATOR_MAX))
    at: Mapped[datetime]
    verb: Mapped[str] = mapped_column(String(40))
    group_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    undo_of: Mapped[int | None]


class AnswerDraftRow(Base):
    """A written answer a moderator began and left unsaved (Esc in the editor): theirs
    alone, brought back when they open the editor again, also after a restart."""

    __tablename__ = "answer_drafts"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), primary_key=True)
    moderator: Mapped[str] = mapped_column(String(MODERATOR_MAX), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime]


class SourceStateRow(Base):
    """Where a watched source stopped (file offset, IMAP UIDVALIDITY/UID)."""

    __tablename__ = "source_state"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(1000), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class QuestionVectorRow(Base):
    """The sentence-encoder vector of a question, keyed by the encoder's model id (float16
    bytes): start-up and queries never encode again; another model's vectors are rebuilt."""

    __tablename__ = "question_vectors"
    __table_args__ = (Index("ix_question_vectors_event_model", "event_id", "model_id"),)

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class TextVectorRow(Base):
    """The sentence-encoder vector of a text that is not a question (a project's name,
    description and keywords), keyed by the encoder's model id and the text's SHA-256:
    every process tags with the same vectors without encoding them again."""

    __tablename__ = "text_vectors"

    model_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
