"""The cursor and the view follow the action: an undo selects the question it brings back
and scrolls to it; a question typed in with `n` is shown and selected; `p` brings the
presented project's questions into view; a search lands on its first hit."""

from __future__ import annotations

from moderator.domain.models import QueueState
from moderator.ui.virtual_list import VirtualList
from tests.factories import msg
from tests.ui.helpers import fill, make_app, seed, select, settle, wait_until

S = QueueState
TOPICS = [
    "Paketstationen",
    "Stadtratssitzungen",
    "autonome Busse",
    "Beacons",
    "Straßenlaternen",
    "Jugendparlament",
    "Ladesäulen",
    "Glasfaser",
]


def many(service, n: int = 40) -> list[int]:
    """`n` distinct questions; their group ids, oldest first (the list shows newest first)."""
    service.import_messages(
        [
            msg(
                i,
                f"Frage {i}: Was passiert {i % 7 + 1}. mit dem Thema {TOPICS[i % 8]} "
                f"im Stadtteil Nummer {i}?",
                author=f"Person {i}",
            )
            for i in range(1, n + 1)
        ],
        source="many",
    )
    return sorted(s.id for s in service.summaries())


def visible(pane: VirtualList, group_id: int) -> bool:
    index = pane.index_of(group_id)
    top = int(pane.scroll_y)
    return index is not None and top <= index < top + pane.size.height


async def _ready(app, pilot, count: int) -> None:
    await settle(app, pilot)
    assert await wait_until(pilot, lambda: len(app.main_screen.main_list.rows) == count)


async def test_u_selects_the_restored_question_and_scrolls_to_it(sqlite_service, clock):
    ids = many(sqlite_service)
    oldest = ids[0]  # at the bottom of the inbox
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot, len(ids))
        screen = app.main_screen
        await select(app, pilot, oldest)
        await pilot.press("d")  # dismissed: it leaves the inbox
        await settle(app, pilot)
        assert sqlite_service.group(oldest).state == S.DISMISSED
        await pilot.press("home")  # the moderator goes on at the top
        await settle(app, pilot)
        assert not visible(screen.main_list, oldest)
        await pilot.press("u")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: screen.main_list.current.id == oldest)
        assert sqlite_service.group(oldest).state == S.NEW
        assert visible(screen.main_list, oldest)
        assert screen.focused is screen.main_list


async def test_u_switches_to_the_view_that_shows_the_restored_question(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot, 6)
        screen = app.main_screen
        await select(app, pilot, ids["Eva"])
        await pilot.press("a")  # Eva to later
        await settle(app, pilot)
        await pilot.press("f3")  # the later view: Eva there
        await settle(app, pilot)
        assert [r.id for r in screen.main_list.rows] == [ids["Eva"]]
        await pilot.press("u")  # Eva back to the inbox: the view follows her
        await settle(app, pilot)
        assert sqlite_service.group(ids["Eva"]).state == S.NEW
        assert await wait_until(pilot, lambda: screen.view == "inbox")
        assert screen.main_list.current.id == ids["Eva"]


async def test_u_selects_a_question_back_in_the_live_queue(sqlite_service, clock):
    ids = seed(sqlite_service)
    for name in ("Anna", "Carla", "Eva"):
        sqlite_service.send_live(ids[name])
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        assert await wait_until(pilot, lambda: len(screen.live_list.rows) == 3)
        await pilot.press("w")  # the live queue
        assert screen.live_list.select_id(ids["Eva"])
        await pilot.press("enter")  # Eva on air
        await settle(app, pilot)
        assert sqlite_service.group(ids["Eva"]).state == S.ON_AIR
        await pilot.press("w")  # back in the inbox
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert sqlite_service.group(ids["Eva"]).state == S.LIVE
        assert await wait_until(pilot, lambda: screen.focused is screen.live_list)
        assert screen.live_list.current.id == ids["Eva"]


async def test_u_of_a_merge_selects_the_question_split_off_again(sqlite_service, clock):
    ids = seed(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(app, pilot, 6)
        screen = app.main_screen
        await select(app, pilot, ids["Gül"])
        await pilot.press("m")  # into Anna's question (the top suggestion)
        await settle(app, pilot)
        assert ids["Gül"] not in {g.id for g in sqlite_service.summaries()}
        await select(app, pilot, ids["Bernd"])
        await pilot.press("u")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: screen.main_list.current.id == ids["Gül"])


async def test_n_shows_and_selects_the_typed_question(sqlite_service, clock):
    ids = many(sqlite_service)
    sqlite_service.tag(ids[0], "lotsen")
    sqlite_service.move(ids[0], S.LATER)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot, len(ids) - 1)
        screen = app.main_screen
        await pilot.press("f3", "f", "6")  # later questions of one project
        await settle(app, pilot)
        assert [r.id for r in screen.main_list.rows] == [ids[0]]
        await pilot.press("n")
        await settle(app, pilot)
        fill(app, "#manual-text", "Gibt es Führungen für Senioren durch die Innenstadt?")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        added = max(s.id for s in sqlite_service.summaries())
        assert await wait_until(
            pilot,
            lambda: screen.main_list.current is not None and screen.main_list.current.id == added,
        )
        assert screen.view == "inbox" and screen.filter.project is None
        assert visible(screen.main_list, added)
        assert screen.focused is screen.main_list
        assert screen.detail_group is not None and screen.detail_group.id == added


async def test_p_brings_the_presented_projects_questions_into_view(sqlite_service, clock):
    ids = many(sqlite_service)
    for gid in ids[1:4]:  # among the oldest: at the bottom of the inbox
        sqlite_service.tag(gid, "cim")
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot, len(ids))
        screen = app.main_screen
        await select(app, pilot, ids[20])  # the cursor in the middle, the top scrolled away
        assert screen.main_list.scroll_y > 0
        await pilot.press("p", "4")
        await settle(app, pilot)
        assert screen.presenting == "cim"
        raised = {r.id for r in screen.main_list.rows[:3]}
        assert raised == set(ids[1:4])
        assert screen.main_list.current.id in raised
        assert screen.main_list.scroll_y == 0
        for gid in raised:
            assert visible(screen.main_list, gid)


async def test_p_shows_the_top_of_the_live_queue(sqlite_service, clock):
    ids = many(sqlite_service, 30)
    for gid in ids:
        sqlite_service.send_live(gid)
    sqlite_service.tag(ids[-2], "cim")  # last but one in the queue
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: len(app.main_screen.live_list.rows) == 30)
        screen = app.main_screen
        await pilot.press("w", "end")  # the live queue, scrolled to its end
        await settle(app, pilot)
        assert screen.live_list.scroll_y > 0
        await pilot.press("p", "4")
        await settle(app, pilot)
        assert screen.live_list.rows[0].id == ids[-2]
        assert screen.live_list.current.id == ids[-2]  # the next to go on air
        assert screen.live_list.scroll_y == 0


async def test_a_search_lands_on_its_first_hit(sqlite_service, clock):
    ids = many(sqlite_service)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(app, pilot, len(ids))
        screen = app.main_screen
        hits = [
            s.id for s in sqlite_service.summaries() if "Glasfaser" in s.title
        ]  # every eighth question
        assert len(hits) == 5
        await select(app, pilot, min(hits))  # a hit, but not the first one shown
        await pilot.press("w")  # the focus in the live queue
        await settle(app, pilot)
        await pilot.press("slash")
        fill(app, "#line-input", "Glasfaser")
        await pilot.press("enter")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: len(screen.main_list.rows) == 5)
        assert screen.main_list.current.id == max(hits)  # newest first: the first hit
        assert screen.focused is screen.main_list
        assert visible(screen.main_list, max(hits))
