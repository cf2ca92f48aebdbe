"""Plain domain objects shared by every layer.

Nothing here does I/O. Storage converts its rows into these dataclasses, services return
them, the UI shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol


class Channel(StrEnum):
    """Where a message came from."""

    CHAT = "chat"
    EMAIL = "email"
    PHONE = "phone"
    MANUAL = "manual"
    IMPORT = "import"


class Kind(StrEnum):
    """What a message was judged to be."""

    QUESTION = "question"
    CHATTER = "chatter"
    VOTE = "vote"


class QueueState(StrEnum):
    """Where a question group stands. Transitions live in `domain.queues`."""

    NEW = "new"
    LIVE = "live"
    ON_AIR = "on_air"
    LATER = "later"
    ANSWERED_LIVE = "answered_live"
    ANSWERED_WRITING = "answered_writing"
    DISMISSED = "dismissed"


GENERAL_KEY = "general"


class Tagged(Protocol):
    """What the project rules read of a question group (row, summary or `Group`)."""

    @property
    def project_key(self) -> str | None: ...
    @property
    def project_confirmed(self) -> bool: ...
    @property
    def suggested_project(self) -> str | None: ...


def is_confirmed(group: Tagged) -> bool:
    """Whether a moderator has confirmed the group's project (tagged it)."""
    return bool(group.project_key) and bool(group.project_confirmed)


def effective_project(group: Tagged, default: str | None = None) -> str | None:
    """The confirmed project, else the suggested one, else `default`."""
    return group.project_key or group.suggested_project or default


@dataclass(frozen=True, slots=True)
class Project:
    """One topic of the event; questions are tagged to exactly one of them."""

    key: str
    name: str
    hotkey: str
    order: int
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    description: str = ""
    general: bool = False


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A message as a source delivered it, before it touches the database.

    `source_key` is the stable identity (Message-ID; file + position + content hash for chat)
    that makes importing twice add nothing.
    """

    source_key: str
    channel: Channel
    text: str
    author: str | None = None
    author_email: str | None = None
    received_at: datetime | None = None
    original: str | None = None
    private: bool = False
    reply_to_key: str | None = None
    kind_hint: Kind | None = None
    source_name: str | None = None
    source_line: int | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """A stored message (question, chatter or vote)."""

    id: int
    event_id: int
    source_key: str
    channel: Channel
    kind: Kind
    text: str
    original: str
    author: str | None
    author_email: str | None
    received_at: datetime | None
    private: bool
    group_id: int | None
    reply_to_id: int | None = None
    vote_for_id: int | None = None
    kind_overridden: bool = False


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A possible duplicate: the group a question may belong to, with a 0-100 score."""

    group_id: int
    score: float
    text: str
    # Listed for being nearest by meaning, under the "vielleicht" floor: the scorer was
    # unsure of every candidate, so the closest in meaning are shown as the best guess.
    nearest: bool = False


@dataclass(frozen=True, slots=True)
class Group:
    """A question group: one or more questions asking the same thing."""

    id: int
    event_id: int
    title: str
    state: QueueState
    position: int | None
    project_key: str | None
    project_confirmed: bool
    suggested_project: str | None
    suggested_confidence: float
    answer: str
    version: int
    created_at: datetime
    members: tuple[Message, ...] = ()
    votes: int = 0
    extra_votes: int = 0
    auto_merged: bool = False
    suggestions: tuple[Suggestion, ...] = field(default=())
    merged_into: int | None = None
    runner_up_project: str | None = None
    title_edited: bool = False

    @property
    def effective_project(self) -> str | None:
        """The confirmed project, else the suggested one."""
        return effective_project(self)

    @property
    def askers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for member in self.members:
            if member.author:
                seen.setdefault(member.author, None)
        return tuple(seen)

    @property
    def first_asked_at(self) -> datetime | None:
        times = [m.received_at for m in self.members if m.received_at is not None]
        return min(times) if times else None


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One line of a list: what the inbox and the queues show, without member details
    (the console's read model; storage reads it in one statement)."""

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
        return effective_project(self)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a moderator's write returns: the group's stored version and state after it,
    and every group whose row it changed by id (a live-queue shift moves the questions
    behind a change too: read the live queue back when a live question was involved).
    No members and no votes: reading them inside the write lock would hold up everyone."""

    id: int
    version: int
    state: QueueState
    touched_ids: tuple[int, ...] = ()


RUNNING_HOURS = 12  # hours after its start that an event counts as running


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    slug: str
    title: str
    starts_at: datetime | None = None

    def running(self, now: datetime) -> bool:
        """Whether the event is on at `now`: started, and less than `RUNNING_HOURS` ago
        (naive times count as UTC, as SQLite hands them back)."""
        start = self.starts_at
        if start is None:
            return False
        start = start if start.tzinfo is not None else start.replace(tzinfo=UTC)
        now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        return start <= now and (now - start).total_seconds() < RUNNING_HOURS * 3600


@dataclass(frozen=True, slots=True)
class Action:
    """One row of the action log."""

    id: int
    event_id: int
    moderator: str
    at: datetime
    verb: str
    group_id: int | None
    summary: str
    before: dict
    after: dict
    undone: bool = False
