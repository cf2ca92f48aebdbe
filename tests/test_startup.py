"""`moderator` starts fast: a command loads only what it uses.

Each probe runs `main()` in a fresh interpreter and reports which heavy libraries ended up in
`sys.modules`: alembic, SQLAlchemy, Textual and numpy cost about a second of CPU together,
which `--help`, `--version` and a mistyped argument do not need; a database already at the
newest schema does not need alembic, nor a JSON export Jinja2 (HTML) or openpyxl (XLSX).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import inspect

from moderator.storage.db import MIGRATIONS, Database, head_revision, written_head
from tests.conftest import ROOT

HEAVY = ("alembic", "sqlalchemy", "textual", "numpy", "jinja2", "openpyxl")

PROBE = f"""
import json, sys
from moderator.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
loaded = {{name.split(".")[0] for name in sys.modules}} & {set(HEAVY)!r}
print(json.dumps({{"code": code, "loaded": sorted(loaded)}}), file=sys.stderr)
"""


def probe(*argv: str) -> tuple[dict, subprocess.CompletedProcess]:
    """Run `moderator *argv` in a new interpreter: its exit code and the heavy libraries it
    imported (the probe's last line on stderr), and the process."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return report, result


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (["--help"], 0, "moderator"),
        (["--version"], 0, "moderator 0.1.0"),
        (["export", "--help"], 0, "--format"),
        (["--lang", "de", "--help"], 0, "Befehle"),
        (["frobnicate"], 2, "frobnicate"),
        (["import"], 2, "import"),
    ],
)
def test_help_version_and_argument_errors_load_no_heavy_library(
    argv: list[str], code: int, says: str
) -> None:
    report, result = probe(*argv)
    assert report["code"] == code
    assert says in result.stdout + result.stderr  # the command did its job, it did not crash
    assert report["loaded"] == []


def test_a_data_command_on_a_current_database_loads_no_alembic(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'current.db'}"
    db = Database(url)
    db.upgrade()
    db.dispose()
    report, result = probe("--db", url, "export", "--format", "json")
    assert report["code"] == 0, result.stderr
    assert json.loads(result.stdout) is not None
    assert "sqlalchemy" in report["loaded"]  # the probe does see what a command imports
    assert not {"alembic", "textual", "jinja2", "openpyxl"} & set(report["loaded"])


def test_a_new_database_is_created_with_alembic(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    phone = ROOT / "sample_data" / "phone.txt"
    report, result = probe("--db", url, "import", str(phone))
    assert report["code"] == 0, result.stderr
    assert "alembic" in report["loaded"]
    assert Database(url, create=False).current_revision() == head_revision()


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert written_head() == head_revision() != ""


def test_a_database_one_version_behind_is_upgraded(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    before = db.current_revision()
    assert before is not None and before != head_revision()
    assert db.upgrade() == head_revision()
    assert db.current_revision() == head_revision()
    assert set(inspect(db.engine).get_table_names()) == tables
    db.dispose()
