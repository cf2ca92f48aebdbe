"""Keys answer in the next frame: an own write is shown as forecast (marked as being
saved) while the database is busy, and confirmed only once it has committed."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from moderator.domain.models import QueueState
from moderator.ui.model import Pending
from tests.ui.helpers import count_calls, make_app, notes, seed, select, settle, wait_until

S = QueueState


@contextmanager
def another_writer(sqlite_url: str) -> Iterator[sqlite3.Connection]:
    """A real second writer (another process, say) holding SQLite's write lock."""
    blocker = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        yield blocker
    finally:
        blocker.execute("COMMIT")
        blocker.close()


def line(lst, y: int) -> str:
    return "".join(segment.text for segment in lst.render_line(y))


async def test_a_queue_key_shows_its_forecast_while_another_writer_holds_the_database(
    sqlite_service, sqlite_url, clock
):
    ids = seed(sqlite_service)
    carla = ids["Carla"]
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = await select(app, pilot, carla)
        below = screen.main_list.rows[screen.main_list.cursor + 1].id
        moves = count_calls(sqlite_service, "move")
        with another_writer(sqlite_url):
            await pilot.press("l")
            await pilot.pause()
            shown = screen.model.groups[carla]
            assert isinstance(shown, Pending)
            assert (shown.state, shown.position, shown.project_confirmed) == (S.LIVE, 1, True)
            assert screen.main_list.index_of(carla) is None  # it left the inbox at once
            assert screen.main_list.current.id == below
            assert [g.id for g in screen.live_list.rows] == [carla]
            assert line(screen.live_list, 0)[1:].startswith("*1 ")  # marked: being saved
            # The write has begun and waits for the database: nothing is reported as done.
            assert await wait_until(pilot, lambda: moves)
            await pilot.pause()
            assert sqlite_service.group(carla).state == S.NEW
            assert isinstance(screen.model.groups[carla], Pending)
            assert not [n for n in notes(app) if f"#{carla}" in n]
        assert await wait_until(pilot, lambda: carla not in screen.model.pending)
        await settle(app, pilot)
        stored = sqlite_service.summaries(group_ids=[carla])[0]
        assert stored.state == S.LIVE and stored.project_confirmed
        assert screen.model.groups[carla] == stored  # the stored row, unmarked
        assert line(screen.live_list, 0)[1:].startswith(" 1 ")
        assert [n for n in notes(app) if f"#{carla}" in n]  # now it says so


async def test_a_tag_is_shown_in_the_row_at_once(sqlite_service, sqlite_url, clock):
    ids = seed(sqlite_service)
    eva = ids["Eva"]
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = await select(app, pilot, eva)
        with another_writer(sqlite_url):
            await pilot.press("3")
            await pilot.pause()
            shown = screen.model.groups[eva]
            assert isinstance(shown, Pending) and shown.project_confirmed
            key = shown.project_key
            assert app.service.project(key).hotkey == "3"
            row = line(screen.main_list, screen.main_list.cursor - int(screen.main_list.scroll_y))
            assert row[1] == "*" and re.search(rf"#{eva} +3 ", row)  # confirmed: no "?"
        assert await wait_until(pilot, lambda: eva not in screen.model.pending)
        await settle(app, pilot)
        assert sqlite_service.group(eva).project_key == key
        assert not isinstance(screen.model.groups[eva], Pending)


async def test_a_merge_hides_the_duplicate_at_once_and_is_undone_if_it_fails(
    sqlite_service, sqlite_url, clock
):
    ids = seed(sqlite_service)
    anna, gul = ids["Anna"], ids["Gül"]
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = await select(app, pilot, gul)
        with another_writer(sqlite_url) as blocker:
            await pilot.press("m")
            await pilot.pause()
            assert screen.main_list.index_of(gul) is None
            shown = screen.model.groups[anna]
            assert isinstance(shown, Pending) and shown.members == 2
            # Meanwhile the other writer changes the duplicate: the merge will be refused.
            blocker.execute(
                "UPDATE groups SET title = 'Geändert', version = version + 1 WHERE id = ?",
                (gul,),
            )
        assert await wait_until(pilot, lambda: not screen.model.pending)
        await settle(app, pilot)
        assert [n for n in app._notifications if n.severity == "error"]
        assert sqlite_service.group(anna).members and len(sqlite_service.group(anna).members) == 1
        assert screen.main_list.current.id == gul  # back, with the cursor on it
        assert screen.model.groups[anna].members == 1
