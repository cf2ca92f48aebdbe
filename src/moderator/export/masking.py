"""Contact details out of publishable exports: e-mail addresses and phone numbers that
askers wrote into their question text are masked unless the askers are included.

Only what askers wrote is masked (group titles and member wordings); the team's written
answers are published as written (an answer may well give the city's phone number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from moderator.domain.models import Group, Message
from moderator.domain.personal import Masked, key_digest, mask_contacts

__all__ = ["HIDDEN_KEY", "Masked", "hide_source_keys", "mask_groups", "mask_messages"]

#: Prefix of a source key the publishable JSON shows only as its digest.
HIDDEN_KEY = "sha256:"


def mask_messages(messages: Sequence[Message]) -> tuple[tuple[Message, ...], Masked]:
    total = Masked()
    out: list[Message] = []
    for message in messages:
        text, masked = mask_contacts(message.text)
        if masked.total:
            message = replace(message, text=text)
            total += masked
        out.append(message)
    return tuple(out), total


def mask_groups(
    groups: Sequence[Group], *, count_members: bool = True
) -> tuple[tuple[Group, ...], Masked]:
    """Groups with masked titles and member wordings, and how many details were masked.

    A title that is a copy of a member wording counts once (as the wording). With
    `count_members=False` only titles of their own are counted (the caller counts the
    wordings elsewhere, as the JSON export does with its message list)."""
    total = Masked()
    out: list[Group] = []
    for group in groups:
        members, members_masked = mask_messages(group.members)
        title, title_masked = mask_contacts(group.title)
        if count_members:
            total += members_masked
        if title_masked.total and group.title not in {m.text for m in group.members}:
            total += title_masked
        if members_masked.total or title_masked.total:
            group = replace(group, title=title, members=members)
        out.append(group)
    return tuple(out), total


def hide_source_keys(messages: Sequence[Message]) -> tuple[Message, ...]:
    """Messages whose source keys (Message-IDs carry the sender's host, sometimes the name;
    chat keys the file name) are replaced by their digest, which is just as stable. Keys a
    purge already replaced by a digest stay as they are."""
    return tuple(
        m
        if m.source_key.startswith("purged:")
        else replace(m, source_key=HIDDEN_KEY + key_digest(m.source_key))
        for m in messages
    )
