"""Mails that only organise, and one wording divided into several questions: the domain
rule, real .eml/mbox files through the importer, the service's divide and its undo (on
SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator.config import load_default_config
from moderator.domain.actions import changed_groups
from moderator.domain.dividing import DivideError, parts_from_lines, plan_divide, question_parts
from moderator.domain.models import Channel, Kind, QueueState
from moderator.ingest.mail import parse_eml, parse_mbox
from moderator.ingest.mail_clean import new_part, question_text
from moderator.services import ConflictError, EventService, ServiceError, open_event
from moderator.services.ingesting import import_paths
from tests.factories import msg

DATA = Path(__file__).parent / "data" / "mail"
S = QueueState


# -- the domain rule --------------------------------------------------------------------


def test_numbered_questions_are_parts_and_wrapped_lines_join_their_item() -> None:
    text = (
        "1. Wann werden die ersten Sensoren aufgestellt?\n"
        "2. Wer betreibt das LoRaWAN-Netz, die Stadtwerke oder die Stadt\n"
        "selbst?\n"
        "3. Wird die Beleuchtung nachts gedimmt?"
    )
    assert question_parts(text) == [
        "Wann werden die ersten Sensoren aufgestellt?",
        "Wer betreibt das LoRaWAN-Netz, die Stadtwerke oder die Stadt selbst?",
        "Wird die Beleuchtung nachts gedimmt?",
    ]


def test_a_lead_in_is_context_and_a_statement_item_joins_the_question_before() -> None:
    text = (
        "Zur Paketstation am Stiftsplatz:\n"
        "- Wie lange bleibt ein Paket im Fach?\n"
        "- Ich arbeite im Schichtdienst.\n"
        "- Ist die Station rund um die Uhr offen?\n\n"
        "Wird es eine Aufzeichnung geben?"
    )
    assert question_parts(text) == [
        "Zur Paketstation am Stiftsplatz: Wie lange bleibt ein Paket im Fach? "
        "Ich arbeite im Schichtdienst.",
        "Zur Paketstation am Stiftsplatz: Ist die Station rund um die Uhr offen?",
        "Wird es eine Aufzeichnung geben?",
    ]


def test_a_list_that_asks_once_or_a_plain_text_stays_whole() -> None:
    one = "Unsere Ideen:\n- mehr Bänke\n- mehr Bäume\n- Wann kommt das?"
    assert question_parts(one) == [one]
    plain = "Wann kommt die Paketstation? Und was kostet sie?"
    assert question_parts(plain) == [plain]
    agenda = "\n".join(f"{n}. Was ist mit Punkt {n}?" for n in range(1, 30))
    assert question_parts(agenda) == [agenda]  # a pasted list is not 29 questions


def test_parts_typed_by_hand_and_the_plan() -> None:
    assert parts_from_lines("1. Wann?\n\n  - Wo   genau? \n") == ["Wann?", "Wo genau?"]
    plan = plan_divide(["Wann?", " ", "Wo?", "Wer?"])
    assert (plan.keep, plan.new, plan.count) == ("Wann?", ("Wo?", "Wer?"), 3)
    with pytest.raises(DivideError):
        plan_divide(["Nur eine Frage?"])


# -- real mail files --------------------------------------------------------------------


def _one(name: str):
    result = parse_eml(DATA / name)
    assert result.problems == []
    (message,) = result.messages
    return message


def test_registration_head_count_phone_and_link_sentences_are_cut() -> None:
    message = _one("hand_organisational.eml")
    assert message.text == (
        "Wird es für die Paketstationen in der Innenstadt auch Fächer mit Kühlung geben?"
    )
    assert message.kind_hint is Kind.QUESTION
    assert message.original is not None
    for kept in ("Wir kommen zu dritt", "per Telefon ein", "Einwahldaten", "zweiten Termin"):
        assert kept in message.original  # the original keeps every word


def test_a_registration_request_alone_is_no_question_but_taking_part_is() -> None:
    result = parse_mbox(DATA / "hand_anmeldungen_juni.mbox")
    assert result.problems == []
    weber, olga, wolf = result.messages
    assert weber.kind_hint is Kind.CHATTER  # "Können Sie mich ... anmelden?" organises
    assert olga.kind_hint is Kind.QUESTION
    assert olga.text == "wie kann ich mich eigentlich für die Workshops zum Dritten Ort anmelden?"
    assert wolf.text == (
        "Zum autonomen Bus:\n\n"
        "* Ab wann fährt der Bus auch am Wochenende?\n"
        "* Gibt es im Bus einen Platz für Rollstühle?"
    )


def test_importing_a_mail_with_three_numbered_questions_makes_three(
    service: EventService,
) -> None:
    summary = import_paths(service, [DATA / "hand_three_numbered.eml"])[0]
    assert (summary.new, summary.questions, summary.divided) == (1, 3, 1)
    groups = sorted(service.groups(), key=lambda g: g.id)
    assert [g.title for g in groups] == [
        "Wann werden die ersten Sensoren für die Luftqualität aufgestellt?",
        "Wer betreibt das LoRaWAN-Netz, die Stadtwerke oder die Stadt selbst?",
        "Wird die Straßenbeleuchtung am Stiftsplatz nachts gedimmt?",
    ]
    members = [g.members[0] for g in groups]
    assert {m.author for m in members} == {"Petra Schneider"}
    assert {m.channel for m in members} == {Channel.EMAIL}
    assert len({m.received_at for m in members}) == 1
    # The whole mail is the original of each question.
    for member in members:
        assert member.original.startswith("Subject: Anmeldung und Fragen\n")
        assert "2. Wer betreibt das LoRaWAN-Netz" in member.original
    assert all(g.suggested_project == "infrastruktur" for g in groups)
    # Logged after the import it belongs to (newest first).
    assert [a.verb for a in service.history(limit=2)] == ["divide", "import"]
    # Importing again adds nothing (the parts belong to the mail already imported).
    again = import_paths(service, [DATA / "hand_three_numbered.eml"])[0]
    assert (again.new, again.already_imported) == (0, 1)
    assert len(service.groups()) == 3

    action = service.undo()
    assert action is not None and action.verb == "divide"
    (whole,) = service.groups()
    assert whole.id == groups[0].id
    assert whole.title.startswith("1. Wann werden die ersten Sensoren")
    assert "3. Wird die Straßenbeleuchtung" in whole.members[0].text
    assert len(service.messages()) == 1
    # After the undo, importing again still adds nothing.
    assert import_paths(service, [DATA / "hand_three_numbered.eml"])[0].new == 0
    assert len(service.groups()) == 1


def test_an_mbox_divides_only_the_listed_questions(service: EventService) -> None:
    summary = import_paths(service, [DATA / "hand_anmeldungen_juni.mbox"])[0]
    assert (summary.new, summary.chatter, summary.divided) == (3, 1, 1)
    titles = sorted(g.title for g in service.groups())
    assert titles == [
        "Zum autonomen Bus: Ab wann fährt der Bus auch am Wochenende?",
        "Zum autonomen Bus: Gibt es im Bus einen Platz für Rollstühle?",
        "wie kann ich mich eigentlich für die Workshops zum Dritten Ort anmelden?",
    ]


# -- dividing by hand -------------------------------------------------------------------


def test_divide_by_hand_and_undo_joins_again(service: EventService) -> None:
    text = "Wann kommt die Paketstation und was kostet ein Fach im Monat?"
    service.import_messages([msg(1, text, author="Anna")], source="chat")
    service.import_messages([msg(2, "+1", kind=Kind.VOTE)], source="chat")
    (group,) = service.groups()
    message = group.members[0]
    result = service.divide(
        message.id, ["Wann kommt die Paketstation?", "Was kostet ein Fach im Monat?"]
    )
    assert result.id == group.id and len(result.touched_ids) == 2
    first, second = sorted(service.groups(), key=lambda g: g.id)
    assert first.title == "Wann kommt die Paketstation?"
    assert second.title == "Was kostet ein Fach im Monat?"
    assert second.members[0].author == "Anna" and second.members[0].original == text
    assert second.state == S.NEW
    entry = service.history(limit=1)[0]
    assert entry.verb == "divide" and f"#{second.id}" in entry.summary

    service.undo()
    (whole,) = service.groups()
    assert whole.title == text and whole.members[0].text == text
    assert whole.votes == 2  # the asker and the "+1"
    assert [m.id for m in service.messages() if m.kind == Kind.QUESTION] == [message.id]


def test_divide_needs_two_parts_and_undo_is_refused_after_another_merge(
    service: EventService, clock
) -> None:
    ids = service.import_messages(
        [
            msg(1, "Wann kommt der autonome Bus und wo hält er?"),
            msg(2, "Wo hält der autonome Bus in der Innenstadt?"),
        ],
        source="chat",
    ).group_ids
    message = service.group(ids[0]).members[0]
    with pytest.raises(ServiceError):
        service.divide(message.id, ["Wann kommt der autonome Bus?"])
    result = service.divide(message.id, ["Wann kommt der autonome Bus?", "Wo hält er?"])
    (part_group,) = [g for g in result.touched_ids if g != ids[0]]
    # A second moderator merges the new part into the other question meanwhile.
    bea = open_event(service.db, load_default_config(), moderator="Bea", clock=clock)
    bea.merge(part_group, ids[1])
    with pytest.raises(ConflictError):
        service.undo()
    assert len(service.group(ids[1]).members) == 2
    assert service.group(ids[0]).title == "Wann kommt der autonome Bus?"


# -- organisational sentences -------------------------------------------------------------

QUESTION = "Wann kommen die Paketstationen in die Innenstadt?"


@pytest.mark.parametrize(
    "sentence",
    [
        "Hiermit melde ich mich verbindlich für das Web-Seminar an.",
        "Bitte melden Sie mich für das Web-Seminar an.",
        "Bitte tragen Sie mich in die Teilnehmerliste ein.",
        "Ich habe mich bereits über das Formular angemeldet.",
        "Wir sind zu viert.",
        "Insgesamt werden wir 5 Personen sein.",
        "Mein Kollege Herr Maier aus der Wirtschaftsförderung kommt auch mit.",
        "Ich komme mit meiner Frau.",
        "Ich werde mich telefonisch zuschalten.",
        "Ich bin leider nur über das Telefon dabei.",
        "Ich wähle mich mit dem Handy ein.",
        "Bitte senden Sie mir die Zugangsdaten.",
        "Den Link habe ich noch nicht bekommen.",
        "Könnten Sie mir bitte den Link zum Web-Seminar schicken?",
        "Können Sie meine Kollegin und mich bitte noch anmelden?",
        "Please register me for the webinar.",
        "We will be three people.",
        "I will join by phone.",
    ],
)
def test_a_sentence_that_only_organises_is_cut(sentence: str) -> None:
    body = f"Hallo,\n\n{sentence} {QUESTION}\n\nViele Grüße\nAnna Berg"
    assert question_text(new_part(body)) == QUESTION


@pytest.mark.parametrize(
    "sentence",
    [
        "Wie kann ich mich für die Workshops anmelden?",
        "Kann man auch per Telefon teilnehmen?",
        "Wird der Link vorher noch einmal verschickt?",
        "Können Sie mir die Folien nach dem Web-Seminar schicken?",
        "Mich würde interessieren, ob Menschen ohne Internet telefonisch teilnehmen können.",
        "Ich wohne direkt am Stiftsplatz.",
    ],
)
def test_questions_about_taking_part_and_context_stay(sentence: str) -> None:
    body = f"Hallo,\n\n{sentence} {QUESTION}\n\nViele Grüße\nAnna Berg"
    assert question_text(new_part(body)) == f"{sentence} {QUESTION}"


def test_another_console_reads_the_new_questions_of_a_divide(service: EventService, clock) -> None:
    (group_id,) = service.import_messages(
        [msg(1, "Wann kommt der Bus? Und wer fährt ihn?")], source="chat"
    ).group_ids
    bea = open_event(service.db, load_default_config(), moderator="Bea", clock=clock)
    seen = bea.last_action_id()
    message = service.group(group_id).members[0]
    result = service.divide(message.id, ["Wann kommt der Bus?", "Und wer fährt ihn?"])
    actions = bea.actions_since(seen)
    assert [a.verb for a in actions] == ["divide"]
    assert changed_groups(actions) == set(result.touched_ids)
    assert {s.title for s in bea.summaries(group_ids=list(result.touched_ids))} == {
        "Wann kommt der Bus?",
        "Und wer fährt ihn?",
    }
    # Bea cannot undo Anna's divide; Anna can.
    assert bea.undo() is None
    service.undo()
    assert [s.id for s in bea.summaries()] == [group_id]


def test_the_meaning_pass_encodes_a_divided_wording_again(database, e5) -> None:
    from tests.conftest import FakeClock

    anna = open_event(
        database,
        load_default_config(),
        moderator="Anna",
        clock=FakeClock(),
        embedder=lambda: e5,
    )
    (group_id,) = anna.import_messages(
        [msg(1, "Wann kommt der autonome Bus? Und wo kann man ihn laden?")], source="chat"
    ).group_ids
    assert anna.embed_pending().encoded == 1
    message = anna.group(group_id).members[0]
    anna.divide(message.id, ["Wann kommt der autonome Bus?", "Und wo kann man ihn laden?"])
    assert anna.meaning_status().pending == 2  # the shortened wording and the new one
    assert anna.embed_pending().encoded == 2
    anna.undo()
    assert anna.meaning_status().pending == 1  # the whole wording again
