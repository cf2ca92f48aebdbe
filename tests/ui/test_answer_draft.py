"""Esc in the answer editor keeps the typed answer as a draft: the next `e` brings it back,
also in a console started afresh; saving it forgets the draft."""

from __future__ import annotations

from textual.widgets import TextArea

from moderator.ui.modals import TextEditScreen
from tests.ui.helpers import fill, make_app, notes, plain, seed, select, settle

TYPED = "Die Paketstationen kommen im Herbst, zuerst am Stiftsplatz."


async def _open_editor(app, pilot, group_id: int) -> TextEditScreen:
    await select(app, pilot, group_id)
    await pilot.press("e")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, TextEditScreen)
    return screen


async def test_esc_keeps_the_typed_answer_and_e_brings_it_back(sqlite_service, clock):
    ids = seed(sqlite_service)
    anna = ids["Anna"]
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await _open_editor(app, pilot, anna)
        fill(app, "#edit-text", TYPED)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, TextEditScreen)
        assert sqlite_service.group(anna).answer == ""  # not saved as the answer
        assert sqlite_service.answer_draft(anna) == TYPED  # but kept, in the database
        assert any("Entwurf zu #" in n for n in notes(app))
        editor = await _open_editor(app, pilot, anna)
        assert editor.query_one(TextArea).text == TYPED
        assert "Entwurf" in plain(editor.query_one(".modal-title").content)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert sqlite_service.group(anna).answer == TYPED
        assert sqlite_service.answer_draft(anna) is None
        editor = await _open_editor(app, pilot, anna)  # the saved answer, no draft
        assert editor.query_one(TextArea).text == TYPED
        assert "Entwurf" not in plain(editor.query_one(".modal-title").content)
        await pilot.press("escape")  # nothing typed: nothing kept
        await settle(app, pilot)
        assert sqlite_service.answer_draft(anna) is None


async def test_the_draft_survives_a_restart(sqlite_service, clock):
    ids = seed(sqlite_service)
    frank = ids["Frank"]
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await _open_editor(app, pilot, frank)
        fill(app, "#edit-text", "Temperatur, Luftqualität und")
        await pilot.press("escape")
        await settle(app, pilot)
    # A new console on the same database (the laptop was closed meanwhile).
    again = make_app(sqlite_service, clock)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(again, pilot)
        editor = await _open_editor(again, pilot, frank)
        assert editor.query_one(TextArea).text == "Temperatur, Luftqualität und"
        fill(again, "#edit-text", "")  # emptied and left: the draft is gone
        await pilot.press("escape")
        await settle(again, pilot)
        assert sqlite_service.answer_draft(frank) is None
        assert sqlite_service.group(frank).answer == ""
