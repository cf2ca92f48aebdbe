"""The help (`?`): every key of ours, grouped by task, read from the real bindings; it
scrolls and fits 80x24."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll

from moderator.ui.bindings import main_bindings
from moderator.ui.help import MORE, SECTIONS, key_label, section_of
from moderator.ui.i18n import Strings
from moderator.ui.modals import HelpScreen
from moderator.ui.virtual_list import VirtualList
from tests.ui.helpers import make_app, plain, seed, settle

SECTION_TITLES_DE = [Strings("de")(f"help.section.{name}") for name, _ in SECTIONS]


def _rows(screen: HelpScreen) -> dict[str, tuple[str, str, str]]:
    """binding id -> (section title, keys, description) as the help shows them."""
    return {
        row.binding_id: (section.title, row.keys, row.description)
        for section in screen.sections
        for row in section.rows
    }


async def test_help_lists_every_binding_of_ours_by_task(sqlite_service, clock):
    seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    t = Strings("de")
    ours = [
        *Binding.make_bindings(main_bindings(t, sqlite_service.projects)),
        *Binding.make_bindings(VirtualList.BINDINGS),
    ]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        rows = _rows(screen)
        shown = plain(screen.keys_text())
        for binding in ours:
            assert binding.id is not None, f"{binding.key} has no id"
            assert section_of(binding.id) != MORE, f"{binding.id} belongs to no task"
            assert binding.id in rows, f"{binding.id} ({binding.key}) is missing in the help"
            _title, keys, description = rows[binding.id]
            assert key_label(binding.key, "de") in keys.split(", ")
            assert f"{keys}  {description}" in shown
        # The keys the first moderators missed, each in its task.
        expected = {
            "tag.dialog": ("1", "Projekt Dialog Zivilgesellschaft"),
            "tag.general": ("0", "Projekt Allgemeine Fragen"),
            "view.inbox": ("F2", "Eingang"),
            "view.all": ("F6", "Alle"),
            "focus.switch": ("w", "Live/Eingang wechseln"),
            "view.next": ("v", "Nächste Ansicht"),
            "filter.project": ("f", "Projektfilter"),
            "queue.up": ("Umschalt+↑, +", "Nach oben"),
            "queue.down": ("Umschalt+↓, -", "Nach unten"),
            "focus.detail": ("i", "Details fokussieren (scrollen)"),
            "group.similar": ("g", "Ähnliche offene Fragen"),
            "search": ("/", "Suchen"),
            "app.quit": ("Strg+Q", "Beenden"),
        }
        for binding_id, (keys, description) in expected.items():
            assert rows[binding_id][1:] == (keys, description)
        assert rows["queue.later"][0] == t("help.section.triage")
        assert rows["queue.advance"][0] == t("help.section.queue")
        assert rows["group.merge"][0] == t("help.section.merge")
        assert rows["view.activity"][0] == t("help.section.team")
        assert [s.title for s in screen.sections] == SECTION_TITLES_DE  # task order, no "more"
        # Textual's own English keys are not listed.
        for english in ("Focus Next", "Copy selected text", "Scroll Left", "palette", "Quit"):
            assert english not in shown
        # How to quit is said on the first screen, without scrolling.
        assert "Strg+Q beendet" in plain(screen.query_one(".modal-title").content)


async def test_help_fits_80x24_and_scrolls_to_its_last_key(sqlite_service, clock):
    seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        box = screen.query_one("#help-box").region
        assert box.x >= 0 and box.y >= 0 and box.right <= 80 and box.bottom <= 24
        footer = screen.query_one("#help-footer").region
        assert footer.height >= 1 and footer.bottom <= box.bottom  # the hint stays visible
        scroll = screen.query_one("#help-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0  # more keys than lines: it must scroll
        assert scroll.scroll_y == 0
        await pilot.press("j")
        await settle(app, pilot)
        assert scroll.scroll_y == 1
        await pilot.press("end")
        await settle(app, pilot)
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("home")
        await settle(app, pilot)
        assert scroll.scroll_y == 0
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, HelpScreen)


async def test_help_follows_the_keymap_and_the_language(sqlite_service, clock):
    seed(sqlite_service)
    keymap = {"queue.live": "L", "app.quit": "ctrl+x"}
    app = make_app(sqlite_service, clock, keymap=keymap, language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        rows = _rows(app.screen)
        assert rows["queue.live"][1:] == ("L", "Live")
        assert rows["app.quit"][1:] == ("Ctrl+X", "Quit")
        assert "Ctrl+X quits" in plain(app.screen.query_one(".modal-title").content)
        assert rows["list.pageup"][1:] == ("PgUp", "Page up")
        assert rows["queue.live"][0] == "Triage: sort, project, wording, answer"


async def test_help_from_the_detail_still_lists_the_list_keys(sqlite_service, clock):
    seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("i")  # the detail has the focus
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        rows = _rows(app.screen)
        assert rows["list.down"][1:] == ("↓, j", "Zeile nach unten")
        assert rows["list.home"][1:] == ("Pos1", "Zur ersten Zeile")
