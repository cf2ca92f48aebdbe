"""Which day and time zone a chat's bare times ("18:00:05") get: the path's date, else the
event's `starts_at`, else the file's modification time, in the event's time zone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from moderator.config import ConfigError, load_default_config, parse_config
from moderator.services import open_event
from moderator.services.exporting import export_json
from moderator.services.ingesting import FileFollower, import_paths
from tests.conftest import ROOT

CHAT = ROOT / "tests" / "data" / "chat" / "zoom_en_meeting_saved_chat.txt"
BERLIN = ZoneInfo("Europe/Berlin")


def _chat_without_date(tmp_path: Path, folder: str = "Community call") -> Path:
    target = tmp_path / folder / "meeting_saved_chat.txt"
    target.parent.mkdir(parents=True)
    shutil.copy(CHAT, target)
    # A modification time far from the event's day, so the two sources differ.
    modified = datetime(2021, 3, 4, 12, 0, tzinfo=BERLIN).timestamp()
    os.utime(target, (modified, modified))
    return target


def _service(database, clock, **changes):
    config = replace(load_default_config(), **changes)
    return open_event(database, config, moderator="Anna", clock=clock)


def _first_time(service) -> datetime:
    doc = json.loads(export_json(service))
    times = sorted(m["received_at"] for m in doc["messages"] if m["received_at"])
    return datetime.fromisoformat(times[0]).astimezone(UTC)


def test_event_date_is_used_and_said(database, clock, tmp_path: Path) -> None:
    chat = _chat_without_date(tmp_path)
    service = _service(database, clock, starts_at=datetime(2020, 6, 19, 18, 0, tzinfo=BERLIN))
    (summary,) = import_paths(service, [chat])
    # 18:00:05 in Berlin (summer time) is 16:00:05 UTC on the event's day, not today.
    assert _first_time(service) == datetime(2020, 6, 19, 16, 0, 5, tzinfo=UTC)
    assert summary.notes == [
        "meeting_saved_chat.txt: kein Datum im Pfad; Datum 2020-06-19 aus der Veranstaltung "
        "(starts_at), Uhrzeiten in Europe/Berlin"
    ]
    assert not summary.skipped


def test_modification_time_without_event_date_in_english(database, clock, tmp_path) -> None:
    chat = _chat_without_date(tmp_path)
    service = _service(database, clock, starts_at=None, language="en")
    (summary,) = import_paths(service, [chat])
    # 4 March 2021 is winter time: 18:00:05 in Berlin is 17:00:05 UTC.
    assert _first_time(service) == datetime(2021, 3, 4, 17, 0, 5, tzinfo=UTC)
    assert len(summary.notes) == 1
    assert "date 2021-03-04 from the file's modification time" in summary.notes[0]


def test_date_in_the_folder_wins_and_needs_no_note(database, clock, tmp_path) -> None:
    chat = _chat_without_date(tmp_path, folder="2020-06-19 18.00.00 Community call")
    service = _service(database, clock, starts_at=datetime(2020, 7, 1, 18, 0, tzinfo=BERLIN))
    (summary,) = import_paths(service, [chat])
    assert _first_time(service) == datetime(2020, 6, 19, 16, 0, 5, tzinfo=UTC)
    assert summary.notes == []


def test_times_take_the_event_time_zone(database, clock, tmp_path) -> None:
    chat = _chat_without_date(tmp_path, folder="2020-06-19 Community call")
    service = _service(database, clock, timezone="America/New_York")
    import_paths(service, [chat])
    # 18:00:05 in New York (EDT, UTC-4) is 22:00:05 UTC.
    assert _first_time(service) == datetime(2020, 6, 19, 22, 0, 5, tzinfo=UTC)


def test_followed_file_says_the_day_once(database, clock, tmp_path) -> None:
    chat = _chat_without_date(tmp_path)
    service = _service(database, clock, starts_at=datetime(2020, 6, 19, 18, 0, tzinfo=BERLIN))
    follower = FileFollower(service, chat)
    first = follower.poll()
    assert first is not None and len(first.notes) == 1
    with chat.open("a", encoding="utf-8") as handle:
        handle.write("18:59:00 From  Late Joiner  to  Everyone:\n\tIs there a recording?\n")
    later = [s for s in (follower.poll(), follower.poll()) if s is not None]
    assert later and all(s.notes == [] for s in later)
    assert _first_time(service) == datetime(2020, 6, 19, 16, 0, 5, tzinfo=UTC)


def test_timezone_setting_is_checked_and_applied_to_a_local_start() -> None:
    assert load_default_config().timezone == "Europe/Berlin"
    base = '[[projects]]\nkey = "a"\nname = "A"\n'
    config = parse_config(
        '[event]\nslug = "x"\nstarts_at = 2020-06-19T18:00:00\ntimezone = "Asia/Tokyo"\n' + base,
        source="event.toml",
    )
    assert config.timezone == "Asia/Tokyo"
    assert config.starts_at == datetime(2020, 6, 19, 18, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    with pytest.raises(ConfigError, match=r"e\.toml:3: timezone 'Mars/Olympus'"):
        parse_config('[event]\nslug = "x"\ntimezone = "Mars/Olympus"\n' + base, source="e.toml")


def test_cli_import_prints_the_note_and_exports_the_event_day(tmp_path: Path) -> None:
    chat = _chat_without_date(tmp_path)
    event = tmp_path / "event.toml"
    event.write_text(
        '[event]\nslug = "call"\nlanguage = "en"\nstarts_at = 2020-06-19T18:00:00+02:00\n'
        '[[projects]]\nkey = "a"\nname = "A"\n',
        "utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    db = f"sqlite:///{tmp_path / 'm.db'}"
    base = [sys.executable, "-m", "moderator", "--db", db, "--as", "Tester"]
    imported = subprocess.run(
        [*base, "import", "--config", str(event), str(chat)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )
    assert "no date in the path; date 2020-06-19 from the event (starts_at)" in imported.stdout
    exported = subprocess.run(
        [*base, "export", "--format", "json", "--status", "all"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )
    days = {m["received_at"][:10] for m in json.loads(exported.stdout)["messages"]}
    assert days == {"2020-06-19"}


def test_a_folder_import_gives_its_chat_the_event_date(database, clock, tmp_path) -> None:
    chat = _chat_without_date(tmp_path)
    service = _service(database, clock, starts_at=datetime(2020, 6, 19, 18, 0, tzinfo=BERLIN))
    summaries = import_paths(service, [chat.parent])
    (summary,) = [s for s in summaries if s.new]
    assert _first_time(service) == datetime(2020, 6, 19, 16, 0, 5, tzinfo=UTC)
    assert any("2020-06-19" in note and "starts_at" in note for note in summary.notes)
