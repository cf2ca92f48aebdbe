"""Shared set-up for the console tests: a seeded event and a way to wait for workers."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from textual.pilot import Pilot

from moderator.config import load_default_config
from moderator.domain.models import Channel, Kind
from moderator.services import EventService, open_event
from moderator.storage.db import Database
from moderator.ui.app import ModeratorApp
from moderator.ui.main_screen import MainScreen
from tests.factories import msg

QUESTIONS = [
    ("Anna", "Wann kommen die Paketstationen in die Innenstadt?"),
    ("Bernd", "Wird es einen Livestream der Stadtratssitzungen geben?"),
    ("Carla", "Fahren die autonomen Busse auch am Wochenende?"),
    ("Dieter", "Hallo zusammen, schön dass es losgeht!"),
    ("Eva", "Wie funktioniert das Lotsensystem für Blinde mit Beacons?"),
    ("Frank", "Welche Daten sammeln die Sensoren an den Straßenlaternen?"),
    ("Gül", "Wann kommen die Paketstationen in die Innenstadt??"),
]


def seed(service: EventService) -> dict[str, int]:
    """Import the questions; returns author -> group id (chatter has none)."""
    service.import_messages(
        [
            msg(n, text, author=author, kind=Kind.CHATTER if author == "Dieter" else None)
            for n, (author, text) in enumerate(QUESTIONS, start=1)
        ],
        source="seed",
    )
    return {s.author: s.id for s in service.summaries() if s.author}


def second_moderator(service: EventService, clock) -> EventService:
    """Bea, at another console on the same database."""
    return open_event(service.db, load_default_config(), moderator="Bea", clock=clock)


@contextmanager
def laptops(clock, *seats: tuple[str, str]) -> Iterator[list[EventService]]:
    """A service per (database URL, moderator name), each on an engine of its own as on
    separate laptops; the first brings the schema up to date."""
    engines: list[Database] = []
    try:
        services = []
        for url, name in seats:
            db = Database(url)
            if not engines:
                db.upgrade()
            engines.append(db)
            services.append(open_event(db, load_default_config(), moderator=name, clock=clock))
        yield services
    finally:
        for db in engines:
            db.dispose()


def notes(app: ModeratorApp) -> list[str]:
    return [n.message for n in app._notifications]


def make_app(service: EventService, clock, **kw) -> ModeratorApp:
    kw.setdefault("detail_delay", 0)  # tests read the detail at once; one test debounces
    return ModeratorApp(service, clock=clock, poll_interval=kw.pop("poll_interval", 0.1), **kw)


async def settle(app: ModeratorApp, pilot: Pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages be handled (actions post, then detail loads)."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def wait_until(pilot: Pilot, condition, *, steps: int = 40, step: float = 0.05) -> bool:
    """Poll `condition` while the app runs, at most steps * step seconds."""
    for _ in range(steps):
        if condition():
            return True
        await pilot.pause(step)
    return condition()


async def select(app: ModeratorApp, pilot: Pilot, group_id: int) -> MainScreen:
    screen = app.main_screen
    assert screen.main_list.select_id(group_id), f"#{group_id} not in the list"
    await settle(app, pilot)
    return screen


def fill(app: ModeratorApp, selector: str, text: str) -> None:
    """Put text into a field of the open modal (typing it key by key is slow in tests)."""
    from textual.widgets import Input, TextArea

    widget = app.screen.query_one(selector)
    if isinstance(widget, TextArea):
        widget.text = text
    else:
        assert isinstance(widget, Input)
        widget.value = text
        widget.focus()


def plain(renderable) -> str:
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def count_calls(obj: Any, name: str) -> list[tuple]:
    """Wrap one instance's method so each call is recorded (its arguments) and still runs."""
    calls: list[tuple] = []
    method: Callable = getattr(obj, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return method(*args, **kwargs)

    setattr(obj, name, counted)
    return calls


__all__ = [
    "Channel",
    "count_calls",
    "fill",
    "laptops",
    "make_app",
    "notes",
    "plain",
    "second_moderator",
    "seed",
    "select",
    "settle",
    "wait_until",
]
