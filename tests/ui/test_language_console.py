"""The console in one language (issue 17, item 2) and the demo's database shown in it
(item 8): Textual's own English (Ctrl+C's notice, the palette's prompt and commands), the
`n` dialog's channels and the history lines follow the event's language."""

from __future__ import annotations

from textual.command import CommandInput, CommandPalette
from textual.widgets import Select

from moderator.cli import build_parser, demo_console
from moderator.ui.detail import DetailPane
from moderator.ui.i18n import Strings
from moderator.ui.modals import ManualEntryScreen
from moderator.ui.rows import RowPainter
from moderator.ui.status import StatusBar
from tests.ui.helpers import make_app, notes, plain, seed, select, settle, wait_until

ENGLISH = ("Do you want", "Search for commands", "moved", "wrote", "by hand", "phone", "Quit")


async def test_textual_texts_and_the_history_are_german(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)  # the bundled event is German
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+c")
        assert await wait_until(pilot, lambda: "Beenden? Drücken Sie Strg+Q" in notes(app))

        await pilot.press("ctrl+p")
        assert await wait_until(pilot, lambda: CommandPalette.is_open(app))
        prompt = app.screen.query_one(CommandInput)
        assert prompt.placeholder == "Befehle suchen …"
        titles = [c.title for c in app.get_system_commands(app.main_screen)]
        assert "Beenden" in titles and "Quit" not in titles and "Theme" not in titles
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, ManualEntryScreen)
        options = [str(label) for label, _ in app.screen.query_one(Select)._options]
        assert options == ["☎ Telefon", "✍ von Hand", "@ E-Mail", "» Chat"]
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("f6")  # all questions: Carla stays in view when she goes live
        await settle(app, pilot)
        await select(app, pilot, ids["Carla"])
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one("#edit-text").text = "Ja, ab Herbst."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        await select(app, pilot, ids["Carla"])
        history = plain(app.main_screen.query_one(DetailPane).content).split("Verlauf")[-1]
        assert f"#{ids['Carla']} nach „live“ verschoben" in history
        assert f"die Antwort zu #{ids['Carla']} geschrieben" in history
        shown = " ".join(notes(app)) + history
        assert not [word for word in ENGLISH if word in shown], shown


async def test_an_english_console_keeps_textual_in_english(sqlite_service, clock):
    seed(sqlite_service)
    app = make_app(sqlite_service, clock, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+c")
        assert await wait_until(pilot, lambda: "Do you want to quit? Press ctrl+q" in notes(app))
        await pilot.press("ctrl+p")
        assert await wait_until(pilot, lambda: CommandPalette.is_open(app))
        assert app.screen.query_one(CommandInput).placeholder == "Search for commands …"


async def test_the_demo_shows_its_database_in_the_console(tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATOR_EMBEDDER", "none")  # the meaning pass is not the point
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    app = demo_console(build_parser().parse_args(["--db", url, "--as", "Tester", "demo"]))
    assert app is not None
    async with app.run_test(size=(220, 40)) as pilot:  # pytest's long temporary path
        await settle(app, pilot)
        status = plain(app.main_screen.query_one(StatusBar).content).splitlines()[0]
        assert status.startswith(f"Demo-Datenbank {url}  ⏱")
        assert await wait_until(
            pilot, lambda: any("Datenbank dieser Demo" in n for n in notes(app))
        )
        notice = next(n for n in notes(app) if "Datenbank dieser Demo" in n)
        assert f"moderator stage --db {url}" in notice
    app.service.db.dispose()


async def test_the_stage_speaks_the_event_language(sqlite_service):
    from moderator.ui.stage import StageApp

    app = StageApp(sqlite_service, poll_interval=60, language="de")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.data is not None)
        await pilot.press("ctrl+c")
        told = "Beenden? Drücken Sie Strg+Q"
        assert await wait_until(pilot, lambda: told in [n.message for n in app._notifications])
        await pilot.press("ctrl+p")
        assert await wait_until(pilot, lambda: CommandPalette.is_open(app))
        assert app.screen.query_one(CommandInput).placeholder == "Befehle suchen …"
        assert [c.title for c in app.get_system_commands(app.screen)] == ["Beenden"]


async def test_the_general_block_is_named_in_the_consoles_language(sqlite_service, clock):
    """Rows name a project by the key the organiser chose in the event's language; the
    general block, which every event has, by the console's own word for it: "0?allgemein"
    in a German console (its key "general" was English there), "0?general" in English."""
    sqlite_service.add_manual("Wird die Veranstaltung aufgezeichnet?")
    app = make_app(sqlite_service, clock)  # the bundled event is German
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        (row,) = [g for g in screen.main_list.rows if g.project_key is None]
        assert row.effective_project == sqlite_service.general_key
        line = screen.painter.group(row, 110).plain
        assert "0?allgeme" in line and "general" not in line  # cut to the column
    english = RowPainter(Strings("en"), sqlite_service.projects, None)
    assert "0?general" in english.group(row, 110).plain
