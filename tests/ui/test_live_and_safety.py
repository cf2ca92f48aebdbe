"""Live arrivals from another process, conflicts, literal user text, stage view, help."""

from __future__ import annotations

from moderator.config import load_default_config
from moderator.domain.models import Kind, QueueState
from moderator.services import open_event
from moderator.ui.modals import HelpScreen
from moderator.ui.stage import StageApp
from tests.factories import msg
from tests.ui.helpers import make_app, plain, seed, select, settle, wait_until

S = QueueState
NASTY = "Frage [bold]fett[/] [link=http://x.example]klick[/link] \x1b[2J\x07 ende \x9b31m"


def second_moderator(service, clock):
    """Another EventService on the same SQLite file, like a second process."""
    return open_event(service.db, load_default_config(), moderator="Bea", clock=clock)


async def test_question_from_another_process_appears_and_cursor_stays(sqlite_service, clock):
    ids = seed(sqlite_service)
    sqlite_service.import_messages(
        [msg(100 + n, f"Frage Nummer {n} zur Straße {n * 7}?", source="bulk") for n in range(60)]
    )
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = await select(app, pilot, ids["Carla"])  # far down: the list scrolls
        view = screen.main_list
        line = view.cursor - int(view.scroll_y)
        assert view.scroll_y > 0
        summary = other.import_messages([msg(500, "Gibt es eine App für die Parkplatzsuche?")])
        new_id = summary.group_ids[0]
        assert await wait_until(pilot, lambda: new_id in screen.model.groups)
        assert view.rows[0].id == new_id
        assert view.current.id == ids["Carla"]
        assert view.cursor - int(view.scroll_y) == line  # same row, same screen line
        other.send_live(ids["Bernd"])
        live = screen.live_list
        assert await wait_until(pilot, lambda: [r.id for r in live.rows] == [ids["Bernd"]])


async def test_conflict_is_a_notification_not_a_crash(sqlite_service, clock):
    ids = seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock, poll_interval=30)  # no poll: our view stays stale
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Anna"])
        other.dismiss(ids["Anna"])
        await pilot.press("l")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Anna"]).state == S.DISMISSED
        notes = [n for n in app._notifications if n.severity == "error"]
        assert notes and f"#{ids['Anna']}" in notes[-1].message
        assert app.is_running
        await pilot.press("down")  # still works
        await settle(app, pilot)


async def test_markup_and_escapes_in_user_text_are_shown_literally(sqlite_service, clock):
    sqlite_service.import_messages(
        [msg(1, NASTY, author="[red]Mallory\x1b]0;pwn\x07", kind=Kind.QUESTION)]
    )
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        row = screen.main_list.rows[0]
        line = screen.painter.group(row, 200).plain
        assert "[bold]fett[/]" in line and "[link=http://x.example]" in line
        assert "\x1b" not in line and "␛[2J" in line and "⟨9B⟩" in line
        detail = plain(screen.query_one("#detail").content)
        assert "[bold]fett[/] [link=http://x.example]klick[/link] ␛[2J␇ ende" in detail
        assert "[red]Mallory␛]0;pwn␇" in detail
        await pilot.press("e")  # the answer editor opens on top of it, nothing crashes
        await settle(app, pilot)
        await pilot.press("escape", "l")
        await settle(app, pilot)
        assert sqlite_service.group(row.id).state == S.LIVE
        assert "[bold]" in screen.painter.live(screen.live_list.rows[0], 200).plain


async def test_stage_follows_the_question_on_air(sqlite_service, clock):
    ids = seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    for name in ("Anna", "Bernd", "Carla"):
        other.send_live(ids[name])
    app = StageApp(sqlite_service, poll_interval=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        assert await wait_until(pilot, lambda: app.data is not None)
        assert app.data.on_air is None
        assert [g.id for g in app.data.next] == [ids["Anna"], ids["Bernd"]]
        other.advance(ids["Anna"])
        assert await wait_until(
            pilot, lambda: app.data.on_air is not None and app.data.on_air.id == ids["Anna"]
        )
        assert "Paketstationen" in app.shown_question
        shown = plain(app.query_one("#stage-question").content)
        assert "|_|" in shown or "Paketstationen" in shown  # large letters, or bold text
        assert [g.id for g in app.data.next] == [ids["Bernd"], ids["Carla"]]
        other.advance(ids["Anna"])  # answered live
        assert await wait_until(pilot, lambda: app.data.on_air is None)


async def test_help_lists_keys_and_palette_mirrors_bindings(sqlite_service, clock):
    seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        listed = {row.description for section in app.screen.sections for row in section.rows}
        assert {"Live", "Zusammenführen", "Rückgängig"} <= listed
        await pilot.press("escape")
        commands = {title for title, _, _ in app.main_screen.palette_commands()}
        assert {"Live", "Später", "Verwerfen", "Aufteilen", "Präsentiert"} <= commands


async def test_keymap_remaps_a_binding_by_id_and_english_works(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock, keymap={"queue.live": "L"}, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Carla"])
        await pilot.press("l")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Carla"]).state == S.NEW
        await pilot.press("L")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Carla"]).state == S.LIVE
        assert app.main_screen.t("view.inbox") == "Inbox"
