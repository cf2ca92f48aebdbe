"""Sentences about the action log for the console, in its language: "Anna merged #17
into #12, 10 s ago" / "Anna hat #17 mit #12 zusammengeführt, vor 10 s".

Log entries carry an English summary written when they were made; German sentences are
made from the entry's verb and values (`domain.actions.Verb`), state names from
`ui.i18n`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moderator.domain.actions import Verb
from moderator.domain.models import Action, QueueState
from moderator.ui.i18n import Strings


def utcnow() -> datetime:
    return datetime.now(UTC)


_GERMAN: dict[str, str] = {  # by `Verb` value
    "merge": "#{source} mit #{target} zusammengeführt",
    "split": "eine Formulierung von #{group} abgetrennt",
    "divide": "#{group} in {count} Fragen aufgeteilt",
    "tag": "#{group} einem Projekt zugeordnet",
    "move": "#{group} verschoben ({state})",
    "reorder": "die Live-Reihenfolge geändert (#{group})",
    "title": "den Wortlaut von #{group} geändert",
    "answer": "die Antwort zu #{group} geschrieben",
    "kind": "eine Nachricht neu eingeordnet",
    "manual": "#{group} von Hand erfasst",
    "import": "{new} Nachrichten importiert",
    "undo": "eine Aktion zu #{group} rückgängig gemacht",
    "purge": "Namen und Adressen entfernt",
    "present": "das präsentierte Projekt gewählt: {name}",
}

_GERMAN_STATES = Strings("de")


def _state_de(value: object) -> object:
    try:
        return _GERMAN_STATES.state(QueueState(str(value)))
    except ValueError:
        return value


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
        return f"{action.moderator} {action.summary}, {when}"
    return f"{action.moderator} hat {what_was_done(action, lang=lang)}, {when}"


def what_was_done(action: Action, *, lang: str = "en") -> str:
    """The action without who and when: "moved #17 to live" / "#17 verschoben (live)"."""
    if lang != "de":
        return action.summary
    template = _GERMAN.get(action.verb)
    values: dict[str, Any] = {
        "group": action.group_id if action.group_id is not None else "?",
        "summary": action.summary,
        "source": action.after.get("source", "?"),
        "target": action.after.get("target", action.group_id),
        "state": _state_de(action.after.get("state")),
        "new": action.after.get("new", "?"),
        "count": len(action.after.get("groups") or ()) or "?",
        "name": action.after.get("name") or "keines",
    }
    if action.verb == Verb.MERGE and action.summary.startswith("merged wording"):
        template = "eine Formulierung in #{target} übernommen"
    if action.verb == Verb.UNDO and "state" in action.after:  # a move taken back
        template = "rückgängig gemacht: #{group} wieder {state}"
    return template.format(**values) if template else action.summary
