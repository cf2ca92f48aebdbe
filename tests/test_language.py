"""One language (issue 17, item 2): every catalogue complete in German and English, the
language chosen from the event file, --lang or the locale, action sentences in both
languages, and German headers and values in the tabular exports of a German event."""

from __future__ import annotations

import csv
import io
import string
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from moderator import cli_text
from moderator.config import ConfigError, load_default_config, parse_config
from moderator.domain import language as lang
from moderator.domain.actions import Verb
from moderator.domain.models import Action, Channel, Kind, QueueState
from moderator.export import answers, stats, tabular
from moderator.services import exporting, ingesting, open_event
from moderator.services.exporting import export_to, import_answers_file
from moderator.storage.db import Database
from moderator.ui import i18n, stage
from tests.factories import msg


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _flat(table: dict) -> dict[str, str]:
    """A catalogue as key -> text; enum keys by their value, (one, many) pairs split."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = getattr(key, "value", key)
        if isinstance(value, tuple):
            for n, item in enumerate(value):
                flat[f"{name}/{n}"] = item
        else:
            flat[str(name)] = value
    return flat


CATALOGUES = {
    "console (ui.i18n)": (i18n._DE, i18n._EN),
    "stage": (stage._TEXT["de"], stage._TEXT["en"]),
    "command line": (cli_text._DE, cli_text._EN),
    "queue states": (lang.STATE_NAMES["de"], lang.STATE_NAMES["en"]),
    "channels": (lang.CHANNEL_NAMES["de"], lang.CHANNEL_NAMES["en"]),
    "message kinds": (lang.KIND_NAMES["de"], lang.KIND_NAMES["en"]),
    "counted nouns": (lang.NOUNS["de"], lang.NOUNS["en"]),
    "action sentences": (lang.ACTION_TEXT["de"], lang.ACTION_TEXT["en"]),
    "statistics": (stats.STATS_TEXT["de"], stats.STATS_TEXT["en"]),
    "import-answers": (answers.ANSWER_TEXT["de"], answers.ANSWER_TEXT["en"]),
    "import-answers (service)": (
        exporting._ANSWER_PROBLEMS["de"],
        exporting._ANSWER_PROBLEMS["en"],
    ),
    "chat dates": (ingesting._DAY_NOTES["de"], ingesting._DAY_NOTES["en"]),
    "refusals": (lang.ERROR_TEXT["de"], lang.ERROR_TEXT["en"]),
}


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_every_text_exists_in_both_languages_with_the_same_placeholders(name: str) -> None:
    german, english = (_flat(table) for table in CATALOGUES[name])
    assert german.keys() == english.keys(), (
        f"{name}: only German {sorted(german.keys() - english.keys())}, "
        f"only English {sorted(english.keys() - german.keys())}"
    )
    for key in german:
        assert german[key].strip() and english[key].strip(), f"{name}: {key} is empty"
        assert _fields(german[key]) == _fields(english[key]), f"{name}: {key} placeholders"


def test_the_catalogue_check_finds_a_missing_text() -> None:
    """The check above can fail: a text that only one language has is named."""
    german = {**cli_text._DE, "only.german": "nur deutsch"}
    assert german.keys() != cli_text._EN.keys()
    assert german.keys() - cli_text._EN.keys() == {"only.german"}


def test_every_state_channel_kind_and_column_has_a_name() -> None:
    for code in lang.LANGUAGES:
        assert set(lang.STATE_NAMES[code]) == set(QueueState)
        assert set(lang.CHANNEL_NAMES[code]) == set(Channel)
        assert set(lang.KIND_NAMES[code]) == set(Kind)
    columns = {getattr(tabular, n) for n in dir(tabular) if n.startswith("COL_")}
    assert columns == set(tabular.GERMAN_HEADERS)
    assert len(set(tabular.GERMAN_HEADERS.values())) == len(columns)  # no two alike


def test_counted_nouns_use_singular_and_plural() -> None:
    assert lang.counted(1, "question", "en") == "1 question"
    assert lang.counted(2, "question", "en") == "2 questions"
    assert lang.counted(0, "question", "en") == "0 questions"
    assert lang.counted(1, "message", "de") == "1 Nachricht"
    assert lang.counted(49, "message", "de") == "49 Nachrichten"
    assert lang.counted(12_345, "answer", "de") == "12.345 Antworten"
    assert lang.counted(12_345, "answer", "en") == "12,345 answers"


# --------------------------------------------------------------- which language applies
@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "de_CH"}, "de"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "de"),
    ],
)
def test_the_locale_decides_when_the_event_does_not(environ, expected) -> None:
    assert lang.locale_language(environ) == expected


PROJECT = '[[projects]]\nkey = "bus"\nname = "Bus"\nhotkey = "1"\n'


def test_event_language_setting_wins_and_is_checked(monkeypatch) -> None:
    bare = '[event]\nslug = "a"\n' + PROJECT
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert parse_config(bare, source="a.toml").language == "de"
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert parse_config(bare, source="a.toml").language == "en"
    text = '[event]\nslug = "a"\nlanguage = "Deutsch"\n' + PROJECT
    assert parse_config(text, source="a.toml").language == "de"
    assert parse_config(text.replace("Deutsch", "de-AT"), source="a.toml").language == "de"
    with pytest.raises(ConfigError, match=r"a\.toml:3: language 'fr' is not supported"):
        parse_config(text.replace("Deutsch", "fr"), source="a.toml")


# ------------------------------------------------------------------ action sentences
AT = datetime(2020, 6, 19, 18, 0, tzinfo=UTC)


def _action(verb: str, summary: str, before: dict, after: dict, group: int | None = 83):
    return Action(1, 1, "Anna", AT, verb, group, summary, before, after)


ACTIONS = [
    _action("tag", "tagged #83 Lokale Logistik", {}, {"project_key": "logistik"}),
    _action("move", "moved #79 to on_air", {"state": "live"}, {"state": "on_air"}, 79),
    _action("reorder", "moved #4 to live position 1", {"order": [3, 4]}, {"order": [4, 3]}, 4),
    _action("merge", "merged #17 into #12", {}, {"source": 17, "target": 12, "moved": [5]}, 12),
    _action(
        "merge", "merged wording 5 into #12", {}, {"source": 17, "target": 12, "moved": [5]}, 12
    ),
    _action("split", "split wording 9 off #3 into #20", {"group": 3}, {"group": 20, "message": 9}),
    _action("title", "changed the wording of #83", {}, {}),
    _action("answer", "wrote the answer of #83", {}, {"answer": "x"}),
    _action("answer", "imported the answer of #83", {}, {"answer": "x"}),
    _action("kind", "marked message 5 as chatter", {}, {"kind": "chatter", "message": 5}),
    _action("manual", "added #83 by hand (phone)", {}, {"group": 83}),  # an older entry
    _action("manual", "added #83 by hand (phone)", {}, {"group": 83, "channel": "phone"}),
    _action("import", "imported 1 messages", {}, {"source": "", "new": 1}, None),
    _action(
        "import",
        "imported 49 messages (35 questions) from chat.txt",
        {},
        {"source": "chat.txt", "new": 49, "questions": 35},
        None,
    ),
    _action("undo", "undid: moved #79 to live", {"state": "live"}, {"state": "new"}, 79),
    _action("undo", "undid: tagged #83 Lokale Logistik", {"project_key": "logistik"}, {}),
    _action("purge", "removed names and addresses from 3 messages", {}, {"messages": 3}, None),
    _action(
        "present",
        "presents Lokale Logistik",
        {"project": None},
        {"project": "logistik", "name": "Lokale Logistik"},
        None,
    ),
    _action(
        "present",
        "presents no project",
        {"project": "logistik"},
        {"project": None, "name": None},
        None,
    ),
]
ENGLISH_WORDS = {"moved", "merged", "wrote", "added", "by", "hand", "imported", "messages",
                 "questions", "undid", "tagged", "wording", "changed", "answer", "phone",
                 "on_air", "split", "marked", "removed", "from", "into", "to",
                 "divided"}  # fmt: skip


DIVIDE = _action("divide", "divided #83 into 3 questions", {}, {"groups": [83, 90, 91]})


def test_every_verb_has_a_sentence_in_both_languages() -> None:
    assert {v.value for v in Verb} == {a.verb for a in [*ACTIONS, DIVIDE]}
    assert lang.describe_action(DIVIDE, "de") == "#83 in 3 Fragen aufgeteilt"
    assert lang.describe_action(DIVIDE, "en") == "divided #83 into 3 questions"
    for action in [*ACTIONS, DIVIDE]:
        german = lang.describe_action(action, "de")
        english = lang.describe_action(action, "en")
        assert "{" not in german + english and "?" not in german + english, action
        words = set(german.replace(",", " ").replace("(", " ").replace(")", " ").split())
        assert not words & ENGLISH_WORDS, (german, words & ENGLISH_WORDS)
        assert german != english


def test_the_sentences_of_the_issue() -> None:
    answer, move, manual = ACTIONS[7], ACTIONS[1], ACTIONS[11]
    assert lang.describe_action(answer, "de") == "die Antwort zu #83 geschrieben"
    assert lang.describe_action(move, "de") == "#79 nach „auf Sendung“ verschoben"
    assert lang.describe_action(move, "en") == "moved #79 to on air"
    assert lang.describe_action(manual, "de") == "#83 von Hand erfasst (Telefon)"
    assert lang.describe_action(ACTIONS[10], "de") == "#83 von Hand erfasst (Telefon)"
    assert lang.describe_action(ACTIONS[13], "de") == (
        "49 Nachrichten (35 Fragen) aus chat.txt importiert"
    )
    assert lang.describe_action(ACTIONS[12], "de") == "1 Nachricht importiert"
    assert lang.describe_action(ACTIONS[12], "en") == "imported 1 message"
    undo_divide = _action("undo", "undid: divided #83 into 3 questions", DIVIDE.after, {})
    assert lang.describe_action(undo_divide, "de") == (
        "rückgängig gemacht: #83 in 3 Fragen aufgeteilt"
    )
    assert lang.describe_action(ACTIONS[15], "de") == (
        "rückgängig gemacht: #83 dem Projekt „Lokale Logistik“ zugeordnet"
    )


def test_the_service_logs_what_the_sentences_need(sqlite_service) -> None:
    """A phoned-in question and an undo store their channel and verb, so the sentences do
    not read them from the English summary."""
    group = sqlite_service.add_manual("Wann kommt der Bus?", author="Ute", channel=Channel.PHONE)
    sqlite_service.tag(group.id, "logistik")
    sqlite_service.undo()
    actions = {a.verb: a for a in sqlite_service.actions_since(0)}
    assert actions["manual"].after["channel"] == "phone"
    assert actions["undo"].after["undid"] == "tag"
    assert lang.describe_action(actions["manual"], "de") == (
        f"#{group.id} von Hand erfasst (Telefon)"
    )
    assert lang.describe_action(actions["undo"], "de").startswith("rückgängig gemacht: ")


# ------------------------------------------------------------------ tabular exports
def _service(tmp_path: Path, language: str):
    db = Database(f"sqlite:///{tmp_path / f'{language}.db'}")
    db.upgrade()
    config = replace(load_default_config(), language=language)
    service = open_event(db, config, moderator="T")
    service.import_messages(
        [
            msg(1, "Wann kommen die Paketstationen in die Innenstadt?", author="Anna"),
            msg(2, "Wer betreibt das LoRaWAN-Netz?", author="Bernd"),
        ],
        source="seed",
    )
    first, second = (g.id for g in service.groups())
    service.move(first, QueueState.LATER)
    return service, first, second


def test_a_german_event_exports_german_headers_and_values(tmp_path: Path) -> None:
    service, first, _ = _service(tmp_path, "de")
    raw = export_to(service, fmt="csv", status="all")
    assert isinstance(raw, bytes)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Nr.", "Projekt", "Status", "Frage", "Formulierungen", "Stimmen",
                       "Kanäle", "Zuerst gefragt", "Antwort"]  # fmt: skip
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[str(first)][2] == "später" and by_id[str(first)][6] == "Chat"
    # the same event asked for in English (--lang en) gives the stable ids
    english = export_to(service, fmt="csv", status="all", language="en")
    assert isinstance(english, bytes)
    header = english.decode("utf-8-sig").splitlines()[0]
    assert header.startswith('"id";"project";"state"') and '"later"' in english.decode()
    # JSON keeps its documented schema in every language
    json_text = export_to(service, fmt="json", status="all")
    assert '"state": "later"' in str(json_text) and "später" not in str(json_text)


def test_a_german_xlsx_round_trips_its_answers(tmp_path: Path) -> None:
    service, first, second = _service(tmp_path, "de")
    path = tmp_path / "fragen.xlsx"
    path.write_bytes(export_to(service, fmt="xlsx", status="all"))  # type: ignore[arg-type]
    book = openpyxl.load_workbook(path)
    sheet = book["Fragen"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Nr.", "Projekt", "Status"]
    assert [c.value for c in book["Wortlaute"][1]][:3] == ["Frage-Nr.", "Nachricht-Nr.", "Kanal"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == first)
    answer_col = header.index("Antwort")
    row[answer_col].value = "Im Herbst."
    # a continuation column as the export writes it for an answer over one cell
    sheet.cell(row=1, column=len(header) + 1, value="Antwort Teil 2")
    sheet.cell(row=row[0].row, column=len(header) + 1, value=" Vielleicht früher.")
    sheet.append([999999, "", "", "", "", "", "", "", "gibt es nicht"])
    book.save(path)
    updated, problems = import_answers_file(service, path)
    assert updated == [first]
    assert service.group(first).answer == "Im Herbst. Vielleicht früher."
    assert problems == [f"{path}: keine Frage #999999 in diesem Event"]
    assert second not in updated


# ------------------------------------------------------------------ refusals
def test_every_refusal_raised_has_its_sentence() -> None:
    import re

    source = Path(lang.__file__).parents[1]
    used = {
        key
        for path in source.rglob("*.py")
        for key in re.findall(r'Error\((?:[^()]*?, )?key="([a-z_]+)"', path.read_text("utf-8"))
    }
    assert len(used) >= 25, used
    assert used <= lang.ERROR_TEXT["de"].keys(), used - lang.ERROR_TEXT["de"].keys()


def test_a_refusal_is_said_in_the_event_language(sqlite_service) -> None:
    from moderator.services.errors import ConflictError, ServiceError

    sqlite_service.import_messages([msg(1, "Wer betreibt das LoRaWAN-Netz?")], source="s")
    (group,) = sqlite_service.groups()
    with pytest.raises(ServiceError) as refused:
        sqlite_service.merge(group.id, group.id)
    assert str(refused.value) == "a question cannot be merged into itself"
    assert lang.error_text(refused.value, "de") == (
        "eine Frage kann nicht mit sich selbst zusammengeführt werden"
    )
    sqlite_service.tag(group.id, "infrastruktur")
    version = sqlite_service.group(group.id).version
    sqlite_service.tag(group.id, "dialog")  # someone else, meanwhile
    with pytest.raises(ConflictError) as conflict:
        sqlite_service.move(group.id, QueueState.LIVE, expected_version=version)
    german = lang.error_text(conflict.value, "de")
    assert german.startswith(
        f"#{group.id} wurde inzwischen geändert (Anna: #{group.id} dem Projekt"
    )
    assert "tagged" not in german and "tagged" in str(conflict.value)
