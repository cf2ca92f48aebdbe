"""80x24 is a first-class size: live-queue titles readable, "? Hilfe" in the footer, the
status line whole; and the footer's last column belongs to its last key (no stray
character from the keys scrolled beneath the palette key)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from moderator.domain.models import QueueState
from moderator.ui.modals import ActivityScreen
from moderator.ui.status import StatusBar
from tests.ui.helpers import make_app, plain, seed, settle, wait_until


def _footer_keys(app) -> dict[str, FooterKey]:
    footer = app.screen.query_one(Footer)
    return {key.key: key for key in footer.query(FooterKey)}


async def _ready(app, pilot) -> None:
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: len(app.main_screen.live_list.rows) == 3)
    await settle(app, pilot)


def _live_event(service) -> dict[str, int]:
    ids = seed(service)
    for name in ("Anna", "Carla", "Eva"):
        service.send_live(ids[name])
    return ids


async def test_80x24_live_titles_footer_help_and_whole_status_line(sqlite_service, clock):
    _live_event(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot)
        screen = app.main_screen
        live = screen.live_list
        lines = [live.render_line(y).text for y in range(3)]
        # The titles keep their words (it was "Wann k…" with six characters).
        assert "Wann kommen die Paketstat" in lines[0], lines
        assert "Fahren die autonomen Buss" in lines[1], lines
        # The footer keeps "? Hilfe" whole, left of the palette key.
        keys = _footer_keys(app)
        help_key, palette = keys["question_mark"], keys["ctrl+p"]
        assert help_key.region.x == 0 and help_key.region.right <= palette.region.x
        assert plain(help_key.render()).strip() == "? Hilfe"
        # The status line: every count there, nothing cut (the title gives way first).
        status = screen.query_one(StatusBar)
        first, second = plain(status.content).splitlines()[:2]
        width = status.content_region.width
        assert cell_len(first) <= width and cell_len(second) <= width
        assert "…" not in second
        for shown in ("neu 3", "live 3", "▶ 0", "später 0", "verworfen 0", "1 Plaud."):
            assert shown in second
        assert "0:0" in first and "1:1" in first and "⏱" in first


@pytest.mark.parametrize("width", [80, 120, 140])
async def test_the_footer_ends_with_the_palette_key(sqlite_service, clock, width):
    """At 140 columns tmux showed "^p palettee": the palette key stood one column short of
    the edge and the last column showed a key scrolled beneath it."""
    seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(app, pilot)
        palette = _footer_keys(app)["ctrl+p"]
        assert palette.region.right == width
        assert plain(palette.render()).strip() == "^p Befehle"
        footer = app.screen.query_one(Footer)
        assert footer.region.right == width


async def test_who_did_what_keeps_its_title_and_hint_at_80x24(sqlite_service, clock):
    ids = seed(sqlite_service)
    for gid in ids.values():  # more lines than the screen has
        sqlite_service.tag(gid, "dialog")
        sqlite_service.move(gid, QueueState.LATER)
        sqlite_service.move(gid, QueueState.NEW)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ActivityScreen)
        scroll = screen.query_one("#activity-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0  # it scrolls rather than pushing the hint away
        hint = screen.query(Static).last()
        assert "Esc schließt" in plain(hint.content)
        assert hint.region.height == 1 and hint.region.bottom <= 24
        box = screen.query_one(".modal").region
        assert hint.region.bottom <= box.bottom - 1  # inside the frame, not cut by it
