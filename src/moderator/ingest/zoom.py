"""Zoom chat files: the current local layout, the older one-line layout, cloud recordings.

* ``zoom``: ``HH:MM:SS From <sender> to <recipient>:`` then TAB-indented message lines.
* ``zoom-old``: ``HH:MM:SS From <sender> : <text>`` with bare continuation lines.
* ``zoom-cloud``: ``HH:MM:SS<TAB><sender>:<TAB><text>``, times elapsed since the start.

German keywords (``Von … an Alle:``) are accepted as well as English ones. Replies and
reactions are linked to the message they quote (`reply_to_key`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from moderator.domain.language import Sentence, sentence
from moderator.domain.models import Channel, IncomingMessage, Kind
from moderator.ingest.base import (
    ImportProblem,
    KeyMaker,
    ParseResult,
    SnippetIndex,
    UnknownFormatError,
    WallClock,
    guess_day,
    iter_lines,
    long_message_problem,
    parse_clock,
    parse_elapsed,
    read_text,
)

LAYOUTS = ("zoom", "zoom-old", "zoom-cloud")

#: Recipients that mean "the whole meeting"; matched anchored at the end of the header so
#: display names containing " to " or " an " are split correctly.
PUBLIC_RECIPIENTS = (
    "Everyone",
    "Everyone (in Waiting Room)",
    "Hosts and panelists",
    "All panelists",
    "All Panelists and Attendees",
    "Alle",
    "Alle Teilnehmer",
    "Alle Teilnehmenden",
    "Jeder",
    "Alle Diskussionsteilnehmer",
    "Gastgeber und Diskussionsteilnehmer",
    "Todos",
    "Tout le monde",
    "Iedereen",
)
_FROM_TO = {"from": "to", "von": "an", "de": "a", "da": "a", "van": "aan"}
_TIME = r"(?P<time>\d{1,2}:\d{2}:\d{2})"
_FROM = r"(?P<from>From|Von|De|Da|Van)"
_HEADER_MAX = 600  # a longer line is message text, never a header

_NEW_HEADER = re.compile(rf"^{_TIME}[ \t]+{_FROM}[ \t]+(?P<rest>.*?)[ \t]*:[ \t]*$", re.I)
_OLD_HEADER = re.compile(rf"^{_TIME}[ \t]+{_FROM}[ \t]+(?P<rest>.*)$", re.I)
_CLOUD_LINE = re.compile(rf"^{_TIME}\t(?P<sender>[^\t]*?):\t(?P<text>.*)$")
_DM_SUFFIX = re.compile(
    r"[ \t]*\((?:Direct Message|Privately|Direktnachricht|Privat|Private|Mensaje directo)\)[ \t]*$",
    re.I,
)
_PUBLIC = "|".join(re.escape(r) for r in sorted(PUBLIC_RECIPIENTS, key=len, reverse=True))
_PUBLIC_AT_END = re.compile(
    rf"^(?P<sender>.*?)[ \t]+(?:to|an|a|aan|à)[ \t]+(?P<recipient>{_PUBLIC})$", re.I
)

_OPEN_Q = "\"„“”«»'‚‘"
_CLOSE_Q = "\"“”«»'‘’"
_ELLIPSIS = r"(?:\.\.\.|…)?"
REPLY_PREFIXES = ("Replying to", "Antwort auf", "Als Antwort auf", "In reply to", "Respondiendo a")
_REPLY = re.compile(
    rf"^(?:{'|'.join(REPLY_PREFIXES)})[ \t]*[{_OPEN_Q}](?P<snip>.*?){_ELLIPSIS}[{_CLOSE_Q}]"
    r"[ \t]*:?[ \t]*",
    re.I,
)
_REACTED = re.compile(
    rf"^(?:Reacted to|Reagierte auf|Hat auf|Reaktion auf|Reaccionó a)[ \t]*[{_OPEN_Q}]"
    rf"(?P<snip>.*?){_ELLIPSIS}[{_CLOSE_Q}][ \t]*(?:with|mit|con)[ \t]*(?P<emoji>.+?)"
    r"(?:[ \t]+reagiert)?[ \t]*$",
    re.I,
)
_REMOVED = re.compile(
    rf"^(?:Removed an?|Entfernte eine?|Hat eine?)[ \t]*(?P<emoji>\S+?)[ \t-]*(?:reaction|Reaktion)"
    rf"(?:[ \t]+(?:from|von|zu)[ \t]*[{_OPEN_Q}](?P<snip>.*?){_ELLIPSIS}[{_CLOSE_Q}])?",
    re.I,
)
_NOT_A_VOTE = ("👎", "😡", "😢", "😮")


@dataclass(slots=True)
class _Pending:
    time: str
    sender: str | None
    private: bool
    line: int
    body: list[str]


def detect_layout(text: str) -> str | None:
    """Which Zoom layout `text` is in, judged from its first lines; None if not Zoom."""
    lines = text.split("\n", 400)[:400]
    new = old = cloud = 0
    for index, line in enumerate(lines):
        if len(line) > _HEADER_MAX or not line[:1].isdigit():
            continue
        if _CLOUD_LINE.match(line):
            cloud += 1
        elif _NEW_HEADER.match(line):
            following = lines[index + 1] if index + 1 < len(lines) else "\t"
            if following.startswith("\t") or following == "":
                new += 1
        elif (m := _OLD_HEADER.match(line)) and (" : " in m["rest"] or ": " in m["rest"]):
            old += 1
    best = max((new, "zoom"), (old, "zoom-old"), (cloud, "zoom-cloud"))
    return best[1] if best[0] > 0 else None


def split_parties(
    rest: str, keyword: str = "from", *, recipient_required: bool = True
) -> tuple[str, str | None, bool]:
    """Split ``<sender> to <recipient>`` into (sender, recipient, private).

    Known public recipients are matched first, anchored at the end, so "Stadtwerke an der
    Lauter an Alle" splits correctly. Otherwise the padded form (``A  to  B``) is used, then
    the last " to "/" an " (the keyword of the header's language). With
    `recipient_required=False` (old one-line layout, where the recipient part is optional) an
    unknown recipient is only split off when a direct-message marker shows it is there.
    """
    private = False
    if dm := _DM_SUFFIX.search(rest):
        private = True
        rest = rest[: dm.start()]
    rest = rest.strip()
    if not private and (m := _PUBLIC_AT_END.match(rest)):
        return m["sender"].strip(), m["recipient"], False
    if not private and not recipient_required:
        return rest, None, False
    word = _FROM_TO.get(keyword.casefold(), "to")
    padded = re.split(rf"\s{{2,}}{word}\s{{2,}}", rest, flags=re.I)
    if len(padded) == 2:
        return padded[0].strip(), padded[1].strip(), private
    cut = rest.casefold().rfind(f" {word} ")
    if cut > 0:
        return rest[:cut].strip(), rest[cut + len(word) + 2 :].strip(), private
    return rest, None, private


def parse(
    source: str | Path,
    *,
    source_name: str | None = None,
    day: date | None = None,
    start: datetime | None = None,
    layout: str | None = None,
) -> ParseResult:
    """Parse a Zoom chat file (Path) or its text (str) into messages.

    `day` is the calendar day of the first message (default: a date in the file or folder
    name, else today); times going backwards by more than 12 hours move to the next day.
    Cloud-recording files have elapsed times: `start` turns them into datetimes (without it
    `received_at` stays None).
    """
    problems: list[ImportProblem] = []
    folder = None
    if isinstance(source, Path):
        text, problems = read_text(source)
        source_name = source_name or source.name
        folder = source.parent.name
    else:
        text = source
    name = source_name or "<text>"
    layout = layout or detect_layout(text)
    if layout not in LAYOUTS:
        raise UnknownFormatError(key="not_zoom", path=name)
    parser = _Parser(name, layout, guess_day(day, source_name, folder), start, problems)
    messages = list(parser.run(text.split("\n")))
    return ParseResult(layout, messages, parser.problems)


def iter_parse(
    path: Path,
    *,
    layout: str | None = None,
    day: date | None = None,
    start: datetime | None = None,
    problems: list[ImportProblem],
    position: list[int],
) -> Iterator[IncomingMessage]:
    """The messages of a Zoom chat file, read lazily: the same messages as `parse(path)`,
    in bounded memory however long the file. `problems` is filled while reading;
    `position[0]` follows the bytes read."""
    if layout is None:
        with path.open("rb") as handle:
            head = handle.read(256 * 1024).decode("utf-8", errors="replace")
        layout = detect_layout(head.removeprefix("\ufeff"))
    if layout not in LAYOUTS:
        raise UnknownFormatError(key="not_zoom", path=path.name)
    lines = iter_lines(path, problems, position)
    parser = _Parser(
        path.name, layout, guess_day(day, path.name, path.parent.name), start, problems
    )
    return parser.run(lines)


class _Parser:
    def __init__(
        self,
        name: str,
        layout: str,
        day: date,
        start: datetime | None,
        problems: list[ImportProblem],
    ) -> None:
        self.name = name
        self.layout = layout
        self.clock = WallClock(day)
        self.start = start
        self.problems = problems
        self.keys = KeyMaker("zoom", name)
        self.snippets = SnippetIndex()

    def problem(self, line: int | None, reason: Sentence) -> None:
        self.problems.append(ImportProblem(self.name, line, reason))

    def run(self, lines: Iterable[str]) -> Iterator[IncomingMessage]:
        pending: _Pending | None = None
        stray: int | None = None
        for number, line in enumerate(lines, start=1):
            header = self._header(line, number)
            if header is not None:
                if pending is not None and (message := self._emit(pending)) is not None:
                    yield message
                pending = header
            elif pending is not None:
                if self.layout == "zoom" and line.startswith("\t"):
                    line = line[1:]
                pending.body.append(line)
            elif line.strip() and stray is None:
                stray = number
        if pending is not None and (message := self._emit(pending)) is not None:
            yield message
        if stray is not None:
            self.problem(stray, sentence("before_first_message"))

    def _header(self, line: str, number: int) -> _Pending | None:
        if len(line) > _HEADER_MAX or not line[:1].isdigit():
            return None
        if self.layout == "zoom":
            m = _NEW_HEADER.match(line)
            if m is None:
                if _OLD_HEADER.match(line):
                    self.problem(number, sentence("incomplete_header"))
                return None
            sender, _recipient, private = split_parties(m["rest"], m["from"])
            return _Pending(m["time"], sender or None, private, number, [])
        if self.layout == "zoom-old":
            m = _OLD_HEADER.match(line)
            if m is None:
                return None
            rest = m["rest"]
            cut = rest.find(" : ")
            if cut < 0:
                cut = rest.find(": ")
                if cut < 0:
                    cut = rest.rfind(":")
                    if cut < 0:
                        self.problem(number, sentence("header_without_colon"))
                        return None
                sender_part, body = rest[:cut], rest[cut + 1 :]
            else:
                sender_part, body = rest[:cut], rest[cut + 3 :]
            sender, _recipient, private = split_parties(
                sender_part, m["from"], recipient_required=False
            )
            return _Pending(m["time"], sender or None, private, number, [body.lstrip(" ")])
        m = _CLOUD_LINE.match(line)
        if m is None:
            return None
        return _Pending(m["time"], m["sender"].strip() or None, False, number, [m["text"]])

    def _when(self, stamp: str, line: int) -> datetime | None:
        if self.layout == "zoom-cloud":
            elapsed = parse_elapsed(stamp)
            return None if elapsed is None or self.start is None else self.start + elapsed
        clock = parse_clock(stamp)
        if clock is None:
            self.problem(line, sentence("invalid_time", stamp=stamp))
            return None
        return self.clock.at(clock)

    def _emit(self, pending: _Pending) -> IncomingMessage | None:
        original = "\n".join(pending.body).strip()
        if not original:
            self.problem(pending.line, sentence("empty_message"))
            return None
        received = self._when(pending.time, pending.line)
        key = self.keys.key(pending.time, pending.sender, original)
        text, reply_to, kind = self._links(original, pending.line)
        if note := long_message_problem(self.name, pending.line, original):
            self.problems.append(note)
        if kind is None:
            self.snippets.add(text, key)
        return IncomingMessage(
            source_key=key,
            channel=Channel.CHAT,
            text=text,
            author=pending.sender,
            received_at=received,
            original=original,
            private=pending.private,
            reply_to_key=reply_to,
            kind_hint=kind,
            source_name=self.name,
            source_line=pending.line,
        )

    def _links(self, text: str, line: int) -> tuple[str, str | None, Kind | None]:
        """(text to keep, key of the quoted message, kind hint) for replies and reactions."""
        head = text[:400]
        if m := _REACTED.match(head.split("\n", 1)[0]):
            target = self.snippets.find(m["snip"])
            if target is None:
                self.problem(line, sentence("unknown_reaction", snip=m["snip"]))
            emoji = m["emoji"].strip()
            kind = Kind.CHATTER if emoji.startswith(_NOT_A_VOTE) else Kind.VOTE
            return text, target, kind
        if m := _REMOVED.match(head):
            target = self.snippets.find(m["snip"]) if m["snip"] else None
            return text, target, Kind.CHATTER
        if m := _REPLY.match(head):
            target = self.snippets.find(m["snip"])
            if target is None:
                self.problem(line, sentence("unknown_reply", snip=m["snip"]))
            body = text[m.end() :].strip()
            return (body or text), target, None
        return text, None, None
