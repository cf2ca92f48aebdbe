"""Live sync while other consoles and importers write many times a second."""

from __future__ import annotations

import asyncio
import gc

from textual.widgets import Static

from moderator.domain.models import Kind, QueueState
from tests.factories import msg
from tests.ui.helpers import (
    count_calls,
    make_app,
    second_moderator,
    seed,
    select,
    settle,
    wait_until,
)


async def test_chatter_count_follows_imports_but_a_tag_does_not_count_again(sqlite_service, clock):
    ids = seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        assert screen.chatter_count == 1
        counted = count_calls(sqlite_service, "chatter_count")
        polls = count_calls(screen.reader, "poll")
        other.tag(ids["Eva"], "logistik")
        assert await wait_until(
            pilot, lambda: screen.model.groups[ids["Eva"]].project_key == "logistik"
        )
        assert polls and counted == []  # read by a poll, without counting the chatter
        other.import_messages([msg(80, "Danke, sehr spannend bisher!", kind=Kind.CHATTER)])
        assert await wait_until(pilot, lambda: screen.chatter_count == 2)
        assert counted


async def test_a_burst_of_writes_is_read_by_few_polls_and_shown_in_full(service, clock):
    ids = sorted(set(seed(service).values()))
    other = second_moderator(service, clock)
    projects = ["logistik", "dialog", "cim", "lotsen"]
    app = make_app(service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        # A wide gap, so the count below does not depend on how fast this machine writes.
        screen.min_poll_gap = 1.0
        polls = count_calls(screen.reader, "poll")

        def burst() -> None:  # another console, as fast as it can
            for n in range(45):
                other.tag(ids[n % len(ids)], projects[n % len(projects)])
            for group_id in ids[:5]:
                other.send_live(group_id)

        await asyncio.to_thread(burst)
        summaries = {g.id: g for g in service.summaries()}
        live = [g.id for g in service.live_queue()]
        inbox = {i: g.project_key for i, g in summaries.items() if g.state == QueueState.NEW}

        def shown() -> bool:
            rows = {r.id: r.project_key for r in screen.main_list.rows}
            return rows == inbox and [r.id for r in screen.live_list.rows] == live

        assert await wait_until(pilot, shown, steps=100)
        assert len(live) == 5 and all(screen.model.groups[i] == summaries[i] for i in ids)
        assert len(polls) <= 10  # 50 writes; without the gap PostgreSQL made 37 polls here


async def test_a_flood_of_another_moderators_actions_makes_few_notices(service, clock):
    ids = seed(service)
    other = second_moderator(service, clock)
    app = make_app(service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = await select(app, pilot, ids["Anna"])
        # Wider than the flood takes (under 2 s here), so the count does not depend on how
        # fast this machine writes; the first notice comes at once, the rest after the gap.
        screen.note_gap = 3.0
        told = count_calls(app, "notify")
        busy = [ids[a] for a in ("Bernd", "Carla", "Eva", "Frank")]
        projects = ["logistik", "dialog", "cim"]

        def flood() -> None:  # another moderator, as fast as the database lets her
            for n in range(29):
                other.tag(busy[n % 4], projects[n % 3])
            other.send_live(busy[0])

        await asyncio.to_thread(flood)
        last = f"Bea hat #{busy[0]} nach „live“ verschoben"
        assert await wait_until(pilot, lambda: any(last in m for m, *_ in told), steps=160)
        by_bea = [m for m, *_ in told if "Bea hat" in m]
        assert 1 <= len(by_bea) <= 3  # one notice per poll made 6 to 8 here
        # 30 actions in at most 3 notices: one of them names MAX_NOTES and counts the rest
        # (which one depends on how the flood fell into the gaps on a loaded machine)
        assert any("weitere)" in m for m in by_bea), by_bea
        assert len(screen.activity) == 20  # every action is in the recent history


async def test_imports_by_another_service_show_up_without_a_notice(sqlite_service, clock):
    seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        told = count_calls(app, "notify")
        (new,) = other.import_messages(
            [msg(90, "Wie oft fährt der Rufbus nachts?")], source="zoom"
        ).group_ids
        assert await wait_until(pilot, lambda: screen.main_list.index_of(new) is not None)
        await settle(app, pilot)
        assert told == []
        assert "Bea hat 1 Nachricht (1 Frage) aus zoom importiert" in screen.activity[-1]


async def test_a_change_to_the_selected_question_is_told_at_once(sqlite_service, clock):
    ids = seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = await select(app, pilot, ids["Anna"])
        screen.note_gap = 600.0  # other notices wait longer than this test runs
        told = count_calls(app, "notify")

        async def tag(author: str) -> None:  # by Bea; returns once this console has it
            other.tag(ids[author], "logistik")
            group = ids[author]
            assert await wait_until(
                pilot, lambda: screen.model.groups[group].project_key == "logistik"
            )

        await tag("Eva")  # the first after a quiet spell: at once
        assert len(told) == 1 and f"#{ids['Eva']}" in told[0][0]
        await tag("Carla")  # within the gap: waits
        assert len(told) == 1
        await tag("Anna")  # the question on screen: at once, with what waited
        assert len(told) == 2
        assert f"#{ids['Carla']}" in told[1][0] and f"#{ids['Anna']}" in told[1][0]


TOPICS = ["Radwege", "Bibliothek", "Freibad", "Wochenmarkt", "Spielplätze", "Stadtwald"]
ASKS = ["Wann öffnet", "Wer bezahlt", "Wie groß wird", "Warum schließt", "Wo entsteht"]


async def test_arrivals_above_the_screen_repaint_the_counts_and_no_line(sqlite_service, clock):
    """A question imported at another console arrives above the lines on screen (the list
    is newest first, the cursor stays on its question at its line): the view's title and the
    status bar count it, no line of the list is painted again, and the live queue's title,
    unchanged, is not repainted either."""
    seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    other.import_messages(
        [msg(100 + n, f"{ASKS[n % 5]} {TOPICS[n // 5 % 6]} im Viertel {n}?") for n in range(60)],
        source="zoom",
    )
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        await pilot.press("down", "down")
        await settle(app, pilot)
        lst, title = screen.main_list, screen.query_one("#view-title", Static)
        selected, line, count = lst.current.id, lst.cursor - int(lst.scroll_y), len(lst.rows)
        assert count > lst.size.height
        assert str(title.content).endswith(f"({count})")
        status = screen.query_one("#status", Static)
        new_before = str(status.content)
        painted = count_calls(lst, "render_line")
        live_title = count_calls(screen.query_one("#live-title"), "render_line")
        status_lines = count_calls(status, "render_line")
        (new,) = other.import_messages([msg(300, "Wie oft fährt der Rufbus nachts?")]).group_ids
        assert await wait_until(pilot, lambda: lst.index_of(new) is not None)
        await settle(app, pilot)
        assert lst.current.id == selected and lst.cursor - int(lst.scroll_y) == line
        assert painted == []
        assert str(title.content).endswith(f"({count + 1})")
        assert str(status.content) != new_before and status_lines
        assert live_title == []
        # Nothing changed since: showing the same facts again repaints nothing.
        status_lines.clear()
        screen._update_status()
        screen._update_titles()
        await pilot.pause()
        assert status_lines == [] and live_title == []


async def test_the_loaded_event_stays_out_of_garbage_collection_while_the_console_runs(
    sqlite_service, clock
):
    """Full collections walked every object of the loaded event (up to half a second under
    load); while the console runs, what a full load and the warm-up left is frozen, and
    closing the console hands it back to the collector."""
    seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert gc.get_freeze_count() > 0
        gc.unfreeze()
        app.main_screen._warm_up()  # the warm-up, done once after the first full load
        assert await wait_until(pilot, lambda: gc.get_freeze_count() > 0)
    assert gc.get_freeze_count() == 0
