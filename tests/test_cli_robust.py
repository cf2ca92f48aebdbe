"""Hostile input and faults at the command line (issue 16, items 1, 10, 11, 13, 14, 15):
one line on stderr and exit code 2 instead of a traceback, nothing created by a typo,
nothing leaked, nothing echoed raw. Real processes on real files and databases."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import ROOT
from tests.test_cli import SAMPLE, copy_db


def moderator(*args: str, limit_file_size: int | None = None, **kw) -> subprocess.CompletedProcess:
    """`moderator ARGS` without a --db of its own (the test passes one or none)."""

    def limit() -> None:  # a real "disk full": the kernel refuses to grow a file further
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run(
        [sys.executable, "-m", "moderator", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=kw.pop("cwd", ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **kw.pop("env", {})},
        preexec_fn=limit if limit_file_size else None,
        **kw,
    )


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """`moderator ARGS` run in this process (the real `main`, faster than a new process)."""
    from moderator.cli import main

    def run_main(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        code = main(["--as", "Tester", *args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run_main


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The single error line; fails on a traceback or a second line."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(("moderator: error: ", "moderator: Fehler: ")), result.stderr
    return lines[0]


# ------------------------------------------------------------------ 1: folder imports
def test_folder_import_takes_every_readable_file_and_names_the_rest(cli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = cli("--db", db, "import", str(SAMPLE))
    out = result.stdout
    # The chat log, the BigBlueButton chat, the mbox, the loose .eml files and phone.txt:
    # every message of the sample event, as `moderator demo` loads it (said in German: the
    # bundled event is German).
    assert "meeting_saved_chat.txt: 98 neu" in out
    assert "public-chat]_2020-06-26_18-00.txt: 28 neu" in out
    assert "anmeldungen.mbox:" in out and "*.eml (6 files): 6 neu" in out
    assert "phone.txt: 4 neu" in out
    total = sum(
        int(line.split(": ")[1].split(" neu")[0]) for line in out.splitlines() if " neu (" in line
    )
    assert total == 140
    # Each file not taken is named with its reason, and the exit code says "not all".
    for name, reason in [
        ("make_chat.py", "unbekanntes Format"),
        ("event.toml", "unbekanntes Format"),
        ("README.md", "Textdokument"),
        ("expected.md", "Textdokument"),
        (".gitattributes", "versteckte Datei"),
    ]:
        assert any(name in line and reason in line for line in out.splitlines()), (name, out)
    assert result.returncode == 1
    again = cli("--db", db, "import", str(SAMPLE))
    assert all(": 0 neu" in line for line in again.stdout.splitlines() if " neu (" in line)


def test_folder_with_maildir_spreadsheet_and_binary(cli, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    shutil.copytree(ROOT / "tests" / "data" / "mail" / "maildir", folder / "Maildir")
    book = openpyxl.Workbook()
    book.active.append(["Name", "Frage"])
    book.active.append(["Jonas", "Wann kommen die Ladesäulen an den Stiftsplatz?"])
    book.save(folder / "fragen.xlsx")
    (folder / "foto.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" * 50)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = cli("--db", db, "import", str(folder))
    assert "fragen.xlsx: 1 neu" in result.stdout
    assert "Maildir: " in result.stdout and "Maildir: 0 neu" not in result.stdout
    assert any("foto.jpg" in line and "Binärdatei" in line for line in result.stdout.splitlines())
    assert result.returncode == 1


# ------------------------------------------------------------------ 10, 15: database URLs
def test_unsupported_url_hides_its_password_and_names_what_works(cli) -> None:
    line = one_line_error(cli("--db", "postgresx://u:pgsecret@h/db", "stats"))
    assert "pgsecret" not in line and "postgresx" in line
    line = one_line_error(cli("--db", "mysql://u:pw@h/db", "stats"))
    assert "moderator[postgres]" not in line and "mysql" in line and "sqlite" in line
    assert ":pw@" not in line
    line = one_line_error(cli("--db", "postgresql+psycopg://u:geheim@h:abc/db", "stats"))
    assert "port" in line and "geheim" not in line
    line = one_line_error(cli("--db", "nonsense:geheim@x", "stats"))
    assert "geheim" not in line


# ------------------------------------------------------------------ 14: missing databases
@pytest.mark.parametrize("command", [["export"], ["stats"], ["events"], ["stage"], ["tui"]])
def test_reading_commands_refuse_a_missing_database(
    cli, tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "tippfehler" / "moderator.db"
    line = one_line_error(cli("--db", f"sqlite:///{path}", *command))
    assert str(path) in line
    assert not path.parent.exists()


def test_adding_commands_say_they_created_the_database(cli, tmp_path: Path) -> None:
    path = tmp_path / "neu" / "moderator.db"
    questions = tmp_path / "fragen.txt"
    questions.write_text("Wann kommt der Bus?\n", "utf-8")
    result = cli("--db", f"sqlite:///{path}", "import", str(questions))
    assert result.returncode == 0, result.stderr
    assert f"Datenbank {path} angelegt" in result.stderr
    again = cli("--db", f"sqlite:///{path}", "import", str(questions))
    assert "angelegt" not in again.stderr
    assert cli("--db", f"sqlite:///{path}", "events").returncode == 0


# ------------------------------------------------------------------ 13: one line, exit 2
def test_export_into_a_missing_folder_or_onto_a_folder(cli, demo_db: str, tmp_path: Path) -> None:
    line = one_line_error(
        cli("--db", demo_db, "export", "--format", "md", "-o", str(tmp_path / "no" / "x.md"))
    )
    assert str(tmp_path / "no") in line
    folder = tmp_path / "somedir"
    folder.mkdir()
    line = one_line_error(
        cli("--db", demo_db, "export", "--format", "md", "-o", str(folder), "--force")
    )
    assert str(folder) in line and "ist ein Ordner" in line  # the demo event is German
    assert list(tmp_path.iterdir()) == [folder] and not any(folder.iterdir())


def test_disk_full_during_export_leaves_no_part_file(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "alles.json"
    result = moderator(
        "--db",
        demo_db,
        "export",
        "--status",
        "all",
        "--include-askers",
        "-o",
        str(out),
        limit_file_size=64_000,  # the export is ~150 kB; SQLite needs 32 kB
    )
    line = one_line_error(result)
    assert str(out) in line
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 400 kB file system (tmpfs): writes beyond it fail with ENOSPC, "No space
    left on device". Needs root (CI runs as root); skipped where mounting is refused."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)  # lazy: files may be open


def test_no_space_left_during_import_and_export(cli, demo_db: str, small_disk: Path) -> None:
    db_file = small_disk / "demo.db"
    db_file.write_bytes(Path(demo_db.removeprefix("sqlite:///")).read_bytes())
    db = f"sqlite:///{db_file}"
    stat = os.statvfs(small_disk)
    free = stat.f_bavail * stat.f_frsize
    # Room for SQLite's 32 kB index file, not for the log of a 500-message import or the
    # ~150 kB export.
    (small_disk / "fill").write_bytes(b"\0" * max(free - 64_000, 0))
    chat = small_disk.parent / "chat.txt"
    chat.write_text(
        "".join(
            f"18:{i // 60:02d}:{i % 60:02d} From  Gast {i}  to  Everyone:\n"
            f"\tWie geht es mit Projekt Nummer {i} weiter, und wann genau?\n"
            for i in range(500)
        ),
        "utf-8",
    )
    one_line_error(cli("--db", db, "import", str(chat)))
    out = small_disk / "alles.json"
    line = one_line_error(
        cli("--db", db, "export", "--status", "all", "--include-askers", "-o", str(out))
    )
    assert str(out) in line and "kein Platz mehr auf dem Datenträger" in line  # German event
    assert not [p.name for p in small_disk.iterdir() if p.name.startswith("alles")]
    assert cli("--db", db, "stats").returncode == 0  # the database is still usable


def test_corrupt_sqlite_page_is_one_line_without_sql(cli, tmp_path: Path, demo_db: str) -> None:
    db = copy_db(demo_db, tmp_path)
    path = Path(db.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'messages'"
        ).fetchone()[0]
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = b"\xa5" * page_size  # the messages table's root page
    path.write_bytes(bytes(data))
    line = one_line_error(cli("--db", db, "export", "--status", "all"))
    assert "SELECT" not in line and "malformed" in line


def xlsx_with_entities(tmp_path: Path, name: str, doctype: str, entity: str) -> Path:
    base = tmp_path / "base.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Fragen"
    sheet.append(["id", "Frage", "answer"])
    sheet.append([1, "PLACEHOLDER", "x"])
    book.save(base)
    target = tmp_path / name
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                text = doctype + text.replace("PLACEHOLDER", entity)
                data = text.encode()
            zout.writestr(item, data)
    base.unlink()
    return target


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("kind", ["laughs", "xxe"])
def test_entity_attacks_in_xlsx(cli, demo_db: str, tmp_path: Path, kind: str) -> None:
    doctype, entity = (LAUGHS, "&lol9;") if kind == "laughs" else (XXE, "&xxe;")
    book = xlsx_with_entities(tmp_path, "boese.xlsx", doctype, entity)
    db = copy_db(demo_db, tmp_path)
    result = cli("--db", db, "import", str(book))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "boese.xlsx" in result.stdout and "keine lesbare XLSX" in result.stdout  # German event
    line = one_line_error(cli("--db", db, "import-answers", str(book)))
    assert "boese.xlsx" in line and "root:" not in line


def test_answers_with_a_huge_id_keep_the_valid_rows(cli, demo_db: str, tmp_path: Path) -> None:
    db = copy_db(demo_db, tmp_path)
    answers = tmp_path / "antworten.csv"
    first = cli("--db", db, "export", "--format", "csv").stdout.splitlines()[1].split(";")[0]
    answers.write_text(f"id;answer\n{10**22};zu groß\n{first};Die Stadt prüft das.\n", "utf-8")
    result = cli("--db", db, "import-answers", str(answers))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "1 Antwort gespeichert" in result.stdout and str(10**22) in result.stdout
    assert "Die Stadt prüft das." in cli("--db", db, "export", "--format", "md").stdout


def test_answer_for_a_merged_question_says_where_it_went(cli, demo_db: str, tmp_path: Path) -> None:
    from moderator.config import load_config
    from moderator.services import open_event
    from moderator.storage.db import Database

    db = copy_db(demo_db, tmp_path)
    database = Database(db)
    try:
        config = load_config(SAMPLE / "event.toml")
        service = open_event(database, config, moderator="T", update_config=False)
        source, target = [g.id for g in service.groups()][:2]
        service.merge(source, target)
    finally:
        database.dispose()
    answers = tmp_path / "antworten.csv"
    answers.write_text(f"id;answer\n{source};Eine Antwort\n", "utf-8")
    result = cli("--db", db, "import-answers", str(answers))
    assert result.returncode == 1
    assert f"#{source}" in result.stdout and f"#{target}" in result.stdout
    assert "zusammengeführt" in result.stdout


# ------------------------------------------------------------------ 11: printable output
def test_escapes_from_user_data_are_shown_not_obeyed(cli, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    evil = folder / "frage\x1bc\x1b]0;pwned\x07.txt"
    evil.write_text("Wann kommt der Bus?\n", "utf-8")
    mail = folder / "kaputt.eml"
    mail.write_bytes(
        b"From: Dora <d@example.de>\r\nMessage-ID: <esc\x1bc@example.de>\r\n"
        b"Content-Type: application/octet-stream\r\n\r\n\x01\x02\r\n"
    )
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = cli("--db", db, "import", str(evil), str(mail))
    output = result.stdout + result.stderr
    assert "\x1b" not in output and "\x07" not in output
    assert "frage\\x1bc\\x1b]0;pwned\\x07.txt" in output
    assert "esc\\x1bc@example.de" in output


# ------------------------------------------------------------------ 15: smaller ones
def test_forced_eml_format_refuses_a_binary_file(cli, tmp_path: Path) -> None:
    binary = tmp_path / "foto.jpg"
    binary.write_bytes(bytes(range(256)) * 20)
    db = f"sqlite:///{tmp_path / 'm.db'}"
    result = cli("--db", db, "import", "--format", "eml", str(binary))
    assert result.returncode == 1
    assert "foto.jpg" in result.stdout and "Binärdatei" in result.stdout
    assert "1 neu" not in result.stdout


def test_watch_on_a_missing_path_says_so(cli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    missing = tmp_path / "gibts-nicht" / "chat.txt"
    line = one_line_error(cli("--db", db, "watch", str(missing)))
    assert str(tmp_path / "gibts-nicht") in line
    # A chat file not saved yet (its folder exists) is waited for, and the wait is said.
    later = tmp_path / "meeting_saved_chat.txt"
    process = subprocess.Popen(
        [sys.executable, "-m", "moderator", "--db", db, "watch", str(later)],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    try:
        assert process.stderr is not None
        lines = [process.stderr.readline() for _ in range(2)]
        assert any(str(later) in line and "warte darauf" in line for line in lines), lines
    finally:
        process.terminate()
        process.wait(30)


# ------------------------------------------------------------------ 14: a refused --config
def test_a_broken_configuration_creates_no_database(cli, tmp_path: Path) -> None:
    """Found by scripts/probe_hostile.py: `--config` with a broken file created the
    database (and said so) before the file was read and refused."""
    config = tmp_path / "event.toml"
    default = (ROOT / "src/moderator/data/default_event.toml").read_text("utf-8")
    questions = tmp_path / "fragen.txt"
    questions.write_text("Wann kommt der Bus?\n", "utf-8")
    path = tmp_path / "neu" / "moderator.db"
    for broken in (
        default.replace('slug = "smart-cities-kl"', 'slug = "' + "s" * 201 + '"'),
        default.replace("[event]", "[event"),
    ):
        config.write_text(broken, "utf-8")
        for command in (["import", str(questions)], ["stats"]):
            line = one_line_error(
                cli("--db", f"sqlite:///{path}", "--config", str(config), *command)
            )
            assert "event.toml" in line
            assert not path.parent.exists()


@pytest.mark.postgres
def test_a_broken_configuration_creates_no_tables(cli, tmp_path: Path, postgres_url: str) -> None:
    from moderator.storage.db import Database

    config = tmp_path / "event.toml"
    config.write_text("[event]\nslug = 'x'\n[[projects]]\nkey = 'a'\n", "utf-8")
    line = one_line_error(cli("--db", postgres_url, "--config", str(config), "stats"))
    assert "event.toml" in line and "name" in line
    db = Database(postgres_url)
    try:
        assert db.check() is None
        with db.engine.connect() as conn:
            tables = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).scalar()
    finally:
        db.dispose()
    assert tables == 0
