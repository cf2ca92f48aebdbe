"""The command line in the event's language (issue 17, items 2 and 8): a German event's
commands say nothing in English, an English event's count with singular and plural, and
Ctrl+C during an import says what is stored, in a real process on a real terminal."""

from __future__ import annotations

import csv
import io
import os
import pty
import re
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from moderator.cli.importing import ImportProgress as _ImportProgress
from moderator.cli_text import CliText
from tests.conftest import ROOT
from tests.test_import_large import write_chat

SAMPLE = ROOT / "sample_data"
ENV = {"PYTHONPATH": str(ROOT / "src"), "MODERATOR_EMBEDDER": "none"}

# Words of the English command line that must not show in a German event's output.
ENGLISH = re.compile(
    r"\b(new|questions?|chatter|votes?|already|imported|skipped|suggested|projects?|"
    r"duplicate|suggestion|wrote|answers?|stored|rows?|matched|error|note|total|exists|"
    r"overwrite|messages?|database|created|removed|compacted|confirm|interrupted|general)\b"
)


def run(*args: str, db: Path, check: bool = True, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "moderator", "--db", f"sqlite:///{db}", "--as", "T", *args],
        capture_output=True,
        text=kw.pop("text", True),
        timeout=300,
        cwd=ROOT,
        env={**os.environ, **ENV},
        **kw,
    )
    if check and result.returncode not in (0, 1):
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result


def said(result: subprocess.CompletedProcess, *paths: Path) -> str:
    """Everything a command printed, with the file names (user data) taken out."""
    text = result.stdout + result.stderr
    for path in sorted(paths, key=lambda p: -len(str(p))):
        text = text.replace(str(path), "<path>")
    return text


def test_a_german_event_says_everything_in_german(tmp_path: Path) -> None:
    db = tmp_path / "fragen.db"
    chat = next((SAMPLE / "zoom").rglob("meeting_saved_chat.txt"))
    config = SAMPLE / "event.toml"  # language = "de"
    outputs = []

    mails = SAMPLE / "mail"
    imported = run("import", "--config", str(config), str(chat), str(mails), db=db)
    outputs.append(said(imported, chat, mails, db))
    assert "meeting_saved_chat.txt: 98 neu (" in imported.stdout
    assert "Datenbank" in imported.stderr and "angelegt" in imported.stderr
    assert "gesamt: 108 neu, 0 bereits importiert, 0 übersprungen" in imported.stdout
    phone = run("import", "--channel", "phone", str(SAMPLE / "phone.txt"), db=db)
    outputs.append(said(phone, SAMPLE / "phone.txt", db))
    assert "phone.txt: 4 neu (4 Fragen, 0 Plaudereien, 0 Stimmen)" in phone.stdout

    raw = run("export", "--format", "csv", "--status", "all", db=db, text=False).stdout
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nr.", "Projekt", "Status"] and rows[0][-1] == "Antwort"
    assert {row[2] for row in rows[1:]} == {"neu"}
    assert {"Chat", "Telefon"} <= {row[6] for row in rows[1:]}

    answers = tmp_path / "antworten.csv"
    answers.write_text(f"Nr.;Antwort\n{rows[1][0]};Im Herbst.\n424242;gibt es nicht\n", "utf-8")
    stored = run("import-answers", str(answers), db=db)
    outputs.append(said(stored, answers, db))
    assert "1 Antwort gespeichert, 1 Zeile nicht zugeordnet" in stored.stdout
    assert "keine Frage #424242 in diesem Event" in stored.stdout

    for args in (
        ("stats",),
        ("purge-personal-data",),  # refused without --yes
        ("export", "--format", "xlsx"),  # refused: binary to a terminal
        ("export", "--format", "md", "-o", str(answers)),  # refused: the file exists
        ("export", "--format", "csv", "-o", str(tmp_path / "fragen.csv")),
    ):
        result = run(*args, db=db, check=False)
        outputs.append(said(result, answers, tmp_path / "fragen.csv", db))
    assert "Fehler: das entfernt alle Namen" in outputs[-4]
    assert "XLSX ist binär" in outputs[-3] and "gibt es schon" in outputs[-2]
    assert "<path> geschrieben" in outputs[-1]
    found = {m.group(0) for text in outputs for m in ENGLISH.finditer(text)}
    assert not found, (found, outputs)


def test_the_english_check_can_fail() -> None:
    """The word list above catches the English sentences this issue found."""
    for sentence in ("49 new (35 questions, 4 chatter)", "1 answers stored", "wrote x"):
        assert ENGLISH.search(sentence)
    assert not ENGLISH.search("49 neu (35 Fragen, 4 Plaudereien), 1 Antwort gespeichert")


def test_counts_have_singular_and_plural(tmp_path: Path) -> None:
    one = tmp_path / "eine.txt"
    one.write_text("Wann kommt der Bus?\n", "utf-8")
    db = tmp_path / "m.db"
    german = run("import", str(one), db=db)  # the bundled event is German
    assert "eine.txt: 1 neu (1 Frage, 0 Plaudereien, 0 Stimmen)" in german.stdout
    english = run("--lang", "en", "import", str(one), db=tmp_path / "en.db")
    assert "eine.txt: 1 new (1 question, 0 chatter messages, 0 votes)" in english.stdout
    assert "1 questions" not in english.stdout
    again = run("--lang", "en", "import", str(one), db=tmp_path / "en.db")
    assert "eine.txt: 0 new (0 questions, 0 chatter messages, 0 votes)" in again.stdout


def test_the_lang_option_is_checked(tmp_path: Path) -> None:
    result = run("--lang", "fr", "events", db=tmp_path / "m.db", check=False)
    assert result.returncode == 2 and "--lang" in result.stderr


# ------------------------------------------------------------------ item 8: Ctrl+C
def _messages(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


def test_ctrl_c_during_an_import_says_what_is_stored_and_a_rerun_adds_the_rest(
    tmp_path: Path,
) -> None:
    """A real process with stderr on a terminal (a pty): the progress bar shows, Ctrl+C
    (SIGINT) ends it with exit code 130 and the number of messages really stored, and a
    second run adds exactly the rest."""
    chat = tmp_path / "meeting_saved_chat.txt"
    write_chat(chat, 6000)
    db = tmp_path / "gross.db"
    master, slave = pty.openpty()
    import fcntl
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "moderator", "--db", f"sqlite:///{db}", "--as", "T"),
            *("import", "--batch-size", "20", str(chat)),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
        cwd=ROOT,
        env={**os.environ, **ENV, "TERM": "xterm-256color", "COLUMNS": "200"},
    )
    os.close(slave)
    screen = ""

    def read(until, timeout: float = 120.0) -> bool:
        nonlocal screen
        deadline = time.monotonic() + timeout
        while not until() and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the process closed the terminal
                    return until()
                if not chunk:
                    return until()
                screen += ANSI.sub("", chunk.decode("utf-8", "replace"))
        return until()

    try:
        # The progress bar shows (German: the event is the bundled German one).
        assert read(lambda: "Nachrichten gelesen" in screen), screen[-2000:]
        assert process.poll() is None, "the import ended before Ctrl+C"
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=120)
        read(lambda: "erneut ausführen" in screen, timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert process.returncode == 130, (process.returncode, screen[-2000:])
    assert "Import abgebrochen (Strg+C)." in screen
    stored = _messages(db)
    assert 0 < stored < 6000
    match = re.search(r"meeting_saved_chat\.txt: ([\d.]+) Nachrichten? gespeichert", screen)
    assert match, screen[-2000:]
    assert int(match.group(1).replace(".", "")) == stored  # the truth, not a guess
    assert "erneut ausführen, um den Rest hinzuzufügen" in screen
    assert out == ""  # no summary of an import that did not finish

    rerun = run("import", str(chat), db=db)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{6000 - stored} neu" in rerun.stdout and f"{stored} bereits importiert" in rerun.stdout
    assert _messages(db) == 6000


def test_ctrl_c_before_the_first_batch_says_nothing_was_imported() -> None:
    kept = _ImportProgress(CliText("de"), enabled=False).kept(["chat.txt"])
    assert kept == [
        "chat.txt: nichts aus dieser Datei importiert; erneut ausführen, um sie zu importieren"
    ]
    english = _ImportProgress(CliText("en"), enabled=False).kept(["chat.txt"])
    assert english == ["chat.txt: nothing imported from this file; run again to import it"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_kept_lines_follow_the_committed_batches(language: str) -> None:
    from types import SimpleNamespace

    bar = _ImportProgress(CliText(language), enabled=False)
    batch = SimpleNamespace(read=40, summary=SimpleNamespace(new=1))
    bar.update(SimpleNamespace(source="a.txt", position=100, size=1000, batch=batch))
    bar.update(SimpleNamespace(source="b.txt", position=500, size=500, batch=batch))
    a, b = bar.kept(["a.txt", "b.txt"])
    if language == "de":
        assert a.startswith("a.txt: 1 Nachricht gespeichert; erneut ausführen")
        assert b.startswith("b.txt: 1 Nachricht gespeichert; erneut ausführen")
    else:
        assert a.startswith("a.txt: 1 message stored; run again to add the rest")
        assert b.startswith("b.txt: 1 message stored; run again")


def test_a_german_folder_import_says_why_files_are_left_out_in_german(tmp_path: Path) -> None:
    folder = tmp_path / "Webinar"
    folder.mkdir()
    (folder / "foto.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" * 50)
    (folder / ".versteckt.txt").write_text("Wann?\n", "utf-8")
    (folder / "LIESMICH.md").write_text("# Notizen\n\nEin Text über das Webinar.\n", "utf-8")
    (folder / "fragen.txt").write_text("Wann kommt der Bus?\n", "utf-8")
    result = run("import", str(folder), db=tmp_path / "m.db")
    assert result.returncode == 1  # not every file was read
    out = said(result, folder, tmp_path / "m.db")
    assert "foto.jpg: Binärdatei, kein Chat-Export" in out
    assert ".versteckt.txt: versteckte Datei, nicht gelesen" in out
    assert "LIESMICH.md: ein Textdokument" in out
    assert "fragen.txt: 1 neu (1 Frage" in out
    found = {m.group(0) for m in ENGLISH.finditer(out)}
    assert not found, (found, out)
