"""Live watching: a growing chat file and a mail folder reach the database by themselves."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from moderator.domain.models import Kind
from moderator.services import EventService
from moderator.services.ingesting import FileFollower, watch
from tests.conftest import ROOT

HEADER = "\ufeff"


def zoom_line(clock: str, name: str, text: str) -> str:
    return f"{clock} From  {name}  to  Everyone:\r\n\t{text}\r\n"


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_growing_chat_file_is_followed(sqlite_service: EventService, tmp_path: Path) -> None:
    chat = tmp_path / "meeting_saved_chat.txt"
    chat.write_text(HEADER + zoom_line("18:01:00", "Anna Beispiel", "Guten Abend!"), "utf-8")
    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(sqlite_service, [str(chat)]),
        kwargs={"interval": 0.1, "stop": stop},
        daemon=True,
    )
    thread.start()
    try:
        assert wait_for(lambda: len(sqlite_service.messages()) == 1)
        with chat.open("a", encoding="utf-8", newline="") as handle:
            handle.write(
                zoom_line("18:05:00", "Jonas Weber", "Wann werden die Paketstationen aufgestellt?")
            )
        assert wait_for(lambda: any(m.kind == Kind.QUESTION for m in sqlite_service.messages()))
        with chat.open("a", encoding="utf-8", newline="") as handle:
            handle.write(zoom_line("18:06:00", "Petra Kühn", "+1"))
        assert wait_for(lambda: sqlite_service.groups()[0].votes == 2)
    finally:
        stop.set()
        thread.join(5)
    assert len(sqlite_service.messages()) == 3  # nothing imported twice


def test_last_message_waits_until_complete(sqlite_service: EventService, tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        zoom_line("18:01:00", "Anna", "Wie viele Sensoren gibt es?")
        + "18:02:00 From  Ben  to  Everyone:\r\n\tWie wird der",
        "utf-8",
    )
    follower = FileFollower(sqlite_service, chat)
    follower.poll()
    assert [m.text for m in sqlite_service.messages()] == ["Wie viele Sensoren gibt es?"]
    with chat.open("a", encoding="utf-8", newline="") as handle:
        handle.write(" Datenschutz gewahrt?\r\n")
    follower.poll()  # changed: still held back
    follower.poll()  # unchanged since: now complete
    texts = [m.text for m in sqlite_service.messages()]
    assert texts == ["Wie viele Sensoren gibt es?", "Wie wird der Datenschutz gewahrt?"]


def test_mail_folder_is_followed(sqlite_service: EventService, tmp_path: Path) -> None:
    folder = tmp_path / "eingang"
    folder.mkdir()
    mails = sorted((ROOT / "sample_data" / "mail").glob("*.eml"))
    shutil.copy(mails[0], folder / mails[0].name)
    follower = FileFollower(sqlite_service, folder)
    follower.poll()
    follower.poll()
    assert len(sqlite_service.messages()) == 1
    shutil.copy(mails[1], folder / mails[1].name)
    follower.poll()
    follower.poll()
    assert len(sqlite_service.messages()) == 2
