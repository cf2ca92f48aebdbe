"""BigBlueButton public-chat exports."""

from datetime import date, datetime
from pathlib import Path

import pytest

from moderator.domain.models import Kind
from moderator.ingest import bbb
from moderator.ingest.base import UnknownFormatError

DATA = Path(__file__).parent / "data" / "chat"
V2 = DATA / "bbb-Smart Cities[public-chat]_2025-03-04_19-45.txt"
V3 = DATA / "bbb-Smart Cities[public-chat]_2025-3-5_0-30.txt"


def test_bbb2_system_multiline_and_poll():
    result = bbb.parse(V2)
    assert result.format == "bbb"
    assert result.problems == []
    welcome, petra, jonas, anna, poll, miriam = result.messages
    assert welcome.author is None and welcome.kind_hint is Kind.CHATTER
    assert petra.author == "Petra Kühn" and petra.kind_hint is None
    assert petra.received_at == datetime(2025, 3, 4, 18, 3)
    assert jonas.text == "Wann startet der Dritte Ort?\nGibt es schon einen Zeitplan?"
    assert poll.author is None and poll.kind_hint is Kind.CHATTER
    assert poll.text == "Poll results\nJa: 12 | 60%\nNein: 8 | 40%"
    assert miriam.author == "Dr. Miriam Schäfer"
    assert miriam.text.endswith("https://example.org/a?b=1")
    assert anna.source_line == 5


def test_bbb3_roles_system_lines_and_export_after_midnight():
    result = bbb.parse(V3)
    system1, system2, petra, moderator, jonas, stadtwerke = result.messages
    assert system1.author is None and system1.kind_hint is Kind.CHATTER
    assert system2.text == "Die Sitzung wird aufgezeichnet."
    assert petra.author == "Petra Kühn"
    # The file was exported on 2025-03-05 at 00:30, so the chat began on the 4th.
    assert petra.received_at == datetime(2025, 3, 4, 23, 58)
    assert jonas.received_at == datetime(2025, 3, 5, 0, 1)
    assert jonas.text == "Gibt es die Präsentation später?\nUnd die Aufzeichnung?"
    assert moderator.author == "Moderation KL"
    assert stadtwerke.author == "Stadtwerke an der Lauter"
    assert stadtwerke.text == "Frage zu Ladesäulen: wer zahlt?"


def test_explicit_day_wins():
    result = bbb.parse(V2, day=date(2024, 1, 2))
    assert result.messages[1].received_at == datetime(2024, 1, 2, 18, 3)


def test_not_bbb_is_refused():
    with pytest.raises(UnknownFormatError, match=r"x\.txt"):
        bbb.parse("Hallo\nWelt\n", source_name="x.txt")
