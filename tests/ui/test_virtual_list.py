"""The virtual list on its own, in a real (headless) Textual app."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import App, ComposeResult

from moderator.ui.virtual_list import GROWTH, VirtualList


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
        await pilot.pause(0.7)  # shrinking waits until the keys rest
        assert lst.virtual_size.height == lst.size.height
        # A queue a little longer than its pane, one row in and one out at a time.
        sizes = set()
        for n in range(40):
            lst.set_rows([Row(k) for k in range(n % 3, 30 + n % 5)])
            sizes.add(lst.virtual_size.height)
        assert len(sizes) <= 2
