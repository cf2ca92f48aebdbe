"""CSV and XLSX exports for the team: one row per question group plus the member wordings.

Columns have stable English ids (constants below); the header row shows them in the
event's language (`ExportOptions.language`): `Nr.;Projekt;Status;…` with state and channel
values in German (`später`, `Telefon`) for a German event, the ids themselves and the stored
values (`later`, `phone`) for an English one. `import-answers` finds its columns by the id
and answer headers in either language (`Nr.`/`id`, `Antwort`/`answer`).

Formula neutralisation: a text cell starting with `=`, `+`, `-`, `@`, tab or CR gets a
leading apostrophe (`'`), so Excel/LibreOffice never evaluate it (`=cmd|' /C calc'!A0`
comes out as the text `'=cmd|' /C calc'!A0`). Text that itself starts with an apostrophe
gets one more, so `import-answers` can remove exactly the one the export added. Control
characters that spreadsheets or XML reject are replaced by visible stand-ins (␀, ␛,
U+FFFD), never dropped silently.

Cell limit: Excel keeps at most 32,767 characters (UTF-16 code units) in a cell. The CSV has
no limit and is never cut. In the XLSX an answer that long continues in the columns
`answer_part_2`, `answer_part_3`, … at the end of the "Fragen" sheet, which `import-answers`
joins back; question wordings (read-only there) are cut with a visible " […gekürzt]".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from moderator.domain.language import channel_name, state_name
from moderator.domain.models import Channel, QueueState
from moderator.export.base import (
    ExportData,
    ExportOptions,
    first_asked,
    sections,
    visible_controls,
)

# Sheet "Fragen": one row per group.
COL_ID = "id"
COL_PROJECT = "project"
COL_STATE = "state"
COL_QUESTION = "question"
COL_MEMBERS = "members"
COL_VOTES = "votes"
COL_CHANNELS = "channels"
COL_FIRST_ASKED = "first_asked_at"
COL_ANSWER = "answer"
COL_ASKERS = "askers"  # only with include_askers
QUESTION_HEADERS: tuple[str, ...] = (
    COL_ID,
    COL_PROJECT,
    COL_STATE,
    COL_QUESTION,
    COL_MEMBERS,
    COL_VOTES,
    COL_CHANNELS,
    COL_FIRST_ASKED,
    COL_ANSWER,
)

# Sheet "Wortlaute": one row per member wording.
COL_GROUP_ID = "group_id"
COL_MESSAGE_ID = "message_id"
COL_CHANNEL = "channel"
COL_RECEIVED_AT = "received_at"
COL_TEXT = "text"
COL_AUTHOR = "author"  # only with include_askers
COL_AUTHOR_EMAIL = "author_email"  # only with include_askers
WORDING_HEADERS: tuple[str, ...] = (
    COL_GROUP_ID,
    COL_MESSAGE_ID,
    COL_CHANNEL,
    COL_RECEIVED_AT,
    COL_TEXT,
)

#: The header row in German; English shows the ids. Continuations of a long answer:
#: "Antwort Teil 2" / "answer_part_2".
GERMAN_HEADERS: dict[str, str] = {
    COL_ID: "Nr.",
    COL_PROJECT: "Projekt",
    COL_STATE: "Status",
    COL_QUESTION: "Frage",
    COL_MEMBERS: "Formulierungen",
    COL_VOTES: "Stimmen",
    COL_CHANNELS: "Kanäle",
    COL_FIRST_ASKED: "Zuerst gefragt",
    COL_ANSWER: "Antwort",
    COL_ASKERS: "Fragende",
    COL_GROUP_ID: "Frage-Nr.",
    COL_MESSAGE_ID: "Nachricht-Nr.",
    COL_CHANNEL: "Kanal",
    COL_RECEIVED_AT: "Eingegangen",
    COL_TEXT: "Text",
    COL_AUTHOR: "Name",
    COL_AUTHOR_EMAIL: "E-Mail",
}
GERMAN_ANSWER_PART = "Antwort Teil {n}"

SHEET_QUESTIONS = "Fragen"
SHEET_WORDINGS = "Wortlaute"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What gets the guarding apostrophe: formulas, and text that starts with an apostrophe itself.
GUARDED_PREFIXES = (*FORMULA_PREFIXES, "'")
EXCEL_CELL_LIMIT = 32_767
_TRUNCATED = " […gekürzt]"
# Continuation columns of an answer longer than one XLSX cell: answer_part_2, _3, …
ANSWER_PART = "answer_part_{n}"

Cell = str | int


def neutralize_cell(value: str) -> str:
    """Prefix `'` to text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR)
    and to text starting with `'`, so that removing one leading `'` always gives it back."""
    if value.startswith(GUARDED_PREFIXES):
        return "'" + value
    return value


def unneutralize_cell(value: str) -> str:
    """Exactly undo `neutralize_cell`."""
    if value.startswith("'") and value[1:].startswith(GUARDED_PREFIXES):
        return value[1:]
    return value


def excel_length(value: str) -> int:
    """Length as Excel counts it: UTF-16 code units (an emoji counts two)."""
    return len(value) + sum(1 for char in value if ord(char) > 0xFFFF)


def _cut(value: str, units: int) -> int:
    """Index where `value` must be cut so the first part has at most `units` UTF-16 units."""
    if len(value) * 2 <= units:
        return len(value)
    count = 0
    for index, char in enumerate(value):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > units:
            return index
    return len(value)


def as_exported(stored: str, read: str) -> bool:
    """Whether `read` (an answer as `import-answers` read it back) is what the export wrote
    for the `stored` answer: the same text with controls shown as ␀/␛ and, in an XLSX file,
    CR line ends as LF. Such an answer was not edited and must not replace the stored one."""
    shown = visible_controls(stored)
    return read in (shown, shown.replace("\r\n", "\n").replace("\r", "\n"))


def text_cell(value: str | None, limit: int | None = EXCEL_CELL_LIMIT) -> str:
    """User text made safe for a spreadsheet cell: visible controls, neutralised, and, with a
    `limit` (XLSX), cut to it with a visible mark."""
    value = neutralize_cell(visible_controls(value or ""))
    if limit is not None and len(value) * 2 > limit and excel_length(value) > limit:
        value = value[: _cut(value, limit - len(_TRUNCATED))] + _TRUNCATED
    return value


def answer_cells(value: str | None, limit: int | None = EXCEL_CELL_LIMIT) -> list[str]:
    """An answer as one cell, or (over `limit`) as several that `import-answers` joins.

    Each piece is neutralised on its own and fits the limit with its apostrophe."""
    value = visible_controls(value or "")
    if limit is None:
        return [neutralize_cell(value)]
    pieces: list[str] = []
    while True:
        cut = _cut(value, limit - 1)  # room for the guarding apostrophe
        pieces.append(neutralize_cell(value[:cut]))
        value = value[cut:]
        if not value:
            return pieces


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def header_names(ids: Sequence[str], language: str) -> list[str]:
    """The header row for these column ids in `language` (English: the ids)."""
    if language != "de":
        return list(ids)
    names = []
    for column in ids:
        if column.startswith("answer_part_"):
            names.append(GERMAN_ANSWER_PART.format(n=column.removeprefix("answer_part_")))
        else:
            names.append(GERMAN_HEADERS[column])
    return names


def _state(value: QueueState, language: str) -> str:
    return state_name(value, language) if language == "de" else value.value


def _channel(value: Channel, language: str) -> str:
    return channel_name(value, language) if language == "de" else value.value


def question_headers(options: ExportOptions, answer_parts: int = 1) -> tuple[str, ...]:
    headers = (*QUESTION_HEADERS, COL_ASKERS) if options.include_askers else QUESTION_HEADERS
    return (*headers, *(ANSWER_PART.format(n=n) for n in range(2, answer_parts + 1)))


def wording_headers(options: ExportOptions) -> tuple[str, ...]:
    if options.include_askers:
        return (*WORDING_HEADERS, COL_AUTHOR, COL_AUTHOR_EMAIL)
    return WORDING_HEADERS


def question_rows(
    data: ExportData, options: ExportOptions, limit: int | None = EXCEL_CELL_LIMIT
) -> list[list[Cell]]:
    """Rows of the "Fragen" table (without header), in page order (project, votes, time).

    An answer over `limit` continues at the end of its row (see `answer_cells`); rows are
    padded to the same length."""
    rows: list[list[Cell]] = []
    for project, groups in sections(data):
        for group in groups:
            channels = ", ".join(
                dict.fromkeys(_channel(m.channel, options.language) for m in group.members)
            )
            answer, *more = answer_cells(group.answer, limit)
            row: list[Cell] = [
                group.id,
                text_cell(project.name, limit),
                _state(group.state, options.language),
                text_cell(group.title, limit),
                len(group.members),
                group.votes,
                channels,
                _iso(first_asked(group)),
                answer,
            ]
            if options.include_askers:
                row.append(text_cell(", ".join(group.askers), limit))
            row.extend(more)
            rows.append(row)
    width = max((len(row) for row in rows), default=0)
    for row in rows:
        row.extend([""] * (width - len(row)))
    return rows


def _answer_parts(rows: list[list[Cell]], options: ExportOptions) -> int:
    base = len(question_headers(options))
    return 1 + (len(rows[0]) - base if rows else 0)


def wording_rows(
    data: ExportData, options: ExportOptions, limit: int | None = EXCEL_CELL_LIMIT
) -> list[list[Cell]]:
    """Rows of the "Wortlaute" table: every member wording of every exported group."""
    rows: list[list[Cell]] = []
    for _, groups in sections(data):
        for group in groups:
            for message in group.members:
                row: list[Cell] = [
                    group.id,
                    message.id,
                    _channel(message.channel, options.language),
                    _iso(message.received_at),
                    text_cell(message.text, limit),
                ]
                if options.include_askers:
                    row.append(text_cell(message.author, limit))
                    row.append(text_cell(message.author_email, limit))
                rows.append(row)
    return rows


def _csv_bytes(headers: Sequence[str], rows: list[list[Cell]], language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header_names(headers, language))
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_csv(data: ExportData, options: ExportOptions | None = None) -> bytes:
    """The "Fragen" table as CSV for German Excel: UTF-8 BOM, `;`, all quoted, CRLF.

    Nothing is cut: a CSV cell has no length limit."""
    options = options or ExportOptions()
    return _csv_bytes(
        question_headers(options), question_rows(data, options, limit=None), options.language
    )


def render_wordings_csv(data: ExportData, options: ExportOptions | None = None) -> bytes:
    """The "Wortlaute" table as CSV, same dialect as `render_csv`."""
    options = options or ExportOptions()
    return _csv_bytes(
        wording_headers(options), wording_rows(data, options, limit=None), options.language
    )


_QUESTION_WIDTHS = {
    COL_ID: 8,
    COL_PROJECT: 26,
    COL_STATE: 16,
    COL_QUESTION: 60,
    COL_MEMBERS: 10,
    COL_VOTES: 8,
    COL_CHANNELS: 14,
    COL_FIRST_ASKED: 22,
    COL_ANSWER: 70,
    COL_ASKERS: 30,
}
_WORDING_WIDTHS = {
    COL_GROUP_ID: 10,
    COL_MESSAGE_ID: 12,
    COL_CHANNEL: 10,
    COL_RECEIVED_AT: 22,
    COL_TEXT: 80,
    COL_AUTHOR: 24,
    COL_AUTHOR_EMAIL: 30,
}
_WRAPPED = {COL_QUESTION, COL_ANSWER, COL_TEXT, COL_ASKERS}


def _fill_sheet(
    sheet, headers: Sequence[str], rows: list[list[Cell]], widths: dict, language: str
) -> None:
    widths = {
        **widths,
        **{h: widths[COL_ANSWER] for h in headers if h.startswith("answer_part_")},
    }
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths[header]
    sheet.freeze_panes = "A2"
    header_cells = []
    for name in header_names(headers, language):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    # Write-only sheets serialise each row on append, so one styled cell per column can be
    # reused for every row: styles are registered once instead of once per cell.
    templates = []
    for header in headers:
        cell = WriteOnlyCell(sheet)
        cell.alignment = wrap if header in _WRAPPED or header.startswith("answer_part_") else top
        templates.append(cell)
    for row in rows:
        for cell, value in zip(templates, row, strict=True):
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
        sheet.append(templates)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"


def write_xlsx(
    data: ExportData, options: ExportOptions | None, path_or_stream: Path | str | BinaryIO
) -> None:
    """Write the workbook: sheets "Fragen" and "Wortlaute", bold frozen header, wrapped text."""
    from openpyxl import Workbook

    options = options or ExportOptions()
    workbook = Workbook(write_only=True)
    questions = workbook.create_sheet(SHEET_QUESTIONS)
    rows = question_rows(data, options)
    headers = question_headers(options, _answer_parts(rows, options))
    _fill_sheet(questions, headers, rows, _QUESTION_WIDTHS, options.language)
    wordings = workbook.create_sheet(SHEET_WORDINGS)
    _fill_sheet(
        wordings,
        wording_headers(options),
        wording_rows(data, options),
        _WORDING_WIDTHS,
        options.language,
    )
    target = str(path_or_stream) if isinstance(path_or_stream, Path) else path_or_stream
    workbook.save(target)
