"""Zoom chat files: three layouts, English and German, DMs, replies, reactions."""

from datetime import date, datetime
from pathlib import Path

import pytest

from moderator.domain.models import Channel, Kind
from moderator.ingest import zoom
from moderator.ingest.base import UnknownFormatError

DATA = Path(__file__).parent / "data" / "chat"
DAY = date(2025, 3, 4)


def by_author(result, author):
    return [m for m in result.messages if m.author == author]


def test_current_layout_english():
    result = zoom.parse(DATA / "zoom_en_meeting_saved_chat.txt", day=DAY)
    assert result.format == "zoom"
    assert result.problems == []
    assert len(result.messages) == 10
    first = result.messages[2]
    assert first.author == "Jonas Weber"
    assert first.text == (
        "Wird es eine Liste der Händler geben, die bei der Lokalen Logistik mitmachen?\n"
        "Ich habe selbst einen Laden in der Innenstadt."
    )
    assert first.received_at == datetime(2025, 3, 4, 18, 4, 40)
    assert first.channel is Channel.CHAT
    assert first.source_line == 5
    assert all(m.source_name == "zoom_en_meeting_saved_chat.txt" for m in result.messages)


def test_name_containing_to_and_url_with_question_mark():
    result = zoom.parse(DATA / "zoom_en_meeting_saved_chat.txt", day=DAY)
    [verein] = by_author(result, "Meet to Greet Verein")
    assert verein.text.endswith("https://www.kaiserslautern.de/suche?q=smart+city&lang=de")


def test_direct_message_is_private():
    result = zoom.parse(DATA / "zoom_en_meeting_saved_chat.txt", day=DAY)
    [dm] = by_author(result, "Miriam Schäfer")
    assert dm.private is True
    assert not any(m.private for m in result.messages if m is not dm)


def test_reaction_is_vote_for_quoted_message_and_removal_is_chatter():
    result = zoom.parse(DATA / "zoom_en_meeting_saved_chat.txt", day=DAY)
    question = result.messages[2]
    reaction, removal = by_author(result, "Petra Kühn")[1:]
    assert reaction.kind_hint is Kind.VOTE
    assert reaction.reply_to_key == question.source_key
    assert removal.kind_hint is Kind.CHATTER
    assert removal.reply_to_key == question.source_key


def test_reply_links_to_parent_and_keeps_reply_text():
    result = zoom.parse(DATA / "zoom_en_meeting_saved_chat.txt", day=DAY)
    question = result.messages[2]
    reply = by_author(result, "Karl-Heinz Becker")[0]
    assert reply.reply_to_key == question.source_key
    assert reply.text == "Das würde mich auch interessieren"
    assert reply.original.startswith('Replying to "Wird es eine Liste d..."')
    # Reply on the same line, snippet containing typographic quotes.
    same_line = by_author(result, "Jonas Weber")[-1]
    assert same_line.text == "Gute Frage, das frage ich mich auch"
    assert same_line.reply_to_key == by_author(result, "Anna Roth")[0].source_key


def test_german_keywords_name_with_an_dm_reply_and_midnight():
    result = zoom.parse(DATA / "zoom_de_meeting_saved_chat.txt", day=DAY)
    assert result.format == "zoom"
    authors = [m.author for m in result.messages]
    assert authors == [
        "Stadtwerke an der Lauter",
        "Petra Kühn",
        "Jonas Weber",
        "Anna Roth",
        "Karl-Heinz Becker",
    ]
    first, _, dm, reply, reaction = result.messages
    assert first.received_at == datetime(2025, 3, 4, 23, 58, 30)
    assert dm.received_at == datetime(2025, 3, 5, 0, 0, 45)
    assert dm.private is True
    assert reply.reply_to_key == first.source_key
    assert reply.text == "+1"
    assert reaction.kind_hint is Kind.VOTE
    assert reaction.reply_to_key == first.source_key


def test_old_one_line_layout():
    result = zoom.parse(DATA / "zoom_old_chat.txt", day=DAY)
    assert result.format == "zoom-old"
    assert [m.author for m in result.messages] == [
        "Petra Kühn",
        "Jonas Weber",
        "Miriam Schäfer",
        "Stadtwerke an der Lauter",
    ]
    assert result.messages[1].text == "Wann startet der Dritte Ort?\nGibt es schon einen Zeitplan?"
    assert result.messages[2].private is True
    assert result.messages[3].text == "Wer betreibt die Ladesäulen: die Stadt oder die SWK?"
    german = zoom.parse(DATA / "zoom_old_de_chat.txt", day=DAY)
    assert [m.author for m in german.messages] == ["Petra Kühn", "Stadtwerke an der Lauter"]


def test_cloud_layout_offsets_from_start():
    start = datetime(2025, 3, 4, 18, 0)
    result = zoom.parse(DATA / "zoom_cloud_chat.txt", start=start)
    assert result.format == "zoom-cloud"
    assert [m.received_at for m in result.messages] == [
        datetime(2025, 3, 4, 18, 2, 11),
        datetime(2025, 3, 4, 18, 4, 40),
        datetime(2025, 3, 4, 18, 5, 10),
    ]
    assert result.messages[2].text == "Wann startet der Dritte Ort?\nGibt es schon einen Zeitplan?"
    without_start = zoom.parse(DATA / "zoom_cloud_chat.txt")
    assert all(m.received_at is None for m in without_start.messages)


def test_day_from_folder_name(tmp_path):
    folder = tmp_path / "2025-03-04 18.00.12 Smart Cities Webinar"
    folder.mkdir()
    path = folder / "meeting_saved_chat.txt"
    path.write_text("18:02:11 From  Petra Kühn  to  Everyone:\n\tHallo\n", encoding="utf-8")
    [message] = zoom.parse(path).messages
    assert message.received_at == datetime(2025, 3, 4, 18, 2, 11)


def test_text_that_is_not_zoom_is_refused():
    with pytest.raises(UnknownFormatError, match=r"notes\.txt"):
        zoom.parse("Einkaufsliste\nMilch\n", source_name="notes.txt")


def test_truncated_header_is_reported_with_line():
    text = "18:02:11 From  Petra Kühn  to  Everyone:\n\tHallo\n18:03:00 From  Jonas We"
    result = zoom.parse(text, source_name="chat.txt", day=DAY)
    assert [m.text for m in result.messages] == ["Hallo\n18:03:00 From  Jonas We"]
    assert [str(p) for p in result.problems] == [
        "chat.txt:3: incomplete message header (no ':'), kept as text"
    ]


def test_keys_are_stable_for_a_growing_file_and_repeated_messages():
    head = (
        "18:02:11 From  Petra Kühn  to  Everyone:\n\t+1\n"
        "18:02:11 From  Petra Kühn  to  Everyone:\n\t+1\n"
    )
    grown = head + "18:05:00 From  Jonas Weber  to  Everyone:\n\tWann geht es weiter?\n"
    first = zoom.parse(head, source_name="meeting_saved_chat.txt", day=DAY)
    second = zoom.parse(grown, source_name="meeting_saved_chat.txt", day=DAY)
    keys = [m.source_key for m in first.messages]
    assert len(set(keys)) == 2
    assert [m.source_key for m in second.messages][:2] == keys
    assert keys[0].startswith("zoom:meeting_saved_chat.txt:")
