"""Issue 16, items 3 and 4: NUL characters and over-long labels behave the same on SQLite
and PostgreSQL. Real mail and chat files, imported through the real parsers into both."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator.config import load_default_config
from moderator.domain.fit import (
    AUTHOR_MAX,
    ESCAPED_ORIGINAL,
    MODERATOR_MAX,
    SOURCE_KEY_MAX,
    escape_original,
    raw_original,
)
from moderator.domain.models import Channel
from moderator.services import EventService, open_event
from moderator.services.exporting import import_answers_file
from moderator.services.ingesting import FileFollower, import_paths
from moderator.storage.db import Database
from tests.factories import msg


def mail(sender: str, message_id: str, body: str, *, encoding: str = "8bit") -> bytes:
    return (
        f"From: {sender}\r\nTo: events@example.org\r\nSubject: Frage zum Web-Seminar\r\n"
        f"Message-ID: <{message_id}>\r\nDate: Tue, 16 Jun 2020 22:03:44 +0200\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n{body}\r\n"
    ).encode()


NUL_MAIL = mail(
    "Anna Beispiel <anna@example.de>",
    "nul-1@example.de",
    "Wann kommt die=00 Lades=C3=A4ule an den Stiftsplatz?",
    encoding="quoted-printable",
)


def utf16_chat(path: Path) -> Path:
    chat = (
        "18:00:12 From  Jonas\x00 Weber  to  Everyone:\n"
        "\tWann kommt das\x00 WLAN in die Innenstadt?\n"
        "18:01:00 From  Petra Kühn  to  Everyone:\n"
        "\tWer betreibt die Datenplattform?\n"
    )
    path.write_bytes(b"\xff\xfe" + chat.encode("utf-16-le"))
    return path


def test_nul_in_a_mail_and_a_utf16_chat_is_removed_and_the_original_kept(
    service: EventService, tmp_path: Path
) -> None:
    eml = tmp_path / "frage.eml"
    eml.write_bytes(NUL_MAIL)
    chat = utf16_chat(tmp_path / "meeting_saved_chat.txt")
    summaries = import_paths(service, [eml, chat])
    assert [s.new for s in summaries] == [1, 2], [s.skipped for s in summaries]
    assert any("NUL" in note for note in summaries[0].notes)
    assert any("NUL" in note for note in summaries[1].notes)
    assert not any("gekürzt" in note for s in summaries for note in s.notes)
    by_author = {m.author: m for m in service.messages()}
    anna = by_author["Anna Beispiel"]
    assert anna.text == "Wann kommt die Ladesäule an den Stiftsplatz?"
    assert "die\x00 Ladesäule" in raw_original(anna.original)
    assert "\x00" not in anna.original
    jonas = by_author["Jonas Weber"]
    assert jonas.text == "Wann kommt das WLAN in die Innenstadt?"
    assert "das\x00 WLAN" in raw_original(jonas.original)
    assert all("\x00" not in g.title for g in service.groups())
    # Importing again adds nothing: the keys are the same as the first time.
    again = import_paths(service, [eml, chat])
    assert [s.new for s in again] == [0, 0]


def test_watch_on_a_maildir_with_a_nul_mail_imports_every_mail(
    service: EventService, tmp_path: Path
) -> None:
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host:2,").write_bytes(NUL_MAIL)
    (maildir / "new" / "2.host:2,").write_bytes(
        mail("Bea <bea@example.de>", "ok-2@example.de", "Gibt es WLAN am Stiftsplatz?")
    )
    follower = FileFollower(service, maildir)
    follower.poll()  # the newest file may still be being written: held back once
    follower.poll()
    assert sorted(m.author for m in service.messages()) == ["Anna Beispiel", "Bea"]


def test_long_sender_name_and_message_id_fit_and_the_content_is_kept(
    service: EventService, tmp_path: Path
) -> None:
    long_name = "Bertha " * 60  # 420 characters
    long_id = "x" * 600 + "@example.de"
    (tmp_path / "name.eml").write_bytes(
        mail(f'"{long_name.strip()}" <b@example.de>', "name-1@example.de", "Wann kommt der Bus?")
    )
    (tmp_path / "id.eml").write_bytes(
        mail("Carl <c@example.de>", long_id, "Wie teuer ist die Datenplattform?")
    )
    (tmp_path / "id2.eml").write_bytes(  # the same long id but one character: not the same
        mail("Dora <d@example.de>", long_id[:-1] + "f", "Wer zahlt die Ladesäulen?")
    )
    paths = [tmp_path / "name.eml", tmp_path / "id.eml", tmp_path / "id2.eml"]
    summaries = import_paths(service, paths)
    assert [s.new for s in summaries] == [1, 1, 1], [s.skipped for s in summaries]
    # the notes are said in the (German) event's language
    assert any("Absendername gekürzt" in n for n in summaries[0].notes)
    assert any("Nachrichten-ID gekürzt" in n for n in summaries[1].notes)
    messages = {m.author_email: m for m in service.messages()}
    bertha = messages["b@example.de"]
    assert len(bertha.author) == AUTHOR_MAX and bertha.author.endswith("…")
    assert bertha.text == "Wann kommt der Bus?"
    keys = {messages["c@example.de"].source_key, messages["d@example.de"].source_key}
    assert len(keys) == 2 and all(len(k) <= SOURCE_KEY_MAX for k in keys)
    assert messages["c@example.de"].text == "Wie teuer ist die Datenplattform?"
    again = import_paths(service, paths)
    assert [s.new for s in again] == [0, 0, 0]
    assert [s.already_imported for s in again] == [1, 1, 1]


def test_a_watched_mailbox_says_its_notes_in_the_events_language(
    service: EventService,
) -> None:
    """What an IMAP follower imports goes through `import_with_state`: its notes (here a
    long sender name cut to fit) are said in the (German) event's language too."""
    long_name = "Bertha " * 60
    summary = service.import_with_state(
        [msg(1, "Wann kommt der Bus?", author=long_name.strip())],
        source="imap:example.org/INBOX",
        state={"uidvalidity": 1, "last_uid": 1},
    )
    assert summary.new == 1
    assert summary.notes and all(isinstance(note, str) for note in summary.notes)
    assert any("Absendername gekürzt" in note for note in summary.notes), summary.notes


def test_long_moderator_name_fits_the_action_log(database: Database) -> None:
    name = "Moderatorin " * 20  # 240 characters
    service = open_event(database, load_default_config(), moderator=name)
    group = service.add_manual("Wann kommt der Bus?", author="Anruferin " * 40)
    service.tag(group.id, "general")
    names = {a.moderator for a in service.history(limit=None)}
    assert names == {name[: MODERATOR_MAX - 1] + "…"}
    assert len(service.messages()[0].author) == AUTHOR_MAX


@pytest.mark.parametrize(
    "original",
    [
        "plain",
        "with\x00nul",
        ESCAPED_ORIGINAL + "looks escaped",
        'quotes " and \\ backslash\x00 and ü',
        "undecodable \udcff byte",
        "",
    ],
)
def test_escaped_original_round_trips(original: str) -> None:
    stored = escape_original(original)
    assert "\x00" not in stored
    assert not any("\ud800" <= c <= "\udfff" for c in stored)
    assert raw_original(stored) == original
    if original == "plain":
        assert stored == original


def test_manual_question_on_a_phone_channel_is_unchanged(service: EventService) -> None:
    group = service.add_manual("Gibt es einen Plan?", author="Anruf", channel=Channel.PHONE)
    (message,) = service.messages()
    assert message.original == "Gibt es einen Plan?" and group.title == "Gibt es einen Plan?"


# ----------------------------------------------------------------- found by the re-probe
# (scripts/probe_hostile.py): text that does not come from an import reached PostgreSQL
# unfitted. On SQLite it was stored, on PostgreSQL the whole write failed.


def test_nul_in_an_imported_answer_is_removed_on_both_backends(
    service: EventService, tmp_path: Path
) -> None:
    [first, second] = service.import_messages(
        [msg(1, "Wann kommt der Bus?"), msg(2, "Wer zahlt die Ladesäulen?")]
    ).group_ids
    answers = tmp_path / "antworten.csv"
    answers.write_bytes(
        f"id;answer\n{first};Im Herbst\x00, sagt die Stadt.\n{second};Der Bund.\n".encode()
    )
    updated, problems = import_answers_file(service, answers)
    assert (sorted(updated), problems) == (sorted([first, second]), [])
    stored = {g.id: g.answer for g in service.groups()}
    assert stored == {first: "Im Herbst, sagt die Stadt.", second: "Der Bund."}
    # The same file again changes nothing: the stored answer is what the file says.
    assert import_answers_file(service, answers) == ([], [])


def test_nul_in_a_typed_answer_or_wording_is_removed_on_both_backends(
    service: EventService,
) -> None:
    group = service.add_manual("Wann kommt der Bus?", author="Anruf")
    service.set_answer(group.id, "Im\x00 Herbst.")
    service.set_title(group.id, text="Wann\x00 kommt der Bus nach Morlautern?")
    stored = service.group(group.id)
    assert stored.answer == "Im Herbst."
    assert stored.title == "Wann kommt der Bus nach Morlautern?"
    service.keep_answer_draft(group.id, "Ent\x00wurf")  # Esc in the answer editor
    assert service.answer_draft(group.id) == "Entwurf"


def test_an_event_configuration_at_the_column_limits_is_stored_on_both_backends(
    database: Database,
) -> None:
    from moderator.config import parse_config

    text = (
        f'[event]\nslug = "{"s" * 200}"\ntitle = "{"T" * 500}"\n'
        f'[[projects]]\nkey = "{"k" * 100}"\nname = "{"N" * 300}"\nhotkey = "1"\n'
    )
    service = open_event(database, parse_config(text, source="cfg"), moderator="Anna")
    assert service.event.slug == "s" * 200 and service.event.title == "T" * 500
    assert service.projects[0].name == "N" * 300
