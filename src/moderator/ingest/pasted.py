"""Text people paste or type: chat copied out of Jitsi/Teams/Webex, and plain question lists.

* ``pasted``: ``Name: text`` lines, optionally led by a time (``18:03``, ``[18:03:10]``);
  lines that do not start a message continue the previous one.
* ``lines``: one question per line (phone questions typed in, a list from a colleague);
  list markers (``-``, ``•``, ``1.``) are dropped from the text, kept in `original`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from moderator.domain.language import sentence
from moderator.domain.models import Channel, IncomingMessage
from moderator.ingest.base import (
    ImportProblem,
    KeyMaker,
    ParseResult,
    WallClock,
    guess_day,
    long_message_problem,
    parse_clock,
    read_text,
)

#: Words that lead a line like a name but are labels ("Frage: ...", "Link: ...").
LABEL_WORDS = frozenset(
    w.casefold()
    for w in (
        "Frage", "Fragen", "Question", "Antwort", "Answer", "Hinweis", "Anmerkung", "Tipp",
        "PS", "P.S.", "Info", "Link", "Links", "Wichtig", "Update", "Achtung", "Zitat",
        "Beispiel", "Nachtrag", "Edit", "Note", "Notiz", "Thema", "Betreff", "Quelle", "Idee",
        "Vorschlag", "Kommentar", "Bitte", "Danke", "Fazit", "Problem", "Ergänzung", "http",
        "https", "Uhrzeit", "Zeit", "Datum", "Ort", "Telefon", "Tel", "E-Mail", "Mail",
    )
)  # fmt: skip

_MESSAGE = re.compile(
    r"^(?:\[?(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\]?[ \t]+(?:[-–][ \t]+)?)?"
    r"(?P<name>[^\W\d_][\w .'’()\-]{0,59}?)[ \t]*:[ \t]+(?P<text>\S.*)$"
)
_BULLET = re.compile(r"^[ \t]*(?:[-*•–·]|\d{1,3}[.)])[ \t]+")


def _match(line: str) -> re.Match[str] | None:
    m = _MESSAGE.match(line[:120])
    if m is None:
        return None
    name = m["name"].strip()
    if name.casefold() in LABEL_WORDS or len(name.split()) > 5:
        return None
    return m


def looks_like_pasted(text: str) -> bool:
    """True when at least half of the first non-blank lines look like ``Name: text``."""
    lines = [line for line in text.split("\n", 300)[:300] if line.strip()]
    if not lines:
        return False
    hits = sum(1 for line in lines if _match(line))
    return hits >= 1 and hits * 2 >= len(lines)


def _load(source: str | Path, source_name: str | None) -> tuple[str, str, list[ImportProblem]]:
    if isinstance(source, Path):
        text, problems = read_text(source)
        return text, source_name or source.name, problems
    return source, source_name or "<text>", []


def parse(
    source: str | Path, *, source_name: str | None = None, day: date | None = None
) -> ParseResult:
    """Parse pasted ``Name: text`` chat. Without times `received_at` stays None."""
    text, name, problems = _load(source, source_name)
    clock = WallClock(guess_day(day, source_name))
    keys = KeyMaker("pasted", name)
    messages: list[IncomingMessage] = []
    pending: tuple[str | None, str, int, list[str]] | None = None

    def emit(stamp: str | None, author: str, line: int, body: list[str]) -> None:
        original = "\n".join(body).strip()
        received: datetime | None = None
        if stamp is not None:
            clock_time = parse_clock(stamp)
            if clock_time is None:
                problems.append(ImportProblem(name, line, sentence("invalid_time", stamp=stamp)))
            else:
                received = clock.at(clock_time)
        if note := long_message_problem(name, line, original):
            problems.append(note)
        messages.append(
            IncomingMessage(
                source_key=keys.key(stamp, author, original),
                channel=Channel.CHAT,
                text=original,
                author=author,
                received_at=received,
                original=original,
                source_name=name,
                source_line=line,
            )
        )

    for number, line in enumerate(text.split("\n"), start=1):
        m = _match(line)
        if m is not None:
            if pending is not None:
                emit(*pending)
            start = m.start("text")
            pending = (m["time"], m["name"].strip(), number, [line[start:]])
        elif pending is not None:
            pending[3].append(line)
        elif line.strip():
            problems.append(ImportProblem(name, number, sentence("before_first_name")))
    if pending is not None:
        emit(*pending)
    return ParseResult("pasted", messages, problems)


def parse_lines(
    source: str | Path, *, source_name: str | None = None, day: date | None = None
) -> ParseResult:
    """One message per non-blank line, no author or time (channel IMPORT; callers may
    override it, e.g. to PHONE). `day` is accepted for a uniform signature."""
    del day
    text, name, problems = _load(source, source_name)
    keys = KeyMaker("lines", name)
    messages: list[IncomingMessage] = []
    for number, line in enumerate(text.split("\n"), start=1):
        original = line.strip()
        if not original:
            continue
        body = _BULLET.sub("", original, count=1).strip() or original
        if note := long_message_problem(name, number, body):
            problems.append(note)
        messages.append(
            IncomingMessage(
                source_key=keys.key(body),
                channel=Channel.IMPORT,
                text=body,
                original=original,
                source_name=name,
                source_line=number,
            )
        )
    return ParseResult("lines", messages, problems)
