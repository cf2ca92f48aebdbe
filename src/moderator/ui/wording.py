"""Sentences about the action log for the console, in its language: "Anna merged #17
into #12, 10 s ago" / "Anna hat #17 mit #12 zusammengeführt, vor 10 s".

Log entries carry an English summary written when they were made; the sentences shown are
made from the entry's verb and values in the console's language
(`domain.language.describe_action`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from moderator.domain.language import describe_action
from moderator.domain.models import Action


def utcnow() -> datetime:
    return datetime.now(UTC)


def ago(at: datetime, now: datetime, *, lang: str = "en") -> str:
    """ "10 s ago" / "vor 10 s"; a clock that runs behind counts as "just now"."""
    if at.tzinfo is None:  # SQLite hands back naive datetimes; they are stored in UTC
        at = at.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 5:
        return "gerade eben" if lang == "de" else "just now"
    if seconds < 60:
        amount = f"{seconds} s"
    elif seconds < 3600:
        amount = f"{seconds // 60} min"
    else:
        amount = f"{seconds // 3600} h"
    return f"vor {amount}" if lang == "de" else f"{amount} ago"


def describe(action: Action, now: datetime | None = None, *, lang: str = "en") -> str:
    """One line for the console: "Anna merged #17 into #12, 10 s ago"."""
    now = now or utcnow()
    when = ago(action.at, now, lang=lang)
    if lang != "de":
        return f"{action.moderator} {what_was_done(action, lang=lang)}, {when}"
    return f"{action.moderator} hat {what_was_done(action, lang=lang)}, {when}"


def what_was_done(action: Action, *, lang: str = "en") -> str:
    """The action without who and when: "moved #17 to live" / "#17 nach „live“ verschoben"."""
    return describe_action(action, lang)
