"""A few stable screenshots of the main layouts (fixed size, clock and data)."""

from __future__ import annotations

from moderator.ui.stage import StageApp
from tests.ui.helpers import make_app, seed, settle, wait_until

SIZE = (120, 40)


def _event(service):
    ids = seed(service)
    service.tag(ids["Bernd"], "dialog")
    for name in ("Anna", "Carla", "Eva"):
        service.send_live(ids[name])
    service.advance(ids["Anna"])
    return ids


def test_main_screen(snap_compare, sqlite_service, clock):
    _event(sqlite_service)
    app = make_app(sqlite_service, clock, poll_interval=60)

    async def ready(pilot):
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_main_screen_presenting_with_live_focus(snap_compare, sqlite_service, clock):
    _event(sqlite_service)
    app = make_app(sqlite_service, clock, poll_interval=60, language="en")

    async def ready(pilot):
        await settle(app, pilot)
        await pilot.press("p", "5", "w")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_help_screen(snap_compare, sqlite_service, clock):
    _event(sqlite_service)
    app = make_app(sqlite_service, clock, poll_interval=60)

    async def ready(pilot):
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_stage_view(snap_compare, sqlite_service, clock):
    _event(sqlite_service)
    app = StageApp(sqlite_service, poll_interval=60)

    async def ready(pilot):
        await wait_until(pilot, lambda: app.data is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_main_screen_small_terminal(snap_compare, sqlite_service, clock):
    """100x30: the list on top at full width, live queue and detail side by side."""
    _event(sqlite_service)
    app = make_app(sqlite_service, clock, poll_interval=60)

    async def ready(pilot):
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=ready)


def test_main_screen_80x24(snap_compare, sqlite_service, clock):
    """80x24, a first-class size: the live queue's titles readable, "? Hilfe" in the
    footer, the status line whole."""
    _event(sqlite_service)
    app = make_app(sqlite_service, clock, poll_interval=60)

    async def ready(pilot):
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_help_screen_80x24(snap_compare, sqlite_service, clock):
    """The help at 80x24: how to quit on top, the first task's keys, the hint at the
    bottom; the rest scrolls."""
    _event(sqlite_service)
    app = make_app(sqlite_service, clock, poll_interval=60)

    async def ready(pilot):
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_main_screen_140_columns(snap_compare, sqlite_service, clock):
    """The footer ends with the palette key, its last column too (it showed
    "^p palettee" at 140 columns)."""
    _event(sqlite_service)
    app = make_app(sqlite_service, clock, poll_interval=60)

    async def ready(pilot):
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(140, 40), run_before=ready)
