"""Rows into domain objects: what services return is never an ORM row."""

from __future__ import annotations

from datetime import datetime

from moderator.domain.models import (
    Action,
    Channel,
    Event,
    Group,
    GroupSummary,
    Kind,
    Message,
    QueueState,
    Suggestion,
)
from moderator.storage.rows import (
    ActionRow,
    EventRow,
    GroupRow,
    MessageRow,
)


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
