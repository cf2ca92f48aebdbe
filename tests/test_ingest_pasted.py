"""Pasted `Name: text` chat and plain question lists."""

from datetime import date, datetime
from pathlib import Path

from moderator.domain.models import Channel
from moderator.ingest import pasted

DATA = Path(__file__).parent / "data" / "chat"


def test_pasted_chat_with_and_without_times():
    result = pasted.parse(DATA / "pasted_jitsi.txt", day=date(2025, 3, 4))
    assert result.format == "pasted"
    assert [(m.author, m.received_at) for m in result.messages] == [
        ("Petra Kühn", None),
        ("Jonas Weber", None),
        ("Anna Roth", datetime(2025, 3, 4, 18, 5)),
        ("Karl-Heinz Becker", datetime(2025, 3, 4, 18, 6, 30)),
    ]
    assert result.messages[1].text == "Wann startet der Dritte Ort?\nGibt es schon einen Zeitplan?"
    # "Frage:" is a label, not a name: it stays in the text.
    assert result.messages[3].text == "Frage: Wer zahlt die Paketstationen?"
    assert all(m.channel is Channel.CHAT for m in result.messages)


def test_pasted_leading_text_is_reported():
    result = pasted.parse("Kopiert aus Teams\nAnna: Hallo\n", source_name="teams.txt")
    assert [m.author for m in result.messages] == ["Anna"]
    assert [str(p) for p in result.problems] == [
        "teams.txt:1: line before the first 'Name: text' line ignored"
    ]


def test_lines_one_question_per_line_with_list_markers():
    result = pasted.parse_lines(DATA / "telefonfragen.txt")
    assert result.format == "lines"
    texts = [m.text for m in result.messages]
    assert texts == [
        "Wie komme ich als Rentnerin ohne Smartphone an die Informationen?",
        "Gibt es die Paketstationen auch in Siegelbach?",
        "Wann werden die Stadtratssitzungen gestreamt?",
        "Wie komme ich als Rentnerin ohne Smartphone an die Informationen?",
    ]
    assert result.messages[0].original.startswith("- ")
    assert all(m.channel is Channel.IMPORT and m.author is None for m in result.messages)
    keys = [m.source_key for m in result.messages]
    assert len(set(keys)) == 4  # the repeated question is a second occurrence
    assert [m.source_line for m in result.messages] == [1, 2, 3, 5]
