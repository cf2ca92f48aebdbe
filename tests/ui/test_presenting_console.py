"""`p` chooses the presented project for the team: another console and the stage follow."""

from __future__ import annotations

from moderator.ui.stage import StageApp
from tests.ui.helpers import make_app, plain, second_moderator, seed, settle, wait_until


async def test_p_is_stored_and_another_console_follows(sqlite_service, clock):
    ids = seed(sqlite_service)
    sqlite_service.tag(ids["Bernd"], "dialog")
    for name in ("Anna", "Carla", "Bernd"):
        sqlite_service.send_live(ids[name])
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock, poll_interval=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        assert [g.id for g in screen.live_list.rows] == [ids["Anna"], ids["Carla"], ids["Bernd"]]
        await pilot.press("p", "1")
        await settle(app, pilot)
        assert other.presenting() == "dialog"  # stored for the team
        assert screen.live_list.rows[0].id == ids["Bernd"]
        other.present("mobilitaet")  # Bea changes it at her console
        assert await wait_until(pilot, lambda: screen.presenting == "mobilitaet")
        assert [g.id for g in screen.live_list.rows] == [ids["Carla"], ids["Anna"], ids["Bernd"]]
        other.present(None)
        assert await wait_until(pilot, lambda: screen.presenting is None)
        assert [g.id for g in screen.live_list.rows] == [ids["Anna"], ids["Carla"], ids["Bernd"]]


async def test_a_console_opened_later_shows_the_stored_choice(sqlite_service, clock):
    seed(sqlite_service)
    second_moderator(sqlite_service, clock).present("logistik")
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.main_screen.presenting == "logistik"


async def test_stage_names_the_presented_project_and_orders_by_it(sqlite_service, clock):
    ids = seed(sqlite_service)
    sqlite_service.tag(ids["Eva"], "lotsen")
    for name in ("Anna", "Carla", "Eva"):
        sqlite_service.send_live(ids[name])
    app = StageApp(sqlite_service, poll_interval=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        assert await wait_until(pilot, lambda: app.data is not None)
        assert [g.id for g in app.data.next] == [ids["Anna"], ids["Carla"]]
        second_moderator(sqlite_service, clock).present("lotsen")
        assert await wait_until(
            pilot, lambda: app.data is not None and app.data.presenting is not None
        )
        assert [g.id for g in app.data.next] == [ids["Eva"], ids["Anna"]]
        title = plain(app.query_one("#next-title").content)
        assert "Jetzt präsentiert: Lotsensystem" in title
