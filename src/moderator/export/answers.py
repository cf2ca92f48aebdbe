"""Read the answers the team wrote into an exported CSV or XLSX (for `import-answers`).

The file is found by its `id` and `answer` columns (aliases: ID/Nr./Nummer,
Antwort/Answer/Antworten; the German export writes `Nr.` and `Antwort`), in the first
rows of the "Fragen" sheet (or the first sheet).
Rows that cannot be read are reported by row number; everything else is kept.

The text comes back exactly as the export wrote it: the one guarding apostrophe the export
put before `=`, `+`, `-`, `@`, tab, CR or `'` is removed, an answer continued in
`answer_part_2`, `answer_part_3`, … is joined, and nothing else is touched (no trimming).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.etree.ElementTree import ParseError

from moderator.export.tabular import (
    ANSWER_PART,
    GERMAN_ANSWER_PART,
    SHEET_QUESTIONS,
    unneutralize_cell,
)

ID_ALIASES = frozenset({"id", "nr", "nr.", "nummer", "group_id", "frage-id", "frage_id"})
ANSWER_ALIASES = frozenset({"answer", "answers", "antwort", "antworten"})
HEADER_SEARCH_ROWS = 20


#: What `import-answers` says about a file, German and English.
ANSWER_TEXT: dict[str, dict[str, str]] = {
    "de": {
        "cannot_read": "{path}: Datei nicht lesbar: {reason}",
        "bad_csv": "{path}: keine lesbare CSV-Datei: {reason}",
        "bad_xlsx": "{path}: keine lesbare XLSX-Datei: {reason}",
        "no_header": "{path}: keine Kopfzeile mit einer Nummernspalte (Nr., id) und einer "
        "Antwortspalte (Antwort, answer) in den ersten {rows} Zeilen",
        "no_id": "{file}, Zeile {row}: Antwort ohne Nummer",
        "bad_id": "{file}, Zeile {row}: Nummer {id} ist keine Zahl",
        "second": "{file}, Zeile {row}: Nummer {id} hat eine zweite, andere Antwort "
        "(die erste bleibt)",
    },
    "en": {
        "cannot_read": "{path}: cannot read file: {reason}",
        "bad_csv": "{path}: not a readable CSV file: {reason}",
        "bad_xlsx": "{path}: not a readable XLSX file: {reason}",
        "no_header": "{path}: no header row with an id column (id, ID, Nr) and an answer "
        "column (answer, Antwort) in the first {rows} rows",
        "no_id": "{file}, row {row}: answer without an id",
        "bad_id": "{file}, row {row}: id {id} is not a number",
        "second": "{file}, row {row}: id {id} has a second, different answer "
        "(the first one is kept)",
    },
}


class AnswerFileError(ValueError):
    """The file as a whole cannot be used (unreadable, no id/answer columns)."""


def _header_key(value: object) -> str:
    return str(value or "").strip().lstrip("\ufeff").strip().lower()


_unneutralize = unneutralize_cell
_ANSWER_PART = re.compile(
    "|".join(
        re.escape(part.lower()).replace(r"\{n\}", r"(\d+)")
        for part in (ANSWER_PART, GERMAN_ANSWER_PART)
    )
)


def _part_number(key: str) -> int | None:
    """2 for "answer_part_2" or "Antwort Teil 2" (lowercased), else None."""
    match = _ANSWER_PART.fullmatch(key)
    if match is None:
        return None
    return int(next(g for g in match.groups() if g is not None))


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # German Excel's "CSV (Trennzeichen-getrennt)" writes Windows-1252.
        return raw.decode("cp1252", errors="replace")


def _csv_rows(path: Path, words: dict[str, str]) -> Iterator[list[object]]:
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise AnswerFileError(words["cannot_read"].format(path=path, reason=exc)) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise AnswerFileError(words["bad_csv"].format(path=path, reason=exc)) from exc


def _xlsx_rows(path: Path, words: dict[str, str]) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile/openpyxl raise many kinds for a broken file
        raise AnswerFileError(words["bad_xlsx"].format(path=path, reason=exc)) from exc
    try:
        names = workbook.sheetnames
        sheet = workbook[SHEET_QUESTIONS] if SHEET_QUESTIONS in names else workbook[names[0]]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    except ParseError as exc:  # the sheet's XML is read while iterating: entity bombs, XXE
        reason = f"XML: {exc}"
        raise AnswerFileError(words["bad_xlsx"].format(path=path, reason=reason)) from None
    finally:
        workbook.close()


def _find_columns(
    rows: Iterator[list[object]], path: Path, words: dict[str, str]
) -> tuple[int, int, list[int]]:
    """Locate the header row; returns (header row number, id column, answer columns: the
    answer first, then its continuations in order)."""
    for number, row in enumerate(rows, start=1):
        keys = [_header_key(value) for value in row]
        id_col = next((i for i, k in enumerate(keys) if k in ID_ALIASES), None)
        answer_col = next((i for i, k in enumerate(keys) if k in ANSWER_ALIASES), None)
        if id_col is not None and answer_col is not None:
            parts = sorted((n, i) for i, k in enumerate(keys) if (n := _part_number(k)) is not None)
            return number, id_col, [answer_col, *(i for _, i in parts)]
        if number >= HEADER_SEARCH_ROWS:
            break
    raise AnswerFileError(words["no_header"].format(path=path, rows=HEADER_SEARCH_ROWS))


def _parse_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _unneutralize(str(value).strip()).lstrip("'").strip()
    if text.startswith("#"):
        text = text[1:]
    # Excel may turn 12 into "12.0" (or "12,0" in German locale) when it re-saves a CSV.
    text = re.sub(r"[.,]0+$", "", text)
    return int(text) if text.isdecimal() and text.isascii() else None


def _cell_text(value: object) -> str:
    return "" if value is None else _unneutralize(str(value))


def _collect(
    rows: Iterable[list[object]],
    start: int,
    id_col: int,
    answer_cols: list[int],
    path: Path,
    words: dict[str, str],
) -> tuple[dict[int, str], list[str]]:
    answers: dict[int, str] = {}
    problems: list[str] = []
    for number, row in enumerate(rows, start=start):
        raw_id = row[id_col] if id_col < len(row) else None
        answer = "".join(_cell_text(row[col]) for col in answer_cols if col < len(row))
        if not answer.strip():
            answer = ""  # only blanks: no answer yet
        if raw_id is None or str(raw_id).strip() == "":
            if answer:
                problems.append(words["no_id"].format(file=path.name, row=number))
            continue
        group_id = _parse_id(raw_id)
        if group_id is None:
            problems.append(
                words["bad_id"].format(file=path.name, row=number, id=repr(str(raw_id)))
            )
            continue
        if not answer:
            continue
        if group_id in answers and answers[group_id] != answer:
            problems.append(words["second"].format(file=path.name, row=number, id=group_id))
            continue
        answers[group_id] = answer
    return answers, problems


def read_answers(path: Path, language: str = "en") -> tuple[dict[int, str], list[str]]:
    """Answers by group id from a filled-in CSV/XLSX, plus problems naming file and row.

    Empty answers are skipped (not an answer yet). Raises `AnswerFileError` when the file
    cannot be read at all or has no id/answer columns.
    """
    path = Path(path)
    is_xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    words = ANSWER_TEXT["de" if language == "de" else "en"]
    rows = _xlsx_rows(path, words) if is_xlsx else _csv_rows(path, words)
    header_row, id_col, answer_cols = _find_columns(rows, path, words)
    return _collect(rows, header_row + 1, id_col, answer_cols, path, words)
