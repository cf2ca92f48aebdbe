"""Pick the importer for a file: by name (`format=`) or by looking at its content.

Adding a format: write `parse_<name>(path, *, day) -> ParseResult`, put it in `FORMATS`,
and (for auto-detection) add a detector to `DETECTORS`. A detector gets the path and the
file's first `HEAD_BYTES` bytes (``b""`` for a directory) and returns a format name or None;
the first detector that answers wins, so specific formats come before generic ones.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from moderator.domain.language import error_text, os_reason, sentence
from moderator.domain.models import IncomingMessage
from moderator.ingest import bbb, pasted, spreadsheet, zoom
from moderator.ingest.base import (
    ImportProblem,
    NoSuchFileError,
    ParseResult,
    UnknownFormatError,
    decode_bytes,
)

HEAD_BYTES = 64 * 1024

Parser = Callable[..., ParseResult]  # (path: Path, *, day: date | None) -> ParseResult
Detector = Callable[[Path, bytes], "str | None"]

#: Text files with these suffixes (or none) may be read as a plain list of questions.
PLAIN_TEXT_SUFFIXES = frozenset({"", ".txt", ".text", ".md", ".list"})


def _zoom(layout: str) -> Parser:
    def parse_zoom(path: Path, *, day: date | None = None) -> ParseResult:
        return zoom.parse(path, day=day, layout=layout)

    parse_zoom.__name__ = f"parse_{layout.replace('-', '_')}"
    return parse_zoom


def _bbb(path: Path, *, day: date | None = None) -> ParseResult:
    return bbb.parse(path, day=day)


def _pasted(path: Path, *, day: date | None = None) -> ParseResult:
    return pasted.parse(path, day=day)


def _lines(path: Path, *, day: date | None = None) -> ParseResult:
    return pasted.parse_lines(path, day=day)


def _sheet(path: Path, *, day: date | None = None) -> ParseResult:
    return spreadsheet.parse(path, day=day)


#: Format name → parser. E-mail formats (eml, mbox, maildir) are registered here too.
FORMATS: dict[str, Parser] = {
    "zoom": _zoom("zoom"),
    "zoom-old": _zoom("zoom-old"),
    "zoom-cloud": _zoom("zoom-cloud"),
    "bbb": _bbb,
    "pasted": _pasted,
    "lines": _lines,
    "csv": _sheet,
    "xlsx": _sheet,
}


def _head_text(head: bytes) -> str | None:
    try:
        return decode_bytes(head, "")[0]
    except UnknownFormatError:
        return None


def detect_xlsx(path: Path, head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04") and (
        path.suffix.lower() in {".xlsx", ".xlsm"} or b"xl/" in head
    ):
        return "xlsx"
    return None


def detect_csv(path: Path, head: bytes) -> str | None:
    return "csv" if path.suffix.lower() in {".csv", ".tsv"} and b"\x00" not in head else None


def detect_zoom(path: Path, head: bytes) -> str | None:
    text = _head_text(head)
    return zoom.detect_layout(text) if text else None


def detect_bbb(path: Path, head: bytes) -> str | None:
    text = _head_text(head)
    return "bbb" if text and bbb.looks_like_bbb(text) else None


def detect_pasted(path: Path, head: bytes) -> str | None:
    text = _head_text(head)
    return "pasted" if text and pasted.looks_like_pasted(text) else None


def detect_lines(path: Path, head: bytes) -> str | None:
    if path.suffix.lower() not in PLAIN_TEXT_SUFFIXES:
        return None
    text = _head_text(head)
    if not text or text.lstrip()[:1] in {"{", "[", "<"}:
        return None
    return "lines"


def _mail(kind: str) -> Parser:
    def parse(path: Path, *, day: date | None = None) -> ParseResult:
        from moderator.ingest import mail

        reader = {"eml": mail.parse_eml, "mbox": mail.parse_mbox, "maildir": mail.parse_maildir}
        result = reader[kind](path)
        return ParseResult(result.format, list(result.messages), list(result.problems))

    return parse


def _mail_folder(path: Path, *, day: date | None = None) -> ParseResult:
    """A plain folder of .eml files (not a Maildir): every mail in it, sorted by name."""
    messages, problems = [], []
    for child in sorted(p for p in path.rglob("*.eml") if p.is_file()):
        result = _mail("eml")(child, day=day)
        messages.extend(result.messages)
        problems.extend(result.problems)
    return ParseResult("emldir", messages, problems)


FORMATS.update(
    {
        "eml": _mail("eml"),
        "mbox": _mail("mbox"),
        "maildir": _mail("maildir"),
        "emldir": _mail_folder,
    }
)


def detect_mail(path: Path, head: bytes) -> str | None:
    from moderator.ingest import mail

    if path.is_dir():
        if mail.is_maildir(path):
            return "maildir"
        if any(path.rglob("*.eml")):
            return "emldir"
        return None
    if mail.looks_like_mbox(head):
        return "mbox"
    if path.suffix.lower() == ".eml" or mail.looks_like_eml(head):
        return "eml"
    return None


#: Tried in order; the first non-None answer names the format.
DETECTORS: list[Detector] = [
    detect_mail,
    detect_xlsx,
    detect_csv,
    detect_zoom,
    detect_bbb,
    detect_pasted,
    detect_lines,
]


def _refuse_binary(path: Path, head: bytes) -> None:
    """A file with NUL bytes that is neither a zip (XLSX) nor UTF-16 text is binary."""
    zipped_or_utf16 = head.startswith((b"PK\x03\x04", b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in head and not zipped_or_utf16:
        raise UnknownFormatError(key="binary", path=path)


def detect_format(path: Path) -> str:
    """The format name for `path`; `UnknownFormatError` (naming the file) if none fits."""
    head = b""
    if not path.is_dir():
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        _refuse_binary(path, head)
    for detector in DETECTORS:
        found = detector(path, head)
        if found is not None:
            return found
    raise UnknownFormatError(key="unknown_file_format", path=path, formats=_FORMAT_LIST)


def _blank(data: bytes) -> bool:
    return not data.removeprefix(b"\xef\xbb\xbf").strip()


@dataclass(slots=True)
class StreamedParse:
    """A source being parsed lazily: `messages` is read once; `problems` fills while it is
    read (complete when it is exhausted); `position[0]` of `size` bytes have been read."""

    format: str
    messages: Iterator[IncomingMessage]
    problems: list[ImportProblem]
    size: int
    position: list[int]


#: Formats read line by line (bounded memory however long the file); the others are
#: parsed whole and then handed out one by one.
STREAMING = frozenset(zoom.LAYOUTS)


def stream_file(path: Path, *, format: str | None = None, day: date | None = None) -> StreamedParse:
    """Like `parse_file`, but the messages are parsed while they are read (`STREAMING`)."""
    name = _check(path, format)
    size = path.stat().st_size if path.is_file() else 0
    if name in STREAMING and path.is_file():
        problems: list[ImportProblem] = []
        position = [0]
        messages = zoom.iter_parse(path, layout=name, day=day, problems=problems, position=position)
        return StreamedParse(name, messages, problems, size, position)
    result = parse_file(path, format=format, day=day)
    return StreamedParse(result.format, iter(result.messages), result.problems, size, [size])


def _check(path: Path, format: str | None) -> str | None:
    """The format to parse `path` with (None for an empty file); errors name the file."""
    if not path.exists():
        raise NoSuchFileError(path)
    if format is not None and format not in FORMATS:
        raise UnknownFormatError(
            key="unknown_format_name", path=path, fmt=repr(format), formats=_FORMAT_LIST
        )
    if path.is_file() and path.stat().st_size <= HEAD_BYTES and _blank(path.read_bytes()):
        return None
    return format or detect_format(path)


def parse_file(path: Path, *, format: str | None = None, day: date | None = None) -> ParseResult:
    """Parse `path` with the named format, or the detected one.

    An empty (or whitespace-only) file gives an empty result with a problem, not an error.
    """
    if not path.exists():
        raise NoSuchFileError(path)
    if format is not None and format not in FORMATS:
        raise UnknownFormatError(
            key="unknown_format_name", path=path, fmt=repr(format), formats=_FORMAT_LIST
        )
    if path.is_file() and path.stat().st_size <= HEAD_BYTES and _blank(path.read_bytes()):
        return ParseResult(
            format or "empty", [], [ImportProblem(path.name, None, sentence("empty_file"))]
        )
    if format is not None and format != "xlsx" and path.is_file():
        # A named format skips detection, not the check that the file is text at all.
        with path.open("rb") as handle:
            _refuse_binary(path, handle.read(HEAD_BYTES))
    name = format or detect_format(path)
    return FORMATS[name](path, day=day)


#: Formats that take almost any text: in a folder they are trusted only in files named
#: like a list (a README.md or LICENSE there is a document, not questions).
GENERIC_TEXT_FORMATS = frozenset({"lines", "pasted"})
_FORMAT_LIST = ", ".join(sorted(FORMATS))
LIST_SUFFIXES = frozenset({".txt", ".text", ".list"})


@dataclass(slots=True)
class FolderItem:
    """One importable thing found in a folder: a file, a Maildir, or the .eml files of one
    directory (imported together, as one source)."""

    label: str
    format: str
    paths: list[Path]

    def parse(self, *, day: date | None = None) -> ParseResult:
        if len(self.paths) == 1 and self.format != "eml":
            return parse_file(self.paths[0], format=self.format, day=day)
        messages, problems = [], []
        for path in self.paths:
            result = parse_file(path, format=self.format, day=day)
            messages.extend(result.messages)
            problems.extend(result.problems)
        return ParseResult(self.format, messages, problems)


@dataclass(slots=True)
class FolderScan:
    items: list[FolderItem] = field(default_factory=list)
    # (path, reason: text, or a `Sentence`/error said in the event's language)
    skipped: list[tuple[Path, object]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _OsReason:
    """What the operating system said about a file, in the language it is said in."""

    error: OSError

    def said_in(self, language: str) -> str:
        return os_reason(self.error, language)

    def __str__(self) -> str:
        return self.said_in("en")


@dataclass(frozen=True, slots=True)
class _FirstClause:
    """Why a file was refused, without its name and the advice after ";", in the language
    it is said in (a value of a `Sentence`)."""

    refusal: UnknownFormatError
    prefix: str

    def said_in(self, language: str) -> str:
        return error_text(self.refusal, language).removeprefix(self.prefix).split(";")[0]

    def __str__(self) -> str:
        return self.said_in("en")


def scan_folder(folder: Path) -> FolderScan:
    """Everything `moderator import FOLDER` reads, and every file it leaves out with why.

    Walks the folder (not following symbolic links to folders), in name order; only
    regular files are read (a named pipe would block the import). A Maildir
    is one item; the .eml files of a directory are one item; every other file is detected
    like a file given by name (`detect_format`), except that the generic text formats are
    only trusted in .txt/.text/.list files. Hidden files and folders are left out (named).
    """
    from moderator.ingest import mail

    scan = FolderScan()
    if mail.is_maildir(folder):
        scan.items.append(FolderItem(str(folder), "maildir", [folder]))
        return scan
    for root, dirs, files in os.walk(
        folder,
        onerror=lambda e: scan.skipped.append((Path(e.filename or folder), _OsReason(e))),
    ):
        here = Path(root)
        kept_dirs = []
        for name in sorted(dirs):
            sub = here / name
            if name.startswith("."):
                scan.skipped.append((sub, sentence("hidden_folder")))
            elif mail.is_maildir(sub):
                scan.items.append(FolderItem(str(sub), "maildir", [sub]))
            else:
                kept_dirs.append(name)
        dirs[:] = kept_dirs
        emls = []
        for name in sorted(files):
            path = here / name
            if name.startswith("."):
                scan.skipped.append((path, sentence("hidden_file")))
                continue
            try:
                regular = stat.S_ISREG(path.stat().st_mode)
            except OSError as exc:  # a dangling link, no permission …
                scan.skipped.append((path, _OsReason(exc)))
                continue
            if not regular:  # reading a named pipe would wait for a writer forever
                scan.skipped.append((path, sentence("not_regular")))
                continue
            if path.suffix.lower() == ".eml":
                emls.append(path)
                continue
            try:
                found = detect_format(path) if path.stat().st_size else "lines"
            except UnknownFormatError as exc:
                if exc.key == "binary":
                    scan.skipped.append((path, exc))
                elif exc.key == "unknown_file_format":
                    scan.skipped.append((path, sentence("unknown_not_importable")))
                else:
                    reason = _FirstClause(exc, f"{path}: ")
                    scan.skipped.append((path, sentence("not_importable", reason=reason)))
                continue
            except OSError as exc:
                scan.skipped.append((path, _OsReason(exc)))
                continue
            if found in GENERIC_TEXT_FORMATS and path.suffix.lower() not in LIST_SUFFIXES:
                scan.skipped.append((path, sentence("text_document")))
                continue
            scan.items.append(FolderItem(str(path), found, [path]))
        if len(emls) == 1:
            scan.items.append(FolderItem(str(emls[0]), "eml", emls))
        elif emls:
            scan.items.append(FolderItem(f"{here / '*.eml'} ({len(emls)} files)", "eml", emls))
    scan.items.sort(key=lambda item: item.paths[0])
    return scan
