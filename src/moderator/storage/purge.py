"""`purge-personal-data`: the askers' personal data out of everything an event stored.

The rules of what is masked live in `domain.personal.Scrubber`; this module applies them to
the rows, in batches by id (bounded memory at any size), with Core updates inside the
caller's one write transaction. Freeing the pages the old text occupied is
`Database.reclaim_space`, run after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.orm import Session

from moderator.domain.personal import Scrubber, contacts_in, key_digest
from moderator.storage.rows import (
    ActionRow,
    AnswerDraftRow,
    GroupRow,
    MessageRow,
    QuestionVectorRow,
)

#: The tables a purge rewrites (and `Database.reclaim_space` compacts).
PURGED_TABLES = ("messages", "groups", "actions", "question_vectors", "answer_drafts")

PURGED_KEY = "purged:"


def purged_key(key: str) -> str:
    """A source key after a purge: its hash, which still tells a re-import that the message
    is there but no longer names the mail (Message-IDs carry host and sender names)."""
    if key.startswith(PURGED_KEY):
        return key
    return PURGED_KEY + key_digest(key)


def purge_personal_data(session: Session, event_id: int) -> int:
    """Remove the askers' personal data from everything the event stored; returns the
    number of messages that had a name or address.

    Messages lose name, address, file name and full original (the masked question text
    takes its place), their source key becomes its hash (`purged_key`); question texts,
    titles, answers, answer drafts and the action log's copies are masked by a `Scrubber` built from
    what the messages held. Groups get a new version, so a console holding the old
    text cannot write it back. The questions' sentence vectors, made from the old text,
    are dropped (the meaning pass encodes the new text again). Batched by id, so memory
    stays bounded.
    """
    scrubber = _scrubber(session, event_id)
    askers: dict[int, set[str]] = {}
    for group_id, origin_id, author in session.execute(
        select(MessageRow.group_id, MessageRow.origin_group_id, MessageRow.author).where(
            MessageRow.event_id == event_id, MessageRow.author.is_not(None)
        )
    ):
        for gid in {group_id, origin_id} - {None}:
            askers.setdefault(gid, set()).add(author)

    groups = GroupRow.__table__
    for rows in _batches(
        session,
        select(GroupRow.id, GroupRow.title, GroupRow.answer).where(GroupRow.event_id == event_id),
        GroupRow.id,
    ):
        session.execute(
            update(groups)
            .where(groups.c.id == bindparam("b_id"))
            .values(
                title=bindparam("b_title"),
                answer=bindparam("b_answer"),
                version=groups.c.version + 1,
            ),
            [
                {
                    "b_id": row.id,
                    "b_title": scrubber.question(row.title, askers.get(row.id, ())),
                    "b_answer": scrubber.answer(row.answer, askers.get(row.id, ())),
                }
                for row in rows
            ],
        )

    count = 0
    messages = MessageRow.__table__
    for rows in _batches(
        session,
        select(
            MessageRow.id,
            MessageRow.text,
            MessageRow.author,
            MessageRow.author_email,
            MessageRow.source_key,
        ).where(MessageRow.event_id == event_id),
        MessageRow.id,
    ):
        updates = []
        for row in rows:
            count += bool(row.author or row.author_email)
            text = scrubber.question(row.text, (row.author,))
            updates.append(
                {
                    "b_id": row.id,
                    "b_text": text,
                    "b_original": text,
                    "b_key": purged_key(row.source_key),
                }
            )
        session.execute(
            update(messages)
            .where(messages.c.id == bindparam("b_id"))
            .values(
                text=bindparam("b_text"),
                original=bindparam("b_original"),
                source_key=bindparam("b_key"),
                author=None,
                author_email=None,
                source_name=None,
            ),
            updates,
        )

    actions = ActionRow.__table__
    for rows in _batches(
        session,
        select(ActionRow.id, ActionRow.summary, ActionRow.before, ActionRow.after).where(
            ActionRow.event_id == event_id
        ),
        ActionRow.id,
    ):
        session.execute(
            update(actions)
            .where(actions.c.id == bindparam("b_id"))
            .values(
                summary=bindparam("b_summary"),
                before=bindparam("b_before"),
                after=bindparam("b_after"),
            ),
            [
                {
                    "b_id": row.id,
                    "b_summary": scrubber.log(row.summary),
                    "b_before": scrubber.log(row.before),
                    "b_after": scrubber.log(row.after),
                }
                for row in rows
            ],
        )
    # Unsaved answers are masked as the saved ones (a few per moderator: no batches).
    for draft in session.scalars(select(AnswerDraftRow).where(AnswerDraftRow.event_id == event_id)):
        draft.text = scrubber.answer(draft.text, askers.get(draft.group_id, ()))
    session.flush()
    session.execute(delete(QuestionVectorRow).where(QuestionVectorRow.event_id == event_id))
    return count


def _scrubber(session: Session, event_id: int) -> Scrubber:
    """What the askers left, gathered from every message and import of the event."""
    names: set[str] = set()
    emails: set[str] = set()
    phones: set[str] = set()
    sources: set[str] = set()
    for rows in _batches(
        session,
        select(
            MessageRow.id,
            MessageRow.author,
            MessageRow.author_email,
            MessageRow.text,
            MessageRow.original,
            MessageRow.source_name,
        ).where(MessageRow.event_id == event_id),
        MessageRow.id,
    ):
        for row in rows:
            if row.author:
                names.add(row.author)
            if row.author_email:
                emails.add(row.author_email)
            if row.source_name:
                sources.add(row.source_name)
            for text in (row.text, row.original):
                found_emails, found_phones = contacts_in(text or "")
                emails |= found_emails
                phones |= found_phones
    for after in session.scalars(
        select(ActionRow.after).where(
            ActionRow.event_id == event_id, ActionRow.verb.in_(("import", "manual"))
        )
    ):
        source = (after or {}).get("source")
        if isinstance(source, str) and source not in ("", "manual"):
            sources.add(source)
    return Scrubber(names, emails, phones, sources)


def _batches(session: Session, query: Select, key, size: int = 1000) -> Iterable[list[Any]]:
    """Rows of `query` in batches of `size`, by ascending `key` (keyset pagination)."""
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        rows = list(session.execute(page.order_by(key).limit(size)))
        if not rows:
            return
        yield rows
        last = rows[-1].id
