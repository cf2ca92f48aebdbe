"""CSV and XLSX question lists, including Zoom's webinar Q&A report."""

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from moderator.domain.models import Channel, Kind
from moderator.ingest import spreadsheet
from moderator.ingest.base import UnknownFormatError

DATA = Path(__file__).parent / "data" / "chat"


def test_german_excel_csv_with_bom_semicolons_and_quoted_newlines():
    result = spreadsheet.parse(DATA / "fragen_excel.csv")
    assert result.format == "csv"
    assert result.problems == []
    first, second, third = result.messages
    assert first.text == "Wann kommen die Paketstationen; und wo?"
    assert first.author == "Petra Kühn"
    assert first.author_email == "petra@example.org"
    assert first.received_at == datetime(2025, 3, 4, 18, 5)
    assert first.channel is Channel.IMPORT and first.kind_hint is Kind.QUESTION
    assert result.extra[first.source_key].votes == 3
    assert result.extra[first.source_key].labels == ("Lokale Logistik",)
    assert second.author is None  # "Anonym"
    assert second.text == "Was kostet das?\nUnd wer zahlt?"
    assert result.extra[second.source_key].answer == "Das Land zahlt 65 %."
    assert result.extra[second.source_key].labels == ("Allgemeine Fragen", "Finanzen")
    assert third.text == '=HYPERLINK("http://evil.example","klick")'


def test_zoom_webinar_qa_report_with_meta_rows():
    result = spreadsheet.parse(DATA / "zoom_webinar_qa_report.csv")
    assert [m.text for m in result.messages] == [
        "Wird es eine Liste der Händler geben?",
        "Ist die Datenplattform Open Source?",
        "Wann startet der Dritte Ort?",
    ]
    assert [m.author for m in result.messages] == ["Jonas Weber", None, "Anna Roth"]
    assert result.messages[0].author_email == "jonas@example.org"
    assert result.extra[result.messages[0].source_key].answer == "live answered"
    assert [m.source_line for m in result.messages] == [7, 8, 9]


def _write_xlsx(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Slido export"])
    sheet.append(["Event: Modellprojekt Smart Cities"])
    sheet.append([])
    sheet.append(["Frage", "Autor", "Upvotes", "Erstellt am", "Tags"])
    sheet.append(
        [
            "Wer betreibt die Urbane Datenplattform?",
            "Anna Roth",
            5,
            datetime(2025, 3, 4, 18, 12),
            "Urbane Datenplattform",
        ]
    )
    sheet.append(["[bold]Ist das <script>alert(1)</script> sicher?[/bold]", None, 0, None, None])
    sheet.append(['=HYPERLINK("http://x")', "Jonas", None, "18:30", None])
    sheet.append([None, "nur ein Name", None, None, None])
    workbook.save(path)


def test_xlsx_header_after_meta_rows(tmp_path):
    path = tmp_path / "slido.xlsx"
    _write_xlsx(path)
    result = spreadsheet.parse(path, day=date(2025, 3, 4))
    assert result.format == "xlsx"
    first, second, third = result.messages
    assert first.author == "Anna Roth"
    assert first.received_at == datetime(2025, 3, 4, 18, 12)
    assert result.extra[first.source_key].votes == 5
    assert result.extra[first.source_key].labels == ("Urbane Datenplattform",)
    assert second.text == "[bold]Ist das <script>alert(1)</script> sicher?[/bold]"
    assert third.text == '=HYPERLINK("http://x")'
    assert third.received_at == datetime(2025, 3, 4, 18, 30)
    assert [str(p) for p in result.problems] == ["slido.xlsx:8: row without a question skipped"]


def test_aliases_can_be_extended(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text("Anliegen der Bürger,Wer\nMehr Bänke am Stiftsplatz?,Ute\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError, match=r"liste\.csv"):
        spreadsheet.parse(path)
    result = spreadsheet.parse(path, aliases={"text": ["Anliegen der Bürger"], "author": ["Wer"]})
    assert [(m.text, m.author) for m in result.messages] == [("Mehr Bänke am Stiftsplatz?", "Ute")]


def test_cp1252_csv_is_decoded_and_noted(tmp_path):
    path = tmp_path / "alt.csv"
    path.write_bytes("Frage;Name\r\nWas kostet die Straßenlaterne?;Jürgen\r\n".encode("cp1252"))
    result = spreadsheet.parse(path)
    assert [(m.text, m.author) for m in result.messages] == [
        ("Was kostet die Straßenlaterne?", "Jürgen")
    ]
    assert [str(p) for p in result.problems] == [
        "alt.csv: not UTF-8; decoded as Windows-1252 (cp1252)"
    ]


def test_broken_xlsx_is_a_clear_error(tmp_path):
    path = tmp_path / "kaputt.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(UnknownFormatError, match=r"kaputt\.xlsx"):
        spreadsheet.parse(path)
