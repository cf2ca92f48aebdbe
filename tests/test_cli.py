"""The command line, run as a user would: a real process on a real database file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from tests.conftest import ROOT

SAMPLE = ROOT / "sample_data"


def run(
    *args: str, db: str, check: bool = True, env_extra: dict[str, str] | None = None, **kw
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "moderator", "--db", db, "--as", "Tester", *args],
        capture_output=True,
        text=kw.pop("text", True),
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env_extra or {})},
        **kw,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr}")
    return result


def copy_db(demo_db: str, tmp_path: Path) -> str:
    source = Path(demo_db.removeprefix("sqlite:///"))
    target = tmp_path / "copy.db"
    target.write_bytes(source.read_bytes())
    return f"sqlite:///{target}"


def test_import_twice_adds_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    chat = next((SAMPLE / "zoom").rglob("meeting_saved_chat.txt"))
    first = run("import", str(chat), str(SAMPLE / "mail"), db=db)
    assert "98 neu" in first.stdout and "vorgeschlagene Projekte:" in first.stdout
    # the projects by the names the console shows, not by their configuration keys
    projects = next(line for line in first.stdout.splitlines() if "Projekte:" in line)
    assert "Allgemeine Fragen" in projects and "general" not in projects
    second = run("import", str(chat), str(SAMPLE / "mail"), db=db)
    assert "0 neu" in second.stdout and "98 bereits importiert" in second.stdout


def test_import_reports_skipped_with_exit_code(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" * 50)
    good = tmp_path / "fragen.txt"
    good.write_text("Wann kommen die Ladesäulen in die Innenstadt?\n", "utf-8")
    result = run("import", str(binary), str(good), db=db, check=False)
    assert result.returncode == 1
    assert "photo.jpg" in result.stdout and "Binärdatei" in result.stdout
    assert "fragen.txt: 1 neu" in result.stdout


def test_export_json_and_markdown_from_demo(demo_db: str) -> None:
    doc = json.loads(run("export", "--format", "json", "--status", "all", db=demo_db).stdout)
    assert doc["schema_version"] == 2 and doc["personal_data"] is False
    # 10 mails, one of them (three bulleted questions) divided on import: two more messages
    assert len(doc["messages"]) == 98 + 28 + 10 + 2 + 4
    assert {m["channel"] for m in doc["messages"]} == {"chat", "email", "phone"}
    default = json.loads(run("export", "--format", "json", db=demo_db).stdout)
    assert {g["state"] for g in default["groups"]} <= {"new", "later"}
    md = run("export", "--format", "md", "--status", "all", db=demo_db).stdout
    assert md.index("## Dialog Zivilgesellschaft") < md.index("## Allgemeine Fragen")
    assert "Petra Kühn" not in md


def test_export_refuses_existing_file(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "qa.html"
    out.write_text("keep me", "utf-8")
    result = run("export", "--format", "html", "-o", str(out), db=demo_db, check=False)
    assert result.returncode == 2 and "--force" in result.stderr
    assert out.read_text("utf-8") == "keep me"
    run("export", "--format", "html", "-o", str(out), "--force", db=demo_db)
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")


def test_xlsx_answers_round_trip(demo_db: str, tmp_path: Path) -> None:
    db = copy_db(demo_db, tmp_path)
    xlsx = tmp_path / "fragen.xlsx"
    run("export", "--format", "xlsx", "-o", str(xlsx), db=db)
    book = openpyxl.load_workbook(xlsx)
    sheet = book["Fragen"]
    header = [c.value for c in sheet[1]]
    id_col, answer_col = header.index("Nr.") + 1, header.index("Antwort") + 1
    first_id = sheet.cell(row=2, column=id_col).value
    sheet.cell(row=2, column=answer_col, value="Die Stadt prüft das bis Herbst.")
    sheet.cell(row=3, column=id_col, value=999999)
    sheet.cell(row=3, column=answer_col, value="gibt es nicht")
    book.save(xlsx)
    result = run("import-answers", str(xlsx), db=db, check=False)
    assert result.returncode == 1  # one row could not be matched
    assert "1 Antwort gespeichert" in result.stdout and "999999" in result.stdout
    md = run("export", "--format", "md", db=db).stdout
    assert "Die Stadt prüft das bis Herbst." in md
    doc = json.loads(run("export", "--format", "json", "--status", "all", db=db).stdout)
    assert next(g for g in doc["groups"] if g["id"] == int(first_id))["answer"]


def test_csv_is_german_excel(demo_db: str) -> None:
    raw = run("export", "--format", "csv", db=demo_db, text=False).stdout
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Nr." and len(rows) > 10


def test_stats_and_purge(demo_db: str, tmp_path: Path) -> None:
    db = copy_db(demo_db, tmp_path)
    stats = run("stats", db=db).stdout
    assert "Lokale Logistik" in stats
    refused = run("purge-personal-data", db=db, check=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    run("purge-personal-data", "--yes", db=db)
    doc = json.loads(
        run("export", "--format", "json", "--status", "all", "--include-askers", db=db).stdout
    )
    assert all(m["author"] is None and m["author_email"] is None for m in doc["messages"])
    assert len(doc["messages"]) == 142  # 140 imported, a mail divided into three


def test_help_everywhere() -> None:
    for args in ([], ["demo"], ["import"], ["export"], ["watch"], ["db", "upgrade"], ["stage"]):
        for lang, usage in (("en", "usage: moderator"), ("de", "Aufruf: moderator")):
            result = subprocess.run(
                [sys.executable, "-m", "moderator", "--lang", lang, *args, "--help"],
                capture_output=True,
                text=True,
                timeout=60,
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )
            assert result.returncode == 0 and usage in result.stdout, result.stdout


def test_settings_file_gives_name_and_database(tmp_path: Path) -> None:
    """A moderator sets name and the team's database once, in settings.toml."""
    config_home = tmp_path / "config"
    settings = config_home / "moderator" / "settings.toml"
    settings.parent.mkdir(parents=True)
    team_db = tmp_path / "team.db"
    settings.write_text(f'name = "Anna"\ndb = "sqlite:///{team_db}"\n', "utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MODERATOR_DB", "MODERATOR_NAME")}
    env |= {"PYTHONPATH": str(ROOT / "src"), "XDG_CONFIG_HOME": str(config_home)}
    pasted = tmp_path / "fragen.txt"
    pasted.write_text("Gibt es WLAN am Stiftsplatz?\n", "utf-8")

    def moderator(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "moderator", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env=env,
        )

    imported = moderator("import", "--channel", "phone", str(pasted))
    assert imported.returncode == 0, imported.stderr
    assert team_db.exists()  # the database named in the settings, not the default one
    pasted.write_text("Wann fährt der autonome Bus?\n", "utf-8")
    imported = moderator("--as", "Bea", "import", "--channel", "phone", str(pasted))
    assert imported.returncode == 0, imported.stderr  # --as wins over the file
    from moderator.config import load_default_config
    from moderator.services import open_event
    from moderator.storage.db import Database

    db = Database(f"sqlite:///{team_db}")
    try:
        service = open_event(db, load_default_config(), moderator="Check", update_config=False)
        names = [a.moderator for a in reversed(service.history(limit=None))]
        assert names == ["Anna", "Bea"]
    finally:
        db.dispose()
    # A broken file is one clear error naming it.
    settings.write_text('name = "Anna"\nfarbe = "blau"\n', "utf-8")
    broken = moderator("stats")
    assert broken.returncode != 0
    assert "settings.toml" in broken.stderr and "farbe" in broken.stderr
    settings.write_text('name = "Anna\n', "utf-8")
    broken = moderator("stats")
    assert "settings.toml" in broken.stderr and "line 1" in broken.stderr
