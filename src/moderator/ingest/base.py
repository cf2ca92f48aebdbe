"""Shared pieces of every importer: results, problems, decoding, stable keys, clock times.

Nothing here knows a particular chat format; the e-mail importer may reuse all of it.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from moderator.domain.language import Amount, Explained, Sentence, error_text, sentence
from moderator.domain.models import IncomingMessage

#: A message longer than this is kept in full but noted as a problem (probably a paste accident).
LONG_MESSAGE_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Something an importer skipped or found suspicious; the rest of the source is kept.

    `reason` is a `Sentence` (a code into `domain.language.ERROR_TEXT` and its values), so
    the problem can be said in the event's language: `text(language)`; `str()` is English.
    """

    source: str
    line: int | None
    reason: Sentence | str

    def text(self, language: str) -> str:
        """ "chat.txt:12: ungültige Uhrzeit „25:99“" (file and line, then the reason)."""
        return located(self.source, self.line, error_text(self.reason, language))

    def __str__(self) -> str:
        return self.text("en")


def located(source: str, line: int | None, reason: str) -> str:
    return f"{source}: {reason}" if line is None else f"{source}:{line}: {reason}"


def problem_text(problem: object, language: str) -> str:
    """A problem of any importer (or a plain line) as `language` says it."""
    text = getattr(problem, "text", None)
    return text(language) if callable(text) else str(problem)


class SaidProblems(Sequence[str]):
    """`problems` as lines in `language`, said when read: a streamed parse is still adding
    to the list while its messages are stored, so it is read only at the end."""

    def __init__(self, problems: Sequence[object], language: str) -> None:
        self.problems = problems
        self.language = language

    def __len__(self) -> int:
        return len(self.problems)

    def __getitem__(self, index):  # ints and slices, as for a list
        if isinstance(index, slice):
            return [problem_text(p, self.language) for p in self.problems[index]]
        return problem_text(self.problems[index], self.language)


@dataclass(slots=True)
class RowExtra:
    """Spreadsheet columns that `IncomingMessage` has no field for, keyed by source key."""

    votes: int | None = None
    answer: str | None = None
    labels: tuple[str, ...] = ()


@dataclass(slots=True)
class ParseResult:
    """What one importer made of one source."""

    format: str
    messages: list[IncomingMessage]
    problems: list[ImportProblem]
    #: Extra spreadsheet data (likes, answers, labels) by `source_key`; empty for chat logs.
    extra: dict[str, RowExtra] = field(default_factory=dict)


class UnknownFormatError(Explained, ValueError):
    """The source is not something any importer understands (binary, unknown layout...).
    The commonest reasons are said in German and English (`domain.language`)."""


class NoSuchFileError(Explained, FileNotFoundError):
    """A path to import that does not exist (said in German and English)."""

    def __init__(self, path: object) -> None:
        super().__init__(key="no_file", path=path)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029")


def decode_bytes(data: bytes, source: str) -> tuple[str, list[ImportProblem]]:
    """Decode `data` to text with `\\n` line ends; problems name `source` and the line.

    UTF-8 (with or without BOM) first. A file that is not UTF-8 anywhere is read as
    Windows-1252 (noted once). In a UTF-8 file, single broken lines (a truncated write, one
    pasted cp1252 line) are decoded on their own and noted by line number. NUL bytes mean
    a binary file: `UnknownFormatError`.
    """
    problems: list[ImportProblem] = []
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnknownFormatError(key="broken_utf16", path=source, detail=exc.reason) from exc
        return _normalise_newlines(text.lstrip("\ufeff")), problems
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UnknownFormatError(key="binary_at", path=source, offset=nul)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return _normalise_newlines(data.decode("utf-8")), problems
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    decoded: list[str] = []
    bad: list[int] = []
    utf8_non_ascii = False
    for number, raw in enumerate(lines, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
            decoded.append("")
            continue
        if not line.isascii():
            utf8_non_ascii = True
        decoded.append(line)
    if not utf8_non_ascii:
        problems.append(ImportProblem(source, None, sentence("not_utf8")))
        return _normalise_newlines(data.decode("cp1252", errors="replace")), problems
    for number in bad:
        raw = lines[number - 1]
        decoded[number - 1] = raw.decode("utf-8", errors="replace")
        problems.append(ImportProblem(source, number, sentence("bad_utf8")))
    return _normalise_newlines("\n".join(decoded)), problems


def _normalise_newlines(text: str) -> str:
    return _NEWLINES.sub("\n", text)


#: Files up to this size are read whole; larger UTF-8 files are read line by line.
STREAM_BYTES = 8 * 1024 * 1024
_CHUNK = 1024 * 1024


def iter_lines(path: Path, problems: list[ImportProblem], position: list[int]) -> Iterator[str]:
    """The lines of a text file, decoded as `read_text` does, without holding the file.

    A UTF-8 file (checked in a first pass, in chunks) is read line by line; anything else
    (UTF-16, Windows-1252, broken lines) is read whole by `read_text`. `problems` gets the
    decoding problems; `position[0]` follows the bytes read, for a progress bar.
    """
    if path.is_dir():
        raise UnknownFormatError(key="not_a_file", path=path)
    if path.stat().st_size <= STREAM_BYTES or not _plain_utf8(path):
        text, found = read_text(path)
        problems.extend(found)
        position[0] = path.stat().st_size
        yield from text.split("\n")
        return
    with path.open("rb") as handle:
        first = True
        for raw in handle:  # split at b"\n": a "\r\n" stays within its line
            position[0] += len(raw)
            line = raw.decode("utf-8")
            if first:
                line, first = line.removeprefix("\ufeff"), False
            if line.endswith("\n"):
                line = line[:-1]
                if line.endswith("\r"):
                    line = line[:-1]
                yield from _NEWLINES.split(line)
            else:  # the last line, without a line end
                yield from _NEWLINES.split(line)
                return
        yield ""  # a file ending in a line end ends with an empty line, as `split` gives


def _plain_utf8(path: Path) -> bool:
    """True when the whole file is UTF-8 (BOM allowed) without NUL bytes, read in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        head = handle.read(2)
        if head.startswith(_UTF16_BOMS):
            return False
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            if b"\x00" in chunk:
                return False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def read_text(path: Path) -> tuple[str, list[ImportProblem]]:
    """Read and decode a text file (see `decode_bytes`); errors name the file."""
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise UnknownFormatError(key="not_a_file", path=path) from exc
    return decode_bytes(data, path.name)


class KeyMaker:
    """Stable `source_key`s: a content hash plus a per-content occurrence counter.

    A key depends only on the message itself and on how often the same content appeared
    before it, so a file that grows keeps the keys of its earlier messages. It remembers
    64 bits of each content hash (a chat log of a million messages costs some 60 MB here).
    """

    def __init__(self, prefix: str, source_name: str) -> None:
        self._base = f"{prefix}:{Path(source_name).name}:"
        self._once: set[int] = set()
        self._repeats: Counter[int] = Counter()  # occurrences beyond the first

    def key(self, *parts: object) -> str:
        content = "\x1f".join("" if p is None else str(p) for p in parts)
        hashed = hashlib.sha1(content.encode("utf-8", "surrogatepass"))
        digest = hashed.hexdigest()
        short = int.from_bytes(hashed.digest()[:8], "big")
        if short in self._once:
            self._repeats[short] += 1
            digest = hashlib.sha1(f"{digest}|{self._repeats[short]}".encode()).hexdigest()
        else:
            self._once.add(short)
        return self._base + digest[:20]


_ISO_DATE = re.compile(r"(?<!\d)(20\d\d)[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)(20\d\d)(\d\d)(\d\d)(?!\d)")
_GERMAN_DATE = re.compile(r"(?<!\d)(\d{1,2})\.(\d{1,2})\.(20\d\d)(?!\d)")


def date_from_name(name: str) -> date | None:
    """The first plausible calendar date in a file or folder name, if any."""
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_GERMAN_DATE, (2, 1, 0))):
        for match in pattern.finditer(name):
            groups = match.groups()
            try:
                return date(int(groups[order[0]]), int(groups[order[1]]), int(groups[order[2]]))
            except ValueError:
                continue
    for match in _COMPACT_DATE.finditer(name):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return None


def guess_day(day: date | None, *names: str | None) -> date:
    """`day` if given, else the first date found in the given names, else today."""
    if day is not None:
        return day
    for name in names:
        if name:
            found = date_from_name(name)
            if found is not None:
                return found
    return date.today()


class WallClock:
    """Turns a sequence of time-of-day values into datetimes, crossing midnight forwards."""

    def __init__(self, day: date) -> None:
        self.day = day
        self._last: datetime | None = None

    def at(self, clock: time) -> datetime:
        moment = datetime.combine(self.day, clock)
        if self._last is not None and self._last - moment > timedelta(hours=12):
            self.day += timedelta(days=1)
            moment = datetime.combine(self.day, clock)
        self._last = moment
        return moment


def parse_clock(value: str) -> time | None:
    """`HH:MM` or `HH:MM:SS` to a time, None when out of range."""
    parts = value.split(":")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        return None
    if len(numbers) == 2:
        numbers.append(0)
    if len(numbers) != 3:
        return None
    hour, minute, second = numbers
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
        return None
    return time(hour, minute, second)


def parse_elapsed(value: str) -> timedelta | None:
    """`HH:MM:SS` (or `MM:SS`) as a duration since the start of a recording."""
    try:
        numbers = [int(p) for p in value.split(":")]
    except ValueError:
        return None
    if len(numbers) == 2:
        numbers.insert(0, 0)
    if len(numbers) != 3:
        return None
    return timedelta(hours=numbers[0], minutes=numbers[1], seconds=numbers[2])


def long_message_problem(source: str, line: int | None, text: str) -> ImportProblem | None:
    """A note for a suspiciously long message (it is still kept in full)."""
    if len(text) <= LONG_MESSAGE_CHARS:
        return None
    return ImportProblem(source, line, sentence("long_message", chars=Amount(len(text))))


_WS = re.compile(r"\s+")


def collapse_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


class SnippetIndex:
    """Finds the latest earlier message whose text starts with a quoted snippet.

    Zoom quotes the first 20 characters of the parent; the index is keyed by that prefix so
    looking up is constant time, with a bounded backwards scan for other snippet lengths.
    """

    PREFIX = 20
    SCAN_LIMIT = 2000
    #: Prefixes remembered (the most recently seen): a long log needs bounded memory, and
    #: a reply quotes a message from the last few hundred thousand.
    PREFIX_LIMIT = 200_000

    def __init__(self) -> None:
        self._by_prefix: dict[str, tuple[str, str]] = {}
        self._recent: list[tuple[str, str]] = []

    def add(self, text: str, key: str) -> None:
        head = collapse_ws(text[:400])
        prefix = head[: self.PREFIX]
        self._by_prefix.pop(prefix, None)  # the newest moves to the end
        self._by_prefix[prefix] = (head, key)
        if len(self._by_prefix) > self.PREFIX_LIMIT:
            del self._by_prefix[next(iter(self._by_prefix))]
        self._recent.append((head, key))
        if len(self._recent) > 2 * self.SCAN_LIMIT:
            del self._recent[: self.SCAN_LIMIT]

    def find(self, snippet: str) -> str | None:
        snippet = collapse_ws(snippet)
        if not snippet:
            return None
        found = self._by_prefix.get(snippet[: self.PREFIX])
        if found is not None and found[0].startswith(snippet):
            return found[1]
        for head, key in reversed(self._recent[-self.SCAN_LIMIT :]):
            if head.startswith(snippet):
                return key
        return None
