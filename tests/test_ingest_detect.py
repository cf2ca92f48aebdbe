"""Format detection and robustness against broken, odd and huge input."""

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from moderator.ingest.base import UnknownFormatError, read_text
from moderator.ingest.detect import FORMATS, parse_file

DATA = Path(__file__).parent / "data" / "chat"
DAY = date(2025, 3, 4)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zoom_en_meeting_saved_chat.txt", "zoom"),
        ("zoom_de_meeting_saved_chat.txt", "zoom"),
        ("zoom_old_chat.txt", "zoom-old"),
        ("zoom_old_de_chat.txt", "zoom-old"),
        ("zoom_cloud_chat.txt", "zoom-cloud"),
        ("bbb-Smart Cities[public-chat]_2025-03-04_19-45.txt", "bbb"),
        ("bbb-Smart Cities[public-chat]_2025-3-5_0-30.txt", "bbb"),
        ("pasted_jitsi.txt", "pasted"),
        ("telefonfragen.txt", "lines"),
        ("fragen_excel.csv", "csv"),
        ("zoom_webinar_qa_report.csv", "csv"),
    ],
)
def test_detects_every_fixture(name, expected):
    result = parse_file(DATA / name, day=DAY)
    assert result.format == expected
    assert result.messages


def test_detects_xlsx(tmp_path):
    path = tmp_path / "fragen.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Question", "Asker Name"])
    workbook.active.append(["Wann kommt 5G?", "Anna"])
    workbook.save(path)
    assert parse_file(path).format == "xlsx"


def test_format_can_be_forced_and_unknown_names_are_refused():
    result = parse_file(DATA / "pasted_jitsi.txt", format="lines")
    assert result.format == "lines" and len(result.messages) == 5
    with pytest.raises(UnknownFormatError, match="choose one of"):
        parse_file(DATA / "pasted_jitsi.txt", format="teams")
    assert {"zoom", "zoom-old", "zoom-cloud", "bbb", "pasted", "lines", "csv", "xlsx"} <= set(
        FORMATS
    )


def test_binary_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "foto.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(UnknownFormatError, match=r"foto.txt: binary file"):
        parse_file(path)
    with pytest.raises(UnknownFormatError, match=r"foto.txt: binary file"):
        read_text(path)


def test_empty_file_gives_a_problem_not_an_error(tmp_path):
    path = tmp_path / "leer.txt"
    path.write_bytes(b"\xef\xbb\xbf\r\n")
    result = parse_file(path)
    assert result.messages == []
    assert [str(p) for p in result.problems] == ["leer.txt: empty file"]


def test_unknown_text_format_is_refused(tmp_path):
    path = tmp_path / "daten.json"
    path.write_text('{"fragen": []}', encoding="utf-8")
    with pytest.raises(UnknownFormatError, match=r"daten\.json: unknown format"):
        parse_file(path)


def test_missing_file():
    with pytest.raises(FileNotFoundError, match=r"nirgends\.txt"):
        parse_file(Path("/nonexistent/nirgends.txt"))


def test_bom_crlf_and_line_separator(tmp_path):
    text = (
        "18:02:11 From  Petra Kühn  to  Everyone:\r\n\tErste Zeile\u2028zweite Zeile\r\n"
        "18:03:00 From  Jonas Weber  to  Everyone:\r\n\tWann startet der Dritte Ort?\r\n"
    )
    path = tmp_path / "meeting_saved_chat.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = parse_file(path, day=DAY)
    assert result.format == "zoom"
    assert [m.text for m in result.messages] == [
        "Erste Zeile\nzweite Zeile",
        "Wann startet der Dritte Ort?",
    ]
    assert result.messages[0].author == "Petra Kühn"


def test_undecodable_byte_is_reported_and_the_rest_kept(tmp_path):
    path = tmp_path / "meeting_saved_chat.txt"
    path.write_bytes(
        "18:02:11 From  Petra Kühn  to  Everyone:\n\tGrüße\n".encode()
        + b"18:03:00 From  Jonas Weber  to  Everyone:\n\tKaputt \xff\xfe hier\n"
        + b"18:04:00 From  Anna Roth  to  Everyone:\n\tWann \xe2\x82"  # truncated UTF-8
    )
    result = parse_file(path, day=DAY)
    assert [m.author for m in result.messages] == ["Petra Kühn", "Jonas Weber", "Anna Roth"]
    assert result.messages[1].text == "Kaputt \ufffd\ufffd hier"
    assert result.messages[2].text == "Wann \ufffd"
    assert [str(p) for p in result.problems] == [
        "meeting_saved_chat.txt:4: invalid UTF-8 bytes replaced by \ufffd",
        "meeting_saved_chat.txt:6: invalid UTF-8 bytes replaced by \ufffd",
    ]


def test_markup_and_escape_codes_are_kept_literally(tmp_path):
    lines = ["[bold]fett[/bold]", "<script>alert(1)</script>", "\x1b[2J weg?", '=HYPERLINK("x")']
    text = "".join(
        f"18:0{i}:00 From  Anna  to  Everyone:\n\t{line}\n" for i, line in enumerate(lines)
    )
    path = tmp_path / "meeting_saved_chat.txt"
    path.write_text(text, encoding="utf-8")
    result = parse_file(path, day=DAY)
    assert [m.text for m in result.messages] == lines


def test_ten_megabyte_message_is_kept_with_a_note(tmp_path):
    huge = "Wie " + "sehr " * 2_000_000 + "lang?"
    path = tmp_path / "meeting_saved_chat.txt"
    path.write_text(
        f"18:02:11 From  Anna Roth  to  Everyone:\n\t{huge}\n"
        "18:03:00 From  Jonas Weber  to  Everyone:\n\tHallo\n",
        encoding="utf-8",
    )
    result = parse_file(path, day=DAY)
    assert result.messages[0].text == huge
    assert result.messages[1].text == "Hallo"
    assert len(result.problems) == 1
    assert "very long message" in str(result.problems[0])


def test_grown_file_keeps_old_keys(tmp_path):
    path = tmp_path / "bbb-Smart Cities[public-chat]_2025-03-04_19-45.txt"
    original = (DATA / "bbb-Smart Cities[public-chat]_2025-03-04_19-45.txt").read_text("utf-8")
    path.write_text(original, encoding="utf-8")
    before = [m.source_key for m in parse_file(path).messages]
    path.write_text(original + "[19:40] Petra Kühn: Danke und tschüss!\n", encoding="utf-8")
    after = [m.source_key for m in parse_file(path).messages]
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    assert parse_file(path) == parse_file(path)


def test_folder_scan_skips_named_pipes_instead_of_waiting_on_them(tmp_path: Path) -> None:
    """Found by scripts/probe_hostile.py: a named pipe in a folder made `moderator import
    FOLDER` wait forever (reading it blocks until someone writes). Only regular files are
    read from a folder; a pipe, socket or device is named as skipped. (A pipe given by name,
    e.g. `import <(zcat chat.txt.gz)`, is still read.)"""
    import os
    import threading

    from moderator.ingest.detect import scan_folder

    (tmp_path / "fragen.txt").write_text("Wann kommt der Bus?\n", "utf-8")
    pipes = [tmp_path / "chat.txt", tmp_path / "anfrage.eml"]
    for pipe in pipes:
        os.mkfifo(pipe)

        def feed(pipe: Path = pipe) -> None:  # so that an unfixed scan fails, not hangs
            with pipe.open("w", encoding="utf-8") as writer:
                writer.write("Wann kommt die Bahn?\n")

        threading.Thread(target=feed, daemon=True).start()
    scan = scan_folder(tmp_path)
    assert [item.paths for item in scan.items] == [[tmp_path / "fragen.txt"]]
    reasons = dict(scan.skipped)
    assert set(reasons) == set(pipes)
    assert all("not a regular file" in reason for reason in reasons.values()), reasons
