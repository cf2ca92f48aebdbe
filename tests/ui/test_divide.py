"""`s` on a question of one wording divides it into several questions (the parts edited
one per line in a modal); `u` joins them again. A mail divided on import is undone by `u`."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from moderator.services.ingesting import import_paths
from moderator.ui.modals import PartsEditScreen
from tests.factories import msg
from tests.ui.helpers import make_app, plain, select, settle, wait_until

MAIL = Path(__file__).resolve().parent.parent / "data" / "mail" / "hand_three_numbered.eml"


def _keys(text: str) -> list[str]:
    names = {" ": "space", "?": "question_mark", ",": "comma"}
    return [names.get(c, c) for c in text]


async def test_s_divides_one_wording_and_u_joins_it_again(sqlite_service, clock):
    text = "Wann kommen die Paketstationen in die Innenstadt? Was kostet ein Fach im Monat?"
    (group_id,) = sqlite_service.import_messages(
        [msg(1, text, author="Anna")], source="chat"
    ).group_ids
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, group_id)
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, PartsEditScreen)
        editor = app.screen.query_one(TextArea)
        # The sentences that ask are offered one per line; the moderator adds a third.
        assert editor.text == (
            "Wann kommen die Paketstationen in die Innenstadt?\nWas kostet ein Fach im Monat?"
        )
        assert "eine Frage pro Zeile" in plain(app.screen.query_one(".modal-title").content)
        await pilot.press("down", "end", "enter", *_keys("Wer betreibt sie?"))
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, PartsEditScreen)
        groups = sorted(sqlite_service.groups(), key=lambda g: g.id)
        assert [g.title for g in groups] == [
            "Wann kommen die Paketstationen in die Innenstadt?",
            "Was kostet ein Fach im Monat?",
            "Wer betreibt sie?",
        ]
        assert {g.members[0].author for g in groups} == {"Anna"}
        model = app.main_screen.model.groups
        assert await wait_until(pilot, lambda: all(g.id in model for g in groups))
        assert model[group_id].title == "Wann kommen die Paketstationen in die Innenstadt?"

        await pilot.press("u")
        await settle(app, pilot)
        (whole,) = sqlite_service.groups()
        assert whole.id == group_id and whole.title == text
        assert await wait_until(
            pilot, lambda: [g.id for g in app.main_screen.main_list.rows] == [group_id]
        )
        assert app.main_screen.model.groups[group_id].title == text


async def test_s_with_one_line_left_divides_nothing(sqlite_service, clock):
    text = "Wann kommen die Paketstationen? Was kostet ein Fach?"
    (group_id,) = sqlite_service.import_messages([msg(1, text)], source="chat").group_ids
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, group_id)
        await pilot.press("s")
        await settle(app, pilot)
        app.screen.query_one(TextArea).text = "Wann kommen die Paketstationen?"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [g.title for g in sqlite_service.groups()] == [text]
        assert any("Nur eine Frage" in n.message for n in app._notifications)
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("escape")  # cancelled: nothing written
        await settle(app, pilot)
        assert len(sqlite_service.groups()) == 1


async def test_u_joins_a_mail_divided_on_import(sqlite_service, clock):
    import_paths(sqlite_service, [MAIL])
    assert len(sqlite_service.groups()) == 3
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert len(app.main_screen.main_list.rows) == 3
        await pilot.press("u")
        await settle(app, pilot)
        (whole,) = sqlite_service.groups()
        assert whole.title.startswith("1. Wann werden die ersten Sensoren")
        assert await wait_until(pilot, lambda: len(app.main_screen.main_list.rows) == 1)
        assert app.main_screen.main_list.rows[0].id == whole.id
