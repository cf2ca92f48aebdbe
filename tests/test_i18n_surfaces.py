"""One language throughout (issue 17, item 2), the last English surfaces: the parsers' line
by line problems, configuration errors, database errors, `--help` with argparse's own
errors, and the keys of the console's small windows. Each sentence exists in German and
English, and a German event says them in German."""

from __future__ import annotations

import argparse
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from moderator import cli_text
from moderator.cli import build_parser
from moderator.cli_args import argparse_error, argv_language
from moderator.config import ConfigError, parse_config
from moderator.domain import language as lang
from moderator.domain.language import error_text
from moderator.ingest.base import ImportProblem, SaidProblems
from moderator.ingest.detect import parse_file
from moderator.ingest.mail import parse_mbox
from moderator.storage.db import Database, StorageError
from moderator.storage.errors import DatabaseUnavailable
from moderator.ui import i18n, modals
from tests.conftest import ROOT
from tests.test_cli_language import ENGLISH, run, said

SRC = ROOT / "src" / "moderator"

# English words of the sentences this item turned into German (beyond `ENGLISH`, the
# command line's words); argparse's own and the parsers'.
MORE_ENGLISH = re.compile(
    r"\b(usage|options|positional|arguments|required|invalid|choice|choose|unrecognized|"
    r"expected|show|exit|cannot|unreadable|empty|time|line|ignored|kept|text|must|"
    r"unknown|hotkey|used|twice|open|use|locked|unreachable|nothing|default|only|"
    r"language|file|the|this|and|or|with|of|is|not|to)\b"
)


def english_words(text: str) -> set[str]:
    return {m.group(0) for rx in (ENGLISH, MORE_ENGLISH) for m in rx.finditer(text)}


def test_the_word_check_finds_english() -> None:
    assert english_words("usage: moderator [-h]") == {"usage"}
    assert english_words("chat.txt:3: invalid time '25:99'") == {"invalid", "time"}
    assert not english_words("chat.txt:3: ungültige Uhrzeit „25:99“")


# ------------------------------------------------------------ every code in both languages
def _codes_in_source() -> set[str]:
    """Every sentence code the program raises or notes (`sentence("…")`, `key="…"`,
    a configuration `fail("…")`, an overlay `bad("…")`, a user file's `_user_toml`)."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text("utf-8")
        found |= set(re.findall(r'\bsentence\(\s*"([a-z_.]+)"', text))
        found |= set(re.findall(r'\bkey="([a-z_.]+)"', text))
        found |= set(re.findall(r'\bfail\(\s*"(config\.[a-z_]+)"', text))
        found |= set(re.findall(r'_user_toml\(path, "(config\.[a-z_]+)"\)', text))
        found |= {f"config.o_{code}" for code in re.findall(r'\bbad\(\s*"([a-z]+)"', text)}
        if "storage" in path.parts:
            found |= set(re.findall(r'"(db\.[a-z_]+)" if', text))
    return found


def test_every_sentence_code_the_program_uses_is_said_in_both_languages() -> None:
    used = _codes_in_source()
    # the scan sees the surfaces of this item, so a missing sentence is caught
    assert {"invalid_time", "no_mails", "config.hotkey_digit", "config.o_colour"} <= used
    assert {"db.cannot_use", "db.unreachable", "db.lost_at_commit", "not_zoom"} <= used
    for language in ("de", "en"):
        missing = used - lang.ERROR_TEXT[language].keys()
        assert not missing, (language, sorted(missing))


def test_the_code_check_can_fail() -> None:
    german = dict(lang.ERROR_TEXT["de"])
    del german["invalid_time"]
    assert _codes_in_source() - german.keys() == {"invalid_time"}


def test_every_key_of_a_small_window_is_in_the_catalogue_in_both_languages() -> None:
    screens = [
        c
        for c in vars(modals).values()
        if isinstance(c, type)
        and issubclass(c, modals.ModalScreen)
        and c.__module__ == modals.__name__
    ]
    assert len(screens) >= 9
    for screen in screens:
        for binding in screen.BINDINGS:
            key = modals.MODAL_KEY_WORDS[binding.action]  # KeyError: a key without words
            assert key in i18n._DE and key in i18n._EN
        german = modals.in_language(screen, i18n.Strings("de"))
        english = modals.in_language(screen, i18n.Strings("en"))
        assert german is modals.in_language(screen, i18n.Strings("de"))  # made once
        for de, en in zip(german.BINDINGS, english.BINDINGS, strict=True):
            assert de.description == i18n._DE[modals.MODAL_KEY_WORDS[de.action]]
            assert en.description == i18n._EN[modals.MODAL_KEY_WORDS[en.action]]
            assert not english_words(de.description) - {"OK"}


# ------------------------------------------------------------------ parser problems
def _problems(path: Path) -> list[ImportProblem]:
    if path.suffix == ".mbox":
        return parse_mbox(path).problems
    return parse_file(path).problems


MALFORMED = {
    "zoom_chat.txt": "10:00:01 From Anna to Everyone:\n\tWann kommt der Bus?\n"
    "25:99:00 From Bert to Everyone:\n\tHallo\n10:00:03 From Carla to Everyone:\n\n",
    "bbb_chat.txt": "vorab\n[18:01] Anna: Wann kommt der Bus?\n[18:02] Bert:\n[18:03] Carla: ja\n",
    "fragen.csv": "Frage;Zeit;Stimmen\nWann?;gestern um 9;viele\n;;\n",
    "pasted.txt": "Vorbemerkung ohne Namen\nAnna: Wann kommt der Bus?\nBert: Und wo?\n",
    "bild.mbox": "From a@b Mon Jan  1 00:00:00 2024\nFrom: a@example.org\nSubject: Foto\n"
    "Message-ID: <1@example.org>\nContent-Type: image/png\n"
    "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_parsers_problems_are_said_in_german_with_file_and_line(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(MALFORMED[name], "utf-8")
    problems = _problems(path)
    assert problems, name
    for problem in problems:
        german, english = problem.text("de"), problem.text("en")
        assert str(problem) == english and german != english
        where = f"{problem.source}:{problem.line}: " if problem.line else f"{problem.source}: "
        assert german.startswith(where) and english.startswith(where)
        assert not english_words(german.removeprefix(where)), german
    said_de = SaidProblems(problems, "de")
    assert list(said_de) == [p.text("de") for p in problems] and len(said_de) == len(problems)


def test_a_refusal_inside_another_sentence_is_said_in_its_language() -> None:
    from moderator.ingest.base import UnknownFormatError
    from moderator.ingest.detect import _FirstClause

    refusal = UnknownFormatError(key="no_header", path="x.csv", known="Frage", rows=20)
    reason = lang.sentence("not_importable", reason=_FirstClause(refusal, "x.csv: "))
    assert error_text(reason, "de") == (
        "keine Kopfzeile mit einer Fragenspalte (Frage, …) in den ersten 20 Zeilen, kein "
        "Chatprotokoll, keine E-Mail und keine Tabelle"
    )
    assert str(reason).startswith("no header row with a question column (Frage, …)")


# ------------------------------------------------------------------ configuration
GERMAN_EVENT = '[event]\nslug = "x"\nlanguage = "de"\n\n[[projects]]\nkey = "a"\nname = "A"\n'


def test_a_german_configuration_error_is_said_in_german_with_file_and_line() -> None:
    with pytest.raises(ConfigError) as bad:
        parse_config(GERMAN_EVENT + 'hotkey = "12"\n', source="fragen.toml")
    assert str(bad.value) == "fragen.toml:5: hotkey '12' of project 'a' must be a single digit"
    assert bad.value.language == "de"
    assert error_text(bad.value, "de") == (
        "fragen.toml:5: die Taste „12“ von Projekt „a“ muss eine einzelne Ziffer sein"
    )
    with pytest.raises(ConfigError) as broken:  # not TOML at all: the language line still counts
        parse_config(GERMAN_EVENT + "hotkey = \n", source="fragen.toml")
    assert broken.value.language == "de"
    said = error_text(broken.value, "de")  # the TOML parser's words too
    assert said.startswith("fragen.toml:8: kein gültiges TOML: ungültiger Wert (Zeile 8, ")
    assert not english_words(said) and "Invalid value (at line 8" in str(broken.value)
    with pytest.raises(ConfigError) as overlay:
        parse_config(GERMAN_EVENT + '\n[overlay]\ncolor = "grün"\n', source="fragen.toml")
    assert error_text(overlay.value, "de") == (
        "fragen.toml:9: Overlay color „grün“: muss eine Farbe sein, etwa #ffffff, "
        "rgba(0, 0, 0, 0.8) oder white"
    )
    english = GERMAN_EVENT.replace('"de"', '"en"') + 'hotkey = "12"\n'
    with pytest.raises(ConfigError) as said_english:
        parse_config(english, source="e.toml")
    assert said_english.value.language == "en"


# ------------------------------------------------------------------ databases
def test_database_errors_say_what_and_where_in_german(tmp_path: Path) -> None:
    garbage = tmp_path / "notizen.db"
    garbage.write_text("keine Datenbank, nur Notizen\n" * 100, "utf-8")
    with pytest.raises(StorageError) as refused:
        Database(f"sqlite:///{garbage}").check()
    german = error_text(refused.value, "de")
    assert german.startswith(f"die Datenbank sqlite:///{garbage} ist nicht verwendbar: ")
    assert german.endswith("(ist es eine moderator-Datenbank?)")
    assert str(refused.value).startswith("cannot use database")
    with pytest.raises(StorageError) as missing:
        Database(f"sqlite:///{tmp_path / 'fehlt.db'}", create=False)
    assert error_text(missing.value, "de").startswith(f"keine Datenbank {tmp_path / 'fehlt.db'}")
    locked = DatabaseUnavailable("database is locked", where="sqlite:///team.db")
    assert error_text(locked, "de") == (
        "Datenbank nicht erreichbar: die Datei sqlite:///team.db ist von einem anderen Programm "
        "gesperrt (database is locked); nichts gespeichert"
    )
    assert error_text(locked, "en").startswith("database unreachable: the file sqlite:///team.db")


def test_a_locked_sqlite_file_is_reported_with_its_path(tmp_path: Path, monkeypatch) -> None:
    from moderator.storage import db as storage_db

    monkeypatch.setattr(storage_db, "SQLITE_WRITE_WAIT", 0.2)  # how long a writer waits
    path = tmp_path / "team.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        with pytest.raises(DatabaseUnavailable) as busy, db.writing() as session:
            session.execute(text("SELECT 1"))  # the write lock is asked for here
    finally:
        holder.rollback()
        holder.close()
        db.dispose()
    assert error_text(busy.value, "de").startswith(
        f"Datenbank nicht erreichbar: die Datei sqlite:///{path} ist von einem anderen Programm "
        "gesperrt (database is locked)"
    )


# ------------------------------------------------------------------ --help and argparse
def _all_help(parser: argparse.ArgumentParser) -> str:
    texts = [parser.format_help()]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            texts += [_all_help(sub) for sub in action.choices.values()]
    return "\n".join(texts)


def test_the_help_of_every_command_is_german_in_german_and_english_in_english() -> None:
    german = _all_help(build_parser("de"))
    english = _all_help(build_parser("en"))
    assert german.count("Aufruf: moderator") >= 14 and "Optionen:" in german
    assert "Befehle:" in german and "Argumente:" in german
    assert english.count("usage: moderator") >= 14 and "options:" in english
    # what is left are option names, placeholders, URLs and file names
    names = re.compile(
        r"--?[\w-]+|\{[^}]*\}|\$\w+|\S+\.toml|\S+://\S+|/\w+|[A-Z_]{2,}|\w+(?:,\w+)+"
    )
    found = english_words(names.sub(" ", german))
    assert not found, found


@pytest.mark.parametrize(
    ("argv", "german"),
    [
        (["import"], "moderator import: Fehler: diese Argumente fehlen: PFAD"),
        (["export", "--format", "pdf"], "Argument --format: ungültige Auswahl: 'pdf' (möglich: "),
        (["stats", "--bogus"], "moderator: Fehler: unbekannte Argumente: --bogus"),
        (["overlay", "--port", "x"], "Argument --port: keine ganze Zahl: 'x'"),
        (["export", "-o"], "Argument -o/--output: hier fehlt der Wert"),
        (["nix"], "Argument BEFEHL: ungültige Auswahl: 'nix'"),
    ],
)
def test_argparse_errors_are_german(capsys, argv: list[str], german: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser("de").parse_args(argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and german in err and err.startswith("Aufruf: moderator")
    assert not english_words(re.sub(r"--?[\w-]+|'[^']*'", " ", err.split("Fehler:")[1]))


def test_an_argparse_message_it_does_not_know_stays_as_argparse_wrote_it() -> None:
    assert argparse_error("something new", "de") == "something new"
    assert argparse_error("argument --x: expected one argument", "en") == (
        "argument --x: expected one argument"
    )


def test_the_help_language_comes_from_lang_then_the_config_then_the_locale(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    german = tmp_path / "e.toml"
    german.write_text(GERMAN_EVENT, "utf-8")
    broken = tmp_path / "b.toml"
    broken.write_text(GERMAN_EVENT + "hotkey = \n", "utf-8")
    assert argv_language(["--help"]) == "en"
    assert argv_language(["--config", str(german), "import", "--help"]) == "de"
    assert argv_language([f"--config={broken}", "--help"]) == "de"
    assert argv_language(["--config", str(german), "--lang", "en"]) == "en"
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert argv_language(["--help"]) == "de"


def test_every_help_text_of_the_command_line_exists_in_both_languages() -> None:
    german = {k for k in cli_text._DE if k.startswith(("help.", "args."))}
    english = {k for k in cli_text._EN if k.startswith(("help.", "args."))}
    assert german == english and len(german) >= 45
    used = {
        key
        for path in [*SRC.glob("cli/*.py"), SRC / "cli_args.py"]
        for key in re.findall(r'\bt\("((?:help|args)\.[a-z_]+)"', path.read_text("utf-8"))
    }
    assert used and used <= german, used - german


# ------------------------------------------------------------ a German event, end to end
def test_a_german_event_says_help_problems_and_errors_in_german(tmp_path: Path) -> None:
    """`moderator --lang de --help`, a malformed chat, a bad event file, an unreachable
    PostgreSQL server and a file that is no database: German sentences, no English words
    (the driver's own words may follow as detail)."""
    db = tmp_path / "fragen.db"
    outputs: dict[str, str] = {}

    helped = run("--lang", "de", "--help", db=db)
    assert helped.returncode == 0 and helped.stdout.startswith("Aufruf: moderator")
    outputs["help"] = re.sub(r"--?[\w-]+|\{[^}]*\}|\$\w+|\S+://\S+|\S+\.toml", " ", helped.stdout)

    chat = tmp_path / "meeting_saved_chat.txt"
    chat.write_text(MALFORMED["zoom_chat.txt"], "utf-8")
    table = tmp_path / "fragen.csv"
    table.write_text(MALFORMED["fragen.csv"], "utf-8")
    imported = run("import", str(chat), str(table), db=db)  # the bundled event is German
    assert imported.returncode == 1
    assert ":3: ungültige Uhrzeit „25:99:00“" in imported.stdout
    assert ":2: unlesbare Stimmenzahl „viele“" in imported.stdout
    outputs["import"] = said(imported, chat, table, db)

    again = run("--lang", "en", "import", str(chat), db=db)  # --lang wins over the event
    assert ":3: invalid time '25:99:00'" in again.stdout and "Uhrzeit" not in again.stdout

    config = tmp_path / "veranstaltung.toml"
    config.write_text(GERMAN_EVENT + 'hotkey = "12"\n', "utf-8")
    refused = run("--config", str(config), "stats", db=db, check=False)
    assert refused.returncode == 2
    assert "veranstaltung.toml:5: die Taste „12“ von Projekt „a“ muss" in refused.stderr
    outputs["config"] = said(refused, config, db)

    config.write_text(GERMAN_EVENT, "utf-8")
    server = "postgresql+psycopg://moderator@127.0.0.1:1/fragen"
    unreachable = run("--config", str(config), "--db", server, "stats", db=db, check=False)
    assert unreachable.returncode == 2
    sentence, _, detail = unreachable.stderr.partition(" ist nicht erreichbar: ")
    assert sentence == f"moderator: Fehler: der Datenbankserver von {server}" and detail
    outputs["unreachable"] = sentence.replace(server, "<url>")

    garbage = tmp_path / "notizen.db"
    garbage.write_text("keine Datenbank\n" * 100, "utf-8")
    url = f"sqlite:///{garbage}"
    foreign = run("--config", str(config), "--db", url, "stats", db=db, check=False)
    assert foreign.returncode == 2 and "ist nicht verwendbar" in foreign.stderr
    assert "(ist es eine moderator-Datenbank?)" in foreign.stderr
    outputs["foreign"] = foreign.stderr.split(": file is not a database")[0].replace(url, "<url>")

    found = {name: english_words(text) for name, text in outputs.items()}
    assert not any(found.values()), (found, outputs)


def test_what_the_operating_system_says_is_german_for_a_german_user(tmp_path: Path) -> None:
    from moderator.ingest.detect import scan_folder

    (tmp_path / "weg.txt").symlink_to(tmp_path / "gibt-es-nicht.txt")  # a dangling link
    (tmp_path / "chat.txt").write_text("Anna: Wann kommt der Bus?\n", "utf-8")
    ((path, reason),) = scan_folder(tmp_path).skipped
    assert path.name == "weg.txt"
    assert error_text(reason, "de") == "keine solche Datei oder kein solcher Ordner"
    assert error_text(reason, "en") == "no such file or directory"
    with pytest.raises(OSError) as refused:
        (tmp_path / "chat.txt" / "x").write_text("", "utf-8")
    assert lang.os_reason(refused.value, "de") == "ist kein Ordner"
    unknown = OSError(12345, "something odd")
    assert lang.os_reason(unknown, "de") == "something odd"  # its own words, as a last resort
