"""Every key action of the main screen, checked in the database afterwards, and its undo."""

from __future__ import annotations

from moderator.domain.models import QueueState
from tests.ui.helpers import fill, make_app, plain, seed, select, settle

S = QueueState


async def test_inbox_shows_questions_newest_first_without_chatter(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        rows = app.main_screen.main_list.rows
        assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)
        assert "Dieter" not in {r.author for r in rows}
        assert ids["Gül"] == rows[0].id  # newest visible at the top
        await pilot.press("c")
        await settle(app, pilot)
        chatter = app.main_screen.main_list.rows
        assert [m.author for m in chatter] == ["Dieter"]
        await pilot.press("c")
        await settle(app, pilot)
        assert app.main_screen.main_list.rows[0].id == ids["Gül"]


async def test_digit_tags_the_project_and_u_undoes_it(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Carla"])
        await pilot.press("3")
        await settle(app, pilot)
        group = sqlite_service.group(ids["Carla"])
        assert (group.project_key, group.project_confirmed) == ("dritter-ort", True)
        assert app.main_screen.model.groups[ids["Carla"]].project_key == "dritter-ort"
        await pilot.press("u")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Carla"]).project_key is None
        assert app.main_screen.model.groups[ids["Carla"]].project_key is None


async def test_l_alone_confirms_the_suggestion_and_queues_live(sqlite_service, clock):
    ids = seed(sqlite_service)
    suggested = sqlite_service.group(ids["Eva"]).suggested_project
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Eva"])
        seq = sqlite_service.change_seq()
        await pilot.press("l")
        await settle(app, pilot)
        assert sqlite_service.change_seq() == seq + 1  # tag and move in one write
        # Saved: confirmed in the list's title line at once (and in a toast).
        title = plain(app.main_screen.query_one("#view-title").content)
        assert f"✓ #{ids['Eva']} → live" in title
        group = sqlite_service.group(ids["Eva"])
        assert group.state == S.LIVE
        assert group.project_key == (suggested or sqlite_service.general_key)
        assert group.project_confirmed
        screen = app.main_screen
        assert ids["Eva"] not in {r.id for r in screen.main_list.rows}
        assert [r.id for r in screen.live_list.rows] == [ids["Eva"]]
        # The cursor moved on to the next question, not to the top.
        assert screen.main_list.current.id == ids["Carla"]
        await pilot.press("u")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Eva"]).state == S.NEW
        await pilot.press("u")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Eva"]).project_key is None


async def test_digit_then_a_is_two_key_triage_to_later(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Frank"])
        await pilot.press("7", "a")  # no wait in between: the queued write must not conflict
        await settle(app, pilot)
        group = sqlite_service.group(ids["Frank"])
        seven = next(p.key for p in sqlite_service.projects if p.hotkey == "7")
        assert (group.project_key, group.state) == (seven, S.LATER)
        await pilot.press("u")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Frank"]).state == S.NEW


async def test_d_dismisses_and_u_brings_it_back(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Bernd"])
        await pilot.press("d")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Bernd"]).state == S.DISMISSED
        await pilot.press("f5")
        await settle(app, pilot)
        assert [r.id for r in app.main_screen.main_list.rows] == [ids["Bernd"]]
        await pilot.press("u")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Bernd"]).state == S.NEW
        # The dismissed view is empty now; the console shows Bernd where he is again.
        assert app.main_screen.view == "inbox"
        assert app.main_screen.main_list.current.id == ids["Bernd"]


async def test_enter_puts_on_air_then_marks_answered_live(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Anna"])
        await pilot.press("l")
        await settle(app, pilot)
        await pilot.press("w")  # focus the live queue
        await settle(app, pilot)
        assert app.main_screen.live_list.current.id == ids["Anna"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Anna"]).state == S.ON_AIR
        assert app.main_screen.live_list.rows[0].state == S.ON_AIR
        await pilot.press("enter")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Anna"]).state == S.ANSWERED_LIVE
        await pilot.press("u")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Anna"]).state == S.ON_AIR


async def test_m_merges_into_the_top_suggestion_and_u_splits_it_again(sqlite_service, clock):
    ids = seed(sqlite_service)
    summary = sqlite_service.summaries(group_ids=[ids["Gül"]])[0]
    assert summary.top_match_group == ids["Anna"]  # near-identical wording
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Gül"])
        await pilot.press("m")
        await settle(app, pilot)
        target = sqlite_service.group(ids["Anna"])
        assert {m.author for m in target.members} == {"Anna", "Gül"}
        screen = app.main_screen
        assert ids["Gül"] not in screen.model.groups
        assert screen.model.groups[ids["Anna"]].members == 2
        await pilot.press("u")
        await settle(app, pilot)
        assert len(sqlite_service.group(ids["Anna"]).members) == 1
        assert ids["Gül"] in screen.model.groups


async def test_s_splits_a_wording_off_and_u_joins_it_again(sqlite_service, clock):
    ids = seed(sqlite_service)
    sqlite_service.merge(ids["Gül"], ids["Anna"])
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Anna"])
        await pilot.press("s")
        await settle(app, pilot)
        assert [m.author for m in sqlite_service.group(ids["Anna"]).members] == ["Anna"]
        assert ids["Gül"] in app.main_screen.model.groups
        await pilot.press("u")
        await settle(app, pilot)
        assert len(sqlite_service.group(ids["Anna"]).members) == 2


async def test_merge_pick_lets_the_moderator_choose_the_target(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Gül"])
        await pilot.press("M")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(sqlite_service.group(ids["Anna"]).members) == 2


async def test_reorder_keys_move_a_question_in_the_live_queue(sqlite_service, clock):
    ids = seed(sqlite_service)
    for name in ("Anna", "Bernd", "Carla"):
        sqlite_service.send_live(ids[name])
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        screen = app.main_screen
        screen.live_list.select_id(ids["Carla"])
        await settle(app, pilot)
        await pilot.press("plus")
        await settle(app, pilot)
        order = [g.id for g in sqlite_service.live_queue()]
        assert order == [ids["Anna"], ids["Carla"], ids["Bernd"]]
        assert [r.id for r in screen.live_list.rows] == order
        assert screen.live_list.current.id == ids["Carla"]  # the cursor follows the row
        await pilot.press("minus")
        await settle(app, pilot)
        assert [g.id for g in sqlite_service.live_queue()][-1] == ids["Carla"]
        await pilot.press("u")
        await settle(app, pilot)
        assert [g.id for g in sqlite_service.live_queue()][1] == ids["Carla"]


async def test_p_digit_presents_a_project_and_its_questions_rise(sqlite_service, clock):
    ids = seed(sqlite_service)
    sqlite_service.tag(ids["Bernd"], "dialog")
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("p", "1")
        await settle(app, pilot)
        screen = app.main_screen
        assert screen.presenting == "dialog"
        assert screen.main_list.rows[0].id == ids["Bernd"]
        await pilot.press("p", "x")
        await settle(app, pilot)
        assert screen.presenting is None
        assert screen.main_list.rows[0].id == ids["Gül"]


async def test_slash_searches_and_f_filters_by_project(sqlite_service, clock):
    ids = seed(sqlite_service)
    sqlite_service.tag(ids["Eva"], "lotsen")
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        fill(app, "#line-input", "Paketstation")
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.main_screen
        assert {r.id for r in screen.main_list.rows} == {ids["Anna"], ids["Gül"]}
        await pilot.press("slash")
        fill(app, "#line-input", "")
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(screen.main_list.rows) == 6
        await pilot.press("f", "6")
        await settle(app, pilot)
        assert [r.id for r in screen.main_list.rows] == [ids["Eva"]]


async def test_n_adds_a_question_by_hand_with_author_and_channel(sqlite_service, clock):
    seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press(*"Gibt")  # typed keys reach the text field
        fill(app, "#manual-text", "Gibt es Führungen für Senioren?")
        fill(app, "#manual-author", "Herr Müller am Telefon")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        added = [s for s in sqlite_service.summaries() if s.author == "Herr Müller am Telefon"]
        assert len(added) == 1
        assert added[0].channel.value == "phone"
        assert sqlite_service.group(added[0].id).members[0].text == (
            "Gibt es Führungen für Senioren?"
        )
        assert added[0].id in app.main_screen.model.groups
        await pilot.press("u")
        await settle(app, pilot)
        assert sqlite_service.group(added[0].id).state == S.DISMISSED


async def test_e_writes_the_answer(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Frank"])
        await pilot.press("e")
        await settle(app, pilot)
        fill(app, "#edit-text", "Temperatur und Luftqualität.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Frank"]).answer == "Temperatur und Luftqualität."
        await pilot.press("u")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Frank"]).answer == ""


async def test_x_turns_chatter_into_a_question(sqlite_service, clock):
    seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        assert "Dieter" in {s.author for s in sqlite_service.summaries()}
        assert app.main_screen.main_list.rows == []  # no chatter left
        await pilot.press("u")
        await settle(app, pilot)
        assert "Dieter" not in {s.author for s in sqlite_service.summaries()}


async def test_t_edits_the_wording(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Carla"])
        await pilot.press("t")
        fill(app, "#line-input", "Busse am Wochenende?")
        await pilot.press("enter")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Carla"]).title == "Busse am Wochenende?"
        assert app.main_screen.model.groups[ids["Carla"]].title == "Busse am Wochenende?"


async def test_merge_into_any_question_by_number(sqlite_service, clock):
    """No suggestion (the matcher misses a paraphrase): M asks for the target's number."""
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Frank"])  # sensors: nothing similar in the seed
        await pilot.press("M")
        await settle(app, pilot)
        fill(app, "#line-input", "#" + str(ids["Eva"]))
        await pilot.press("enter")
        await settle(app, pilot)
        merged = sqlite_service.group(ids["Eva"])
        assert {m.author for m in merged.members} == {"Eva", "Frank"}
        await pilot.press("u")
        await settle(app, pilot)
        assert len(sqlite_service.group(ids["Eva"]).members) == 1
