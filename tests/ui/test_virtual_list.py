"""The virtual list on its own, in a real (headless) Textual app."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip

from moderator.ui.virtual_list import GROWTH, VirtualList
from tests.ui.helpers import count_calls, wait_until


@dataclass(frozen=True)
class Row:
    id: int


class ListApp(App):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self.initial = [Row(n) for n in range(rows)]

    def compose(self) -> ComposeResult:
        yield VirtualList(lambda row, width: Text(f"Frage {row.id}"), id="rows")

    def on_mount(self) -> None:
        self.query_one(VirtualList).set_rows(self.initial)


async def test_a_steady_stream_of_new_rows_rarely_resizes_the_scroll_area() -> None:
    """Each new virtual size re-lays out the whole screen; a list that grows by one row per
    poll gets room for a batch of rows at a time, and always covers every row."""
    app = ListApp(rows=2000)
    async with app.run_test(size=(80, 24)) as pilot:
        lst = app.query_one(VirtualList)
        await pilot.pause()
        sizes = {lst.virtual_size.height}
        for n in range(2000, 2300):
            lst.patch([Row(n)], (), sort_key=lambda row: row.id)
            sizes.add(lst.virtual_size.height)
            assert lst.virtual_size.height >= len(lst.rows)  # every row can be reached
        assert len(sizes) <= 1 + 300 // (2000 // GROWTH)  # a resize per batch, not per row
        # The cursor still reaches the last row, shown on the pane's last line (the spare
        # room below it is only reached by scrolling past the end).
        await pilot.press("end")
        assert lst.current == Row(2299)
        assert lst.render_line(lst.size.height - 1).text.strip().endswith("Frage 2299")


async def test_short_lists_keep_the_pane_height_and_shrink_when_rows_leave() -> None:
    app = ListApp(rows=5)
    async with app.run_test(size=(80, 24)) as pilot:
        lst = app.query_one(VirtualList)
        await pilot.pause()
        assert lst.virtual_size.height == lst.size.height
        lst.set_rows([Row(n) for n in range(3000)])
        await pilot.pause()
        assert lst.virtual_size.height >= 3000
        lst.set_rows([Row(n) for n in range(10)])
        # Shrinking waits until the keys rest: wait for it.
        assert await wait_until(pilot, lambda: lst.virtual_size.height == lst.size.height)
        # A queue a little longer than its pane, one row in and one out at a time.
        sizes = set()
        for n in range(40):
            lst.set_rows([Row(k) for k in range(n % 3, 30 + n % 5)])
            sizes.add(lst.virtual_size.height)
        assert len(sizes) <= 2


@dataclass(frozen=True)
class Item:
    id: int
    text: str = ""


def newest_first(row: Item) -> int:
    return -row.id


class PaintedList(VirtualList):
    """Counts the lines Textual asks it to paint: with every change the console reads,
    repainting is what costs."""

    painted = 0

    def render_line(self, y: int) -> Strip:
        self.painted += 1
        return super().render_line(y)


class NewestFirstApp(App):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self.initial = [Item(n) for n in reversed(range(rows))]

    def compose(self) -> ComposeResult:
        yield PaintedList(lambda row, width: Text(f"Frage {row.id} {row.text}"), id="rows")

    def on_mount(self) -> None:
        self.query_one(PaintedList).set_rows(self.initial)


def on_screen(lst: VirtualList) -> list[str]:
    """The lines the pane shows now (Textual keeps each painted line until it is dirty)."""
    return [strip.text.rstrip() for strip in lst.render_lines(Region(0, 0, *lst.size))]


async def repainted_in_full(lst: VirtualList, pilot) -> list[str]:
    lst.refresh()
    await pilot.pause()
    return on_screen(lst)


async def scrolled_down(app: NewestFirstApp, pilot) -> PaintedList:
    lst = app.query_one(PaintedList)
    await pilot.pause()
    await pilot.press("pagedown", "pagedown", "pagedown", "down", "down")
    await pilot.pause()
    assert lst.scroll_y > 0
    return lst


async def test_rows_arriving_above_the_viewport_repaint_no_line() -> None:
    """Arrivals above the viewport (the list is newest first) shift the scroll offset with
    the rows: the cursor stays on its question at its screen line, the pane shows the same
    lines, and none of them is painted again (nor is the screen laid out anew)."""
    app = NewestFirstApp(rows=500)
    async with app.run_test(size=(60, 20)) as pilot:
        lst = await scrolled_down(app, pilot)
        before = on_screen(lst)
        selected, line, size = lst.current, lst.cursor - int(lst.scroll_y), lst.virtual_size
        lst.painted = 0
        lst.patch([Item(500), Item(501), Item(502)], (), sort_key=newest_first)
        await pilot.pause()
        assert lst.current == selected
        assert lst.cursor - int(lst.scroll_y) == line
        assert lst.painted == 0
        assert lst.virtual_size == size  # no re-layout: the scroll area had room
        assert on_screen(lst) == before
        assert await repainted_in_full(lst, pilot) == before
        await pilot.press("home")
        assert lst.current == Item(502)


async def test_a_changed_row_on_screen_repaints_its_line_only() -> None:
    app = NewestFirstApp(rows=500)
    async with app.run_test(size=(60, 20)) as pilot:
        lst = await scrolled_down(app, pilot)
        top = int(lst.scroll_y)
        changed = lst.rows[top + 4]
        lst.painted = 0
        lst.patch([Item(changed.id, "geändert")], (), sort_key=newest_first)
        await pilot.pause()
        assert lst.painted == 1
        assert on_screen(lst)[4].endswith(f"Frage {changed.id} geändert")
        # The same through `set_rows` (the live queue is set whole with every change).
        rows = list(lst.rows)
        rows[top + 7] = Item(rows[top + 7].id, "auch")
        lst.painted = 0
        lst.set_rows(rows)
        await pilot.pause()
        assert lst.painted == 1
        assert on_screen(lst)[7].endswith("auch")
        # Rows read afresh but equal (a full reload) paint equal lines: none is repainted.
        lst.painted = 0
        lst.set_rows([Item(row.id, row.text) for row in lst.rows])
        await pilot.pause()
        assert lst.painted == 0


async def test_rows_leaving_and_arriving_on_screen_repaint_what_moved() -> None:
    """A row leaving the pane above the cursor shifts the lines above it; the cursor's line
    and those below stay, and every line shows what a full repaint would."""
    app = NewestFirstApp(rows=500)
    async with app.run_test(size=(60, 20)) as pilot:
        lst = await scrolled_down(app, pilot)
        top = int(lst.scroll_y)
        line = lst.cursor - top
        assert line > 3
        selected = lst.current
        lst.painted = 0
        lst.patch([Item(1000)], [lst.rows[top + 2].id], sort_key=newest_first)
        await pilot.pause()
        assert lst.current == selected and lst.cursor - int(lst.scroll_y) == line
        assert 0 < lst.painted <= 3  # the lines above the gap, not the pane
        painted = on_screen(lst)
        assert await repainted_in_full(lst, pilot) == painted
        # The cursor's own row leaves: the cursor stays at its index, on the next row.
        below = lst.rows[lst.cursor + 1]
        lst.patch([], [selected.id], sort_key=newest_first)
        await pilot.pause()
        assert lst.current == below
        painted = on_screen(lst)
        assert painted[lst.cursor - int(lst.scroll_y)].startswith("▶")
        assert await repainted_in_full(lst, pilot) == painted


async def test_a_cursor_move_in_a_scrolled_list_repaints_both_lines() -> None:
    app = NewestFirstApp(rows=500)
    async with app.run_test(size=(60, 20)) as pilot:
        lst = await scrolled_down(app, pilot)
        await pilot.press("end")
        await pilot.pause()
        for _ in range(2):
            lst.painted = 0
            await pilot.press("up")
            await pilot.pause()
            assert lst.painted == 2  # the line the cursor left and the one it is on
        shown = on_screen(lst)
        assert shown[-3] == "▶Frage 2"
        assert shown[-1] == " Frage 0"
        assert await repainted_in_full(lst, pilot) == shown


def floated(row: Item) -> tuple[bool, int]:
    """Newest first, rows marked "oben" above the others (as a presented project's)."""
    return (row.text != "oben", -row.id)


async def test_a_patch_given_the_shown_rows_finds_them_by_sort_key_not_by_id() -> None:
    """The console tells `patch` how it shows the rows it changes (`shown`): they are
    found by their sort key, so a key at 100,000 rows builds no index of every row by id
    (tens of ms each time); the rows, the cursor and the lines come out as by id."""
    app = NewestFirstApp(rows=3000)
    async with app.run_test(size=(60, 20)) as pilot:
        lst = await scrolled_down(app, pilot)
        lookups = count_calls(lst, "index_of")
        expected = {row.id: row for row in lst.rows}
        shown = dict(expected)  # what the console shows (it passes only the changed rows)

        def check() -> None:
            assert lst.rows == sorted(expected.values(), key=floated)

        top = int(lst.scroll_y)
        # A row on screen changes in place, the cursor's row leaves, one arrives, one
        # floats up, and an id the list does not show is removed.
        changed = Item(lst.rows[top + 4].id, "geändert")
        selected, below = lst.current, lst.rows[lst.cursor + 1]
        lst.patch([changed], [], sort_key=floated, shown=shown)
        expected[changed.id] = shown[changed.id] = changed
        lst.patch([], [selected.id, 99_999], sort_key=floated, shown=shown)
        del expected[selected.id]
        assert lst.current == below
        lst.patch([Item(5000)], [], sort_key=floated, shown=shown)
        expected[5000] = shown[5000] = Item(5000)
        check()
        assert lst.current == below
        up = Item(lst.rows[top + 8].id, "oben")
        lst.patch([up], [], sort_key=floated, shown=shown)
        expected[up.id] = shown[up.id] = up
        check()
        assert lst.current == below and lst.rows[0] == up
        await pilot.pause()
        painted = on_screen(lst)
        assert painted[lst.cursor - int(lst.scroll_y)].startswith("▶")
        assert await repainted_in_full(lst, pilot) == painted
        assert lookups == []  # no index by id was needed
        # A caller out of step with the list (its row of an id sorts elsewhere): the row
        # is still found, by id.
        wrong = {below.id: Item(below.id, "oben")}
        lst.patch([], [below.id], sort_key=floated, shown=wrong)
        del expected[below.id]
        check()
        assert lookups
