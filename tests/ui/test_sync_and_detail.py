"""Other moderators' actions, a lost database, weaker duplicates, search and detail keys."""

from __future__ import annotations

from textual.geometry import Region

from moderator.config import load_default_config
from moderator.domain.models import QueueState
from moderator.services import open_event
from moderator.storage.db import Database
from moderator.ui.detail import DetailPane
from moderator.ui.modals import ActivityScreen, PickScreen
from tests.factories import msg
from tests.ui.helpers import (
    count_calls,
    fill,
    make_app,
    notes,
    plain,
    second_moderator,
    seed,
    select,
    settle,
    wait_until,
)

S = QueueState
NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"  # nobody listens on port 1


async def test_another_moderators_merge_is_described_and_in_the_history(sqlite_service, clock):
    ids = seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Anna"])
        clock.tick(12)
        other.merge(ids["Gül"], ids["Anna"])
        clock.tick(10)
        said = f"Bea hat #{ids['Gül']} mit #{ids['Anna']} zusammengeführt, vor 10 s"
        assert await wait_until(pilot, lambda: said in "\n".join(notes(app)))
        screen = app.main_screen
        assert ids["Gül"] not in screen.model.groups
        assert await wait_until(pilot, lambda: screen.model.groups[ids["Anna"]].members == 2)
        await settle(app, pilot)
        history = plain(screen.query_one(DetailPane).content).split("Verlauf")[-1]
        assert "Bea (vor 10 s):" in history
        # Our own actions are not announced as someone else's.
        await pilot.press("d")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Anna"]).state == S.DISMISSED
        me = sqlite_service.moderator
        assert not [n for n in notes(app) if f"{me} hat" in n]


async def test_lost_database_shows_a_banner_keeps_data_and_reports_unsaved_edits(
    sqlite_service, clock
):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        await select(app, pilot, ids["Carla"])
        banner = screen.query_one("#banner")
        assert not banner.display
        rows_before = [r.id for r in screen.main_list.rows]
        good = sqlite_service.db
        sqlite_service.db = Database(NOWHERE)
        try:
            assert await wait_until(pilot, lambda: banner.display)
            assert "Datenbank nicht erreichbar" in plain(banner.content)
            assert [r.id for r in screen.main_list.rows] == rows_before  # data stays
            await pilot.press("l")
            await settle(app, pilot)
            failed = [n for n in app._notifications if n.severity == "error"]
            assert failed and failed[-1].title == "Nicht gespeichert"
            # The move was shown at once; it failed, so the question is back, unmarked, with
            # the cursor on it (the next key must not act on its neighbour).
            assert [r.id for r in screen.main_list.rows] == rows_before
            assert screen.main_list.current.id == ids["Carla"]
            assert not screen.model.pending
            assert screen.model.groups[ids["Carla"]].state == S.NEW
        finally:
            sqlite_service.db.dispose()
            sqlite_service.db = good
        assert await wait_until(pilot, lambda: not banner.display)
        assert sqlite_service.group(ids["Carla"]).state == S.NEW  # nothing was written
        await pilot.press("l")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Carla"]).state == S.LIVE


async def test_weaker_candidates_are_listed_as_maybe_and_offered_by_M(sqlite_service, clock):
    seed(sqlite_service)
    (weak,) = sqlite_service.import_messages(
        [msg(50, "Wann kommen die Paketstationen nach Morlautern?")]
    ).group_ids
    confident = {s.group_id for s in sqlite_service.suggestions(weak)}
    maybe = [
        s for s in sqlite_service.suggestions(weak, min_score=35) if s.group_id not in confident
    ]
    assert maybe, "the sample needs a weaker candidate"
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = await select(app, pilot, weak)
        text = plain(screen.query_one(DetailPane).content)
        assert f"#{maybe[0].group_id} (vielleicht)" in text
        await pilot.press("M")
        await settle(app, pilot)
        assert isinstance(app.screen, PickScreen)
        offered = [value for value, _ in app.screen.choices]
        assert maybe[0].group_id in offered
        assert offered.index(maybe[0].group_id) >= len(confident)  # below the confident ones
        await pilot.press("escape")


async def test_active_search_picks_up_matching_arrivals(sqlite_service, clock):
    seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        fill(app, "#line-input", "Paketstation")
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.main_screen
        assert len(screen.main_list.rows) == 2
        (new,) = other.import_messages(
            [msg(60, "Gibt es Paketstationen auch am Bahnhof?")]
        ).group_ids
        (other_topic,) = other.import_messages([msg(61, "Wie laut sind die Busse?")]).group_ids
        assert await wait_until(pilot, lambda: screen.main_list.index_of(new) is not None)
        assert screen.main_list.index_of(other_topic) is None
        assert len(screen.main_list.rows) == 3


async def test_detail_loads_when_the_cursor_rests_and_scrolls_by_keyboard(sqlite_service, clock):
    ids = seed(sqlite_service)
    for n in range(30):  # many wordings: the detail is longer than its pane
        (extra,) = sqlite_service.import_messages(
            [msg(200 + n, f"Frage {n}: Wann kommen Paketstationen in Stadtteil {n}?")]
        ).group_ids
        sqlite_service.merge(extra, ids["Anna"])
    app = make_app(sqlite_service, clock, detail_delay=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        detail = screen.query_one(DetailPane)
        screen.main_list.select_id(ids["Anna"])
        assert detail.group_id != ids["Anna"]  # not read while the cursor moves
        assert await wait_until(pilot, lambda: detail.group_id == ids["Anna"])
        assert detail.lines > detail.size.height
        await pilot.press("ctrl+down")
        assert detail.top == 3
        await pilot.press("i")  # focus the detail: arrows scroll it
        assert screen.focused is detail
        await pilot.press("pagedown", "down")
        assert detail.top == 3 + detail.size.height - 1 + 1
        await pilot.press("l")  # action keys still act on the selected question
        await settle(app, pilot)
        assert sqlite_service.group(ids["Anna"]).state == S.LIVE
        await pilot.press("i")
        assert screen.focused is screen.main_list


async def test_the_detail_repaints_only_the_lines_that_changed(sqlite_service, clock):
    """The selected question is read again whenever anyone changes it, and its history's
    "vor 3 s" ages: the pane repaints the lines that differ, none when nothing does."""
    ids = seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = await select(app, pilot, ids["Eva"])
        detail = screen.query_one(DetailPane)
        assert detail.group_id == ids["Eva"]
        painted = count_calls(detail, "render_line")
        shown_as = count_calls(detail, "_set")  # each time the pane is given its content
        screen._load_detail(ids["Eva"])  # read again, unchanged
        assert await wait_until(pilot, lambda: shown_as)  # the read arrived...
        await settle(app, pilot)
        assert painted == []  # ...and changed no line
        before = plain(detail.content)
        other.tag(ids["Eva"], "logistik")
        # Wait for the repaint, not only for the text: the pane is given the new content
        # first, the lines that differ are painted in a later frame.
        assert await wait_until(pilot, lambda: plain(detail.content) != before)
        assert plain(detail.content).count("Bea") > before.count("Bea")  # her tag, in history
        assert await wait_until(pilot, lambda: painted)
        await settle(app, pilot)
        assert 0 < len(painted) < detail.size.height
        shown = [s.text for s in detail.render_lines(Region(0, 0, *detail.size))]
        detail.refresh()
        await pilot.pause()
        assert [s.text for s in detail.render_lines(Region(0, 0, *detail.size))] == shown
        assert any("Bea" in line for line in shown)


async def test_h_lists_who_did_what_newest_first_and_literally(sqlite_service, clock):
    ids = seed(sqlite_service)
    # A moderator name is user text too: markup and an escape sequence stay literal.
    mallory = open_event(
        sqlite_service.db, load_default_config(), moderator="[red]Bea\x1b[2J", clock=clock
    )
    mallory.merge(ids["Gül"], ids["Anna"])
    clock.tick(30)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Carla"])
        await pilot.press("l")
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, ActivityScreen)
        lines = plain(app.screen.query_one("#activity-lines").content).strip().splitlines()
        assert lines[0] == f"Anna hat rückgängig gemacht: #{ids['Carla']} wieder neu, gerade eben"
        assert lines[1].startswith(f"Anna hat #{ids['Carla']} nach „live“ verschoben")
        assert lines[1].endswith("(rückgängig gemacht)")
        merged = f"[red]Bea␛[2J hat #{ids['Gül']} mit #{ids['Anna']} zusammengeführt, vor 30 s"
        assert merged in lines
        assert lines[-1].startswith("Anna hat 7 Nachrichten (")  # the seed, oldest
        assert "importiert" in lines[-1]
        await pilot.press("escape")
        assert app.screen is app.main_screen
