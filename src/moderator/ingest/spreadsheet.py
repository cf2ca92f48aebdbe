"""Spreadsheets of questions: CSV (any common delimiter and encoding) and XLSX.

Exports of Q&A tools are not always rectangular: Zoom's webinar Q&A report starts with meta
rows (title, generated date, topic/ID/start). The header row is therefore searched in the
first `HEADER_SEARCH_ROWS` rows: the row naming the most known columns wins, and it must name
a question column. Column names are mapped through `COLUMN_ALIASES` (German and English),
which configuration may extend (`parse(..., aliases=...)`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from xml.etree.ElementTree import ParseError

from moderator.domain.language import sentence
from moderator.domain.models import Channel, IncomingMessage, Kind
from moderator.ingest.base import (
    ImportProblem,
    KeyMaker,
    ParseResult,
    RowExtra,
    UnknownFormatError,
    decode_bytes,
    guess_day,
    long_message_problem,
)

HEADER_SEARCH_ROWS = 20

#: Field → accepted column headers (compared case-insensitively, whitespace collapsed).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "Frage", "Fragen", "Ihre Frage", "Question", "Questions", "Question Text", "Text",
        "Nachricht", "Message", "Inhalt", "Content", "Beitrag", "Frage/Anmerkung", "Anliegen",
    ),
    "author": (
        "Name", "Autor", "Autorin", "Author", "Asker Name", "Asker", "Absender", "Von",
        "From", "Fragesteller", "Fragesteller/in", "Fragesteller*in", "Fragestellende",
        "Teilnehmer", "Teilnehmer/in", "Participant", "User Name", "Display Name",
    ),
    "email": (
        "E-Mail", "Email", "E-Mail-Adresse", "E-Mail Adresse", "Mail", "Asker Email",
        "Asker E-Mail", "Email Address", "E-mail address",
    ),
    "votes": (
        "Likes", "Like", "Upvotes", "Up-Votes", "Votes", "Stimmen", "Gefällt mir", "Score",
        "Zustimmung", "Unterstützer",
    ),
    "answer": ("Antwort", "Antworten", "Answer", "Answers", "Answer(s)", "Reply", "Replies"),
    "time": (
        "Datum", "Zeit", "Uhrzeit", "Zeitpunkt", "Zeitstempel", "Erstellt", "Erstellt am",
        "Datum/Uhrzeit", "Time", "Date", "Create Time", "Created", "Created At",
        "Question Time", "Timestamp", "Date/Time",
    ),
    "labels": ("Labels", "Label", "Tags", "Tag", "Schlagworte", "Kategorie", "Category", "Thema"),
}  # fmt: skip

ANONYMOUS = frozenset({"anonymous attendee", "anonymous", "anonym", "anonyme person", "-"})

_DELIMITERS = (";", ",", "\t", "|")
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H:%M",
    "%d.%m.%Y, %H:%M",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d",
)
_WS = re.compile(r"\s+")


def _norm(header: object) -> str:
    return _WS.sub(" ", str(header or "").replace("\u00a0", " ")).strip().rstrip(":").casefold()


def merged_aliases(extra: Mapping[str, Iterable[str]] | None = None) -> dict[str, str]:
    """Normalised header → field, from `COLUMN_ALIASES` plus `extra` (same shape)."""
    lookup: dict[str, str] = {}
    for field, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            lookup.setdefault(_norm(alias), field)
    for field, names in (extra or {}).items():
        if field not in COLUMN_ALIASES:
            raise ValueError(
                f"unknown spreadsheet field {field!r}; known: {sorted(COLUMN_ALIASES)}"
            )
        for alias in names:
            lookup[_norm(alias)] = field
    return lookup


def find_header(
    rows: Sequence[Sequence[object]], lookup: Mapping[str, str]
) -> tuple[int, dict[str, int]] | None:
    """(row index, field → column) of the best header row, or None without a question column."""
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for column, cell in enumerate(row):
            field = lookup.get(_norm(cell))
            if field is not None and field not in columns:
                columns[field] = column
        if "text" in columns and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
    return best


def parse(
    path: Path,
    *,
    source_name: str | None = None,
    day: date | None = None,
    aliases: Mapping[str, Iterable[str]] | None = None,
) -> ParseResult:
    """Parse a CSV or XLSX file of questions (format chosen by content, then extension)."""
    name = source_name or path.name
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04" or path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _parse_xlsx(path, name, day, aliases)
    return _parse_csv(path, name, day, aliases)


def _parse_csv(
    path: Path, name: str, day: date | None, aliases: Mapping[str, Iterable[str]] | None
) -> ParseResult:
    text, problems = decode_bytes(path.read_bytes(), name)
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    lookup = merged_aliases(aliases)
    best: tuple[int, str, int, dict[str, int]] | None = None
    for delimiter in _DELIMITERS:
        head: list[list[str]] = []
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            for row in reader:
                head.append(row)
                if len(head) >= HEADER_SEARCH_ROWS:
                    break
        except csv.Error:
            continue
        found = find_header(head, lookup)
        if found is not None:
            score = (len(found[1]), len(head[found[0]]))
            if best is None or score > (len(best[3]), best[2]):
                best = (found[0], delimiter, len(head[found[0]]), found[1])
    if best is None:
        raise _no_header(name)
    header_index, delimiter, _width, columns = best
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[object]]]:
        index = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                problems.append(
                    ImportProblem(name, reader.line_num, sentence("unreadable_row", detail=exc))
                )
                return
            if index > header_index:
                yield reader.line_num, list(row)
            index += 1

    return _rows_to_result("csv", name, day, columns, rows(), problems)


def _parse_xlsx(
    path: Path, name: str, day: date | None, aliases: Mapping[str, Iterable[str]] | None
) -> ParseResult:
    import openpyxl  # imported lazily: only spreadsheet imports need it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnknownFormatError(key="not_xlsx", path=name, detail=exc) from exc
    try:
        lookup = merged_aliases(aliases)
        for sheet in workbook.worksheets:
            iterator = sheet.iter_rows(values_only=True)
            head = [list(row) for _, row in zip(range(HEADER_SEARCH_ROWS), iterator, strict=False)]
            found = find_header(head, lookup)
            if found is None:
                continue
            header_index, columns = found

            def rows(
                head: list[list[object]] = head,
                iterator: Iterator[tuple[object, ...]] = iterator,
                start: int = header_index,
            ) -> Iterator[tuple[int, list[object]]]:
                for index in range(start + 1, len(head)):
                    yield index + 1, head[index]
                for number, row in enumerate(iterator, start=len(head) + 1):
                    yield number, list(row)

            return _rows_to_result("xlsx", name, day, columns, rows(), [])
        raise _no_header(name)
    except ParseError as exc:  # a sheet's XML is read while iterating: entity bombs, XXE
        raise UnknownFormatError(key="not_xlsx_xml", path=name, detail=exc) from None
    finally:
        workbook.close()


def _no_header(name: str) -> UnknownFormatError:
    known = ", ".join(COLUMN_ALIASES["text"][:4])
    return UnknownFormatError(key="no_header", path=name, known=known, rows=HEADER_SEARCH_ROWS)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def parse_when(value: object, day: date) -> datetime | None:
    """A spreadsheet date/time cell as a datetime (times alone are put on `day`)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, time):
        return datetime.combine(day, value)
    raw = _WS.sub(" ", str(value or "")).strip()
    if not raw:
        return None
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(raw, pattern)
        except ValueError:
            continue
    for pattern in ("%H:%M:%S", "%H:%M"):
        try:
            return datetime.combine(day, datetime.strptime(raw, pattern).time())
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None


def _rows_to_result(
    fmt: str,
    name: str,
    day: date | None,
    columns: Mapping[str, int],
    rows: Iterable[tuple[int, list[object]]],
    problems: list[ImportProblem],
) -> ParseResult:
    on_day = guess_day(day, name)
    keys = KeyMaker("sheet", name)
    messages: list[IncomingMessage] = []
    extra: dict[str, RowExtra] = {}

    def cell(row: list[object], field: str) -> object:
        column = columns.get(field)
        return row[column] if column is not None and column < len(row) else None

    for number, row in rows:
        text = _cell_text(cell(row, "text")).strip()
        if not text:
            if any(_cell_text(v).strip() for v in row):
                problems.append(ImportProblem(name, number, sentence("row_without_question")))
            continue
        author = _cell_text(cell(row, "author")).strip() or None
        if author is not None and author.casefold() in ANONYMOUS:
            author = None
        email = _cell_text(cell(row, "email")).strip() or None
        raw_time = cell(row, "time")
        received = parse_when(raw_time, on_day)
        if received is None and _cell_text(raw_time).strip():
            problems.append(
                ImportProblem(name, number, sentence("unreadable_time", value=raw_time))
            )
        votes_raw = _cell_text(cell(row, "votes")).strip()
        votes: int | None = None
        if votes_raw:
            try:
                votes = int(float(votes_raw.replace(",", ".")))
            except ValueError:
                problems.append(
                    ImportProblem(name, number, sentence("unreadable_votes", value=votes_raw))
                )
        answer = _cell_text(cell(row, "answer")).strip() or None
        labels = tuple(
            part.strip()
            for part in re.split(r"[,;|]", _cell_text(cell(row, "labels")))
            if part.strip()
        )
        if note := long_message_problem(name, number, text):
            problems.append(note)
        key = keys.key(text, author, _cell_text(raw_time))
        messages.append(
            IncomingMessage(
                source_key=key,
                channel=Channel.IMPORT,
                text=text,
                author=author,
                author_email=email,
                received_at=received,
                original=text,
                kind_hint=Kind.QUESTION,
                source_name=name,
                source_line=number,
            )
        )
        if votes is not None or answer is not None or labels:
            extra[key] = RowExtra(votes=votes, answer=answer, labels=labels)
    return ParseResult(fmt, messages, problems, extra)
