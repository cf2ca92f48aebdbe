"""`export --format csv|xlsx` and `import-answers` give back every answer as it was.

Real files through the real database (SQLite file and PostgreSQL): answers over Excel's
32,767-character cell limit, text the formula guard touches, leading apostrophes, emoji
(two UTF-16 units each, which is how Excel counts), whitespace and line breaks.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from moderator.export.tabular import EXCEL_CELL_LIMIT
from moderator.services import EventService
from moderator.services.exporting import export_to, import_answers_file
from tests.factories import msg

LONG = ("Die Stadt prüft das „genau“. " * 2000)[:50_000] + "Ende."
ANSWERS = (
    LONG,
    "😀" * 20_000 + " Smileys zählen in Excel doppelt.",
    "x" * (2 * EXCEL_CELL_LIMIT + 5),
    "'=SUMME(A1) bleibt Text mit Apostroph",
    "=1+1 ist zwei",
    "'' zwei Apostrophe",
    "'ein Apostroph",
    "+49 631 365-0 ist die Zentrale",
    "-- Gedankenstrich am Anfang",
    "@Team bitte prüfen",
    "  Einrückung und Leerzeilen am Ende\n\n",
    "Zeile eins\nZeile zwei",
    "Normale Antwort.",
)


def _service_with_answers(service: EventService) -> dict[int, str]:
    summary = service.import_messages(
        [msg(i, f"Frage Nummer {i} zur Smart City?") for i in range(len(ANSWERS))]
    )
    expected = dict(zip(summary.group_ids, ANSWERS, strict=True))
    for group_id, answer in expected.items():
        service.set_answer(group_id, answer)
    return expected


def _clear_answers(service: EventService, ids) -> None:
    for group_id in ids:
        service.set_answer(group_id, "")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_answers_round_trip_losslessly(service: EventService, tmp_path: Path, fmt: str) -> None:
    expected = _service_with_answers(service)
    path = tmp_path / f"alles.{fmt}"
    path.write_bytes(export_to(service, fmt=fmt, status="all"))

    # Imported into a database that lost them (or another copy of the event) ...
    _clear_answers(service, expected)
    updated, problems = import_answers_file(service, path)
    assert problems == []
    assert sorted(updated) == sorted(expected)
    stored = {g.id: g.answer for g in service.groups()}
    for group_id, answer in expected.items():
        assert stored[group_id] == answer, (group_id, len(stored[group_id]), len(answer))

    # ... and into the same database: nothing changed, nothing stored.
    updated, problems = import_answers_file(service, path)
    assert (updated, problems) == ([], [])


def test_xlsx_cells_stay_within_excels_limit(service: EventService, tmp_path: Path) -> None:
    _service_with_answers(service)
    path = tmp_path / "alles.xlsx"
    path.write_bytes(export_to(service, fmt="xlsx", status="all"))
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert len(value.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT
    header = [c.value for c in book["Fragen"][1]]
    assert header[-2:] == ["Antwort Teil 2", "Antwort Teil 3"]  # the default event is German


def test_unchanged_answer_with_control_characters_stays_as_stored(
    service: EventService, tmp_path: Path
) -> None:
    """The export shows an ESC as ␛ and a CR is lost inside XLSX: an answer the team did
    not touch must not come back changed."""
    [group_id] = service.import_messages([msg(1, "Frage mit Steuerzeichen?")]).group_ids
    answer = "Farbe \x1b[31mrot\x1b[0m\r\nZweite Zeile"
    service.set_answer(group_id, answer)
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"a.{fmt}"
        path.write_bytes(export_to(service, fmt=fmt, status="all"))
        assert import_answers_file(service, path) == ([], [])
        assert service.group(group_id).answer == answer
