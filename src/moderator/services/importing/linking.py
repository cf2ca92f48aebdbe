"""Replies and votes of newly imported messages: a reply points at the message it quotes,
a vote ("+1", "me too") counts for the question it replies or reacts to, else for the
latest question before it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from moderator.domain.models import IncomingMessage, Kind
from moderator.storage.repository import Repository


def link_replies_and_votes(
    repo: Repository,
    event_id: int,
    fresh: Sequence[tuple[IncomingMessage, Kind]],
    message_ids: Sequence[int],
    ids: Mapping[str, int],
) -> None:
    """Set `reply_to_id` and `vote_for_id` of the new messages `fresh` (stored as
    `message_ids`, in arrival order). `ids`: the message id of each source key stored so
    far in this batch; a reply may also quote a message stored earlier (an earlier batch
    or import), which is looked up."""
    keys = dict(ids)
    elsewhere = {m.reply_to_key for m, _ in fresh if m.reply_to_key} - keys.keys()
    if elsewhere:
        keys.update(repo.known_keys(event_id, elsewhere))
    kinds = {mid: k for (_, k), mid in zip(fresh, message_ids, strict=True)}
    links: list[dict[str, Any]] = []
    vote_for: dict[int, int | None] = {}
    last_question: int | None = None
    for (message, kind), mid in zip(fresh, message_ids, strict=True):
        reply_to = keys.get(message.reply_to_key) if message.reply_to_key else None
        if kind == Kind.QUESTION:
            last_question = mid
        target = None
        if kind == Kind.VOTE:
            target = _vote_target(repo, reply_to, kinds, vote_for) or last_question
            if target is None:
                target = repo.latest_question_id(event_id, before_id=mid)
            vote_for[mid] = target
        if reply_to is not None or target is not None:
            links.append({"id": mid, "reply_to_id": reply_to, "vote_for_id": target})
    repo.update_messages(links)


def _vote_target(
    repo: Repository,
    parent: int | None,
    kinds: dict[int, Kind],
    vote_for: dict[int, int | None],
) -> int | None:
    """The question a vote replying to `parent` counts for: the parent if it is a
    question, the parent's own target if it is a vote, else none."""
    if parent is None:
        return None
    kind = kinds.get(parent)
    if kind is None:
        parent_row = repo.message(parent)
        if parent_row.kind == Kind.VOTE.value:
            return parent_row.vote_for_id
        return parent if parent_row.kind == Kind.QUESTION.value else None
    if kind == Kind.QUESTION:
        return parent
    if kind == Kind.VOTE:
        return vote_for.get(parent)
    return None
