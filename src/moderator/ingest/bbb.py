"""BigBlueButton public-chat exports (2.x and 3.x).

* 2.x: ``[HH:MM] <sender>: <text>``; system messages ``[HH:MM] <text>``.
* 3.x: ``[HH:MM] [<name> : <ROLE>]: <text>``; early 3.0 starts with ``system: <text>`` lines.

Bare lines continue the previous message; poll results are a "Poll results" line followed by
one line per option. System lines and poll results become chatter without an author.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from moderator.domain.language import sentence
from moderator.domain.models import Channel, IncomingMessage, Kind
from moderator.ingest.base import (
    ImportProblem,
    KeyMaker,
    ParseResult,
    UnknownFormatError,
    WallClock,
    date_from_name,
    long_message_problem,
    parse_clock,
    read_text,
)

POLL_LABELS = (
    "Poll results",
    "Poll Results",
    "Umfrageergebnisse",
    "Abstimmungsergebnisse",
    "Ergebnisse der Umfrage",
)
WELCOME_WORDS = ("willkommen", "herzlich willkommen", "welcome", "bienvenue")

_LINE = re.compile(r"^\[(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\] ?(?P<rest>.*)$")
_V3_SENDER = re.compile(r"^\[(?P<name>.+) : (?P<role>[A-Z_]+)\]:[ \t]?(?P<text>.*)$")
_V2_SENDER = re.compile(r"^(?P<name>[^:\[\]!?]{1,64}?): ?(?P<text>.*)$")
_SYSTEM = re.compile(r"^system: ?(?P<text>.*)$", re.I)
_EXPORT_STAMP = re.compile(r"_(?:\d{4}-\d{1,2}-\d{1,2})_(?P<h>\d{1,2})-(?P<m>\d{2})(?!\d)")


def looks_like_bbb(text: str) -> bool:
    """True when most of the first timestamped lines are ``[HH:MM] ...``."""
    lines = [line for line in text.split("\n", 200)[:200] if line.strip()]
    if not lines:
        return False
    hits = sum(1 for line in lines if len(line) < 100_000 and _LINE.match(line[:64]))
    system = sum(1 for line in lines[:5] if line.lower().startswith("system:"))
    return hits >= 1 and (hits + system) * 3 >= min(len(lines), 30)


def _start_day(day: date | None, source_name: str | None, first_time: str | None) -> date:
    """The day of the first message; BBB names carry the export date and time."""
    if day is not None:
        return day
    name = source_name or ""
    found = date_from_name(name)
    if found is None:
        return date.today()
    stamp = _EXPORT_STAMP.search(name)
    first = parse_clock(first_time) if first_time else None
    if stamp and first is not None:
        exported = (int(stamp["h"]), int(stamp["m"]))
        # Exported after midnight, chat started the evening before.
        if (first.hour, first.minute) > exported and first.hour - exported[0] > 1:
            return found - timedelta(days=1)
    return found


def parse(
    source: str | Path, *, source_name: str | None = None, day: date | None = None
) -> ParseResult:
    """Parse a BigBlueButton public-chat export (Path) or its text (str)."""
    problems: list[ImportProblem] = []
    if isinstance(source, Path):
        text, problems = read_text(source)
        source_name = source_name or source.name
    else:
        text = source
    name = source_name or "<text>"
    if not looks_like_bbb(text):
        raise UnknownFormatError(key="not_bbb", path=name)
    lines = text.split("\n")
    first_time = next((m["time"] for line in lines if (m := _LINE.match(line[:64]))), None)
    clock = WallClock(_start_day(day, source_name, first_time))
    keys = KeyMaker("bbb", name)
    messages: list[IncomingMessage] = []
    # (time, author, system, line, body)
    pending: list | None = None

    def emit(item: list) -> None:
        stamp, author, system, line, body = item
        original = "\n".join(body).strip()
        if not original:
            problems.append(ImportProblem(name, line, sentence("empty_message")))
            return
        received = None
        if stamp is not None:
            clock_time = parse_clock(stamp)
            if clock_time is None:
                problems.append(ImportProblem(name, line, sentence("invalid_time", stamp=stamp)))
            else:
                received = clock.at(clock_time)
        is_poll = original.startswith(POLL_LABELS)
        kind = Kind.CHATTER if system or is_poll else None
        if note := long_message_problem(name, line, original):
            problems.append(note)
        messages.append(
            IncomingMessage(
                source_key=keys.key(stamp, author, original),
                channel=Channel.CHAT,
                text=original,
                author=None if is_poll else author,
                received_at=received,
                original=original,
                kind_hint=kind,
                source_name=name,
                source_line=line,
            )
        )

    for number, line in enumerate(lines, start=1):
        m = _LINE.match(line[:64]) if line.startswith("[") else None
        if m is not None:
            rest = line[m.end("time") + 1 :].removeprefix(" ")
            if pending is not None:
                emit(pending)
            pending = _message(m["time"], rest, number)
            continue
        if (s := _SYSTEM.match(line[:64])) and (pending is None or pending[2]):
            if pending is not None:
                emit(pending)
            pending = [None, None, True, number, [line[s.start("text") :]]]
            continue
        if pending is not None:
            pending[4].append(line)
        elif line.strip():
            problems.append(ImportProblem(name, number, sentence("before_first_message")))
    if pending is not None:
        emit(pending)
    return ParseResult("bbb", messages, problems)


def _message(stamp: str, rest: str, number: int) -> list:
    head = rest[:200]
    if rest.startswith("[") and (v3 := _V3_SENDER.match(head)):
        return [stamp, v3["name"].strip(), False, number, [rest[v3.start("text") :]]]
    lowered = head.casefold()
    if rest.startswith(POLL_LABELS) or lowered.startswith(WELCOME_WORDS):
        return [stamp, None, True, number, [rest]]
    if v2 := _V2_SENDER.match(head):
        name = v2["name"].strip()
        if name and len(name.split()) <= 6:
            return [stamp, name, False, number, [rest[v2.start("text") :]]]
    return [stamp, None, True, number, [rest]]
