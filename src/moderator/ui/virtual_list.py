"""A list that renders only the rows on screen, for views of 10,000 questions and more.

Textual's DataTable and ListView build a widget or a cached line for every row; this one
keeps a plain Python list and renders visible lines on demand (Line API), so replacing the
rows costs O(n) list work and no layout. The cursor follows a row's id across updates, so
live arrivals never move the moderator's selection.

Repainting is what costs under a stream of changes (every repainted line goes through
Textual's styles and filters), so an update repaints only the screen lines that show
another row, or the same row with or without the cursor: rows arriving above the viewport
shift the scroll offset, and the lines on screen, unchanged, are not painted again.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer


class HasId(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=HasId)
RowRenderer = Callable[[Any, int], Text]


GROWTH = 64  # a growing list gets room for 1/GROWTH more rows at a time
MIN_SPARE = 8  # rows of room at least, once a list is longer than its pane


class VirtualList(ScrollView, Generic[T], can_focus=True):
    """Rows of any objects with an `id`, drawn by `render_row(row, width) -> Text`."""

    DEFAULT_CSS = """
    VirtualList {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """
    COMPONENT_CLASSES = {"virtual-list--cursor", "virtual-list--empty"}
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.pagedown"),
        Binding("home", "jump(0)", "First", show=False, id="list.home"),
        Binding("end", "jump(-1)", "Last", show=False, id="list.end"),
    ]

    class Highlighted(Message):
        """The cursor is on another row (row is None for an empty list)."""

        def __init__(self, sender: VirtualList, row: Any | None) -> None:
            super().__init__()
            self.list = sender
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.list

    def __init__(
        self,
        render_row: RowRenderer,
        *,
        empty_text: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._render_row = render_row
        self.empty_text = empty_text
        self.rows: list[T] = []
        self._index: dict[int, int] | None = {}
        self.cursor = 0
        self._cache: LRUCache[tuple, Strip] = LRUCache(512)
        self._announced: int | None = None
        self._shrink_timer: Timer | None = None
        self._keeping_lines = False  # scrolling for an update that repaints what changed
        self._frame: tuple[Style, int] | None = None  # base style and width, while painting

    # ------------------------------------------------------------------ data
    @property
    def current(self) -> T | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def index_of(self, row_id: int) -> int | None:
        if self._index is None:
            self._index = {row.id: i for i, row in enumerate(self.rows)}
        return self._index.get(row_id)

    def set_rows(self, rows: Sequence[T]) -> None:
        """Show `rows`; the cursor stays on the same row id, at the same screen line."""
        current = self.current
        screen_line = self.cursor - int(self.scroll_y)
        shown = self._shown()
        self.rows = list(rows)
        self._index = None
        self._cache.clear()
        if current is not None and (index := self.index_of(current.id)) is not None:
            self.cursor = index
        else:
            self.cursor = max(0, min(self.cursor, len(self.rows) - 1))
        self._fit_virtual_size()
        self._keeping_lines = True
        try:
            if current is not None and self.rows:
                self.scroll_to(y=max(0, self.cursor - screen_line), animate=False, immediate=True)
            self._keep_visible()
        finally:
            self._keeping_lines = False
        self._repaint_changed(shown)
        self._announce()

    def patch(
        self,
        upserts: Sequence[T],
        removed: Collection[int],
        sort_key: Callable[[T], Any],
        *,
        shown: Mapping[int, T] | None = None,
    ) -> None:
        """Apply a few changes to sorted rows without rebuilding the list or its cache.

        Rows of `upserts` replace the row with their id (or are inserted in `sort_key`
        order); ids in `removed` go. Like `set_rows`, the cursor stays on its row id at
        its screen line; if its row went, the cursor stays at its index (the next row).

        `shown`: the rows of these ids as the list shows them now (an id not in it is not
        in the list): each is found by its sort key in O(log n), where looking rows up by id
        would build an index of every row again after each change (tens of ms at 100,000).
        """
        current = self.current
        screen_line = self.cursor - int(self.scroll_y)
        before = self._shown()
        drop: set[int] = set()  # indexes
        inserts: list[T] = []
        replaced = False
        for row in upserts:
            index = self._find(row.id, sort_key, shown)
            if index is not None and sort_key(self.rows[index]) == sort_key(row):
                self.rows[index] = row  # same place: no index change
                replaced = True
                continue
            if index is not None:
                drop.add(index)
            inserts.append(row)
        for row_id in removed:
            if (index := self._find(row_id, sort_key, shown)) is not None:
                drop.add(index)
        dropped = {self.rows[index].id for index in drop}
        for index in sorted(drop, reverse=True):
            del self.rows[index]
        for row in inserts:
            bisect.insort(self.rows, row, key=sort_key)
        if not drop and not inserts:
            if replaced:
                self._repaint_changed(before)
            return
        self._index = None
        index = None
        if current is not None:
            # the cursor's row (as inserted again, if it moved; gone, if it was dropped)
            moved = next((row for row in inserts if row.id == current.id), None)
            if moved is not None or shown is None or current.id not in dropped:
                index = self._find(current.id, sort_key, {current.id: moved or current})
        if index is not None:
            self.cursor = index
        else:
            self.cursor = max(0, min(self.cursor, len(self.rows) - 1))
        self._fit_virtual_size()
        self._keeping_lines = True
        try:
            if self.rows:
                self.scroll_to(y=max(0, self.cursor - screen_line), animate=False, immediate=True)
            self._keep_visible()
        finally:
            self._keeping_lines = False
        self._repaint_changed(before)
        self._announce()

    def _find(
        self, row_id: int, sort_key: Callable[[T], Any], shown: Mapping[int, T] | None
    ) -> int | None:
        """The index of the row `row_id`: by the sort key of its row in `shown` if given
        (None if it is not there), else (or if the list is out of step with `shown`) by
        the index by id."""
        if shown is not None:
            row = shown.get(row_id)
            if row is None:
                return None
            index = bisect.bisect_left(self.rows, sort_key(row), key=sort_key)
            if index < len(self.rows) and self.rows[index].id == row_id:
                return index
        return self.index_of(row_id)

    def redraw(self) -> None:
        """Forget rendered lines (render context such as language or filter changed)."""
        self._cache.clear()
        self.refresh()

    def select_id(self, row_id: int) -> bool:
        index = self.index_of(row_id)
        if index is None:
            return False
        self._move_to(index)
        self._keep_visible()  # also when the cursor was on it already, scrolled away
        return True

    # ------------------------------------------------------------------ cursor
    def _move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        if index == self.cursor:
            return
        old = self.cursor
        self.cursor = index
        self._refresh_row(old)
        self._refresh_row(index)
        self._keep_visible()
        self._announce()

    def _refresh_row(self, index: int) -> None:
        line = index - int(self.scroll_y)
        if 0 <= line < self.size.height:
            self._refresh_lines(line, 1)

    def _refresh_lines(self, line: int, count: int) -> None:
        """Repaint `count` screen lines from `line` (0: the top line of the pane)."""
        self.refresh(Region(0, line, self.size.width, count))

    def _shown(self) -> list[tuple[T, bool]]:
        """Each screen line's row and whether the cursor is on it: what an update compares
        with, to repaint only the lines that changed (equal rows paint equal lines)."""
        top = int(self.scroll_y)
        end = min(top + self.size.height, len(self.rows))
        return [(self.rows[i], i == self.cursor) for i in range(top, end)]

    def _repaint_changed(self, before: list[tuple[T, bool]]) -> None:
        """Repaint the screen lines that show something else than `before` (from `_shown`)."""
        after = self._shown()
        if not before or not after:
            self.refresh()  # from or to an empty pane (or one not laid out yet)
            return
        start = None
        lines = max(len(before), len(after))
        for line in range(lines + 1):
            changed = line < lines and (
                line >= len(before) or line >= len(after) or before[line] != after[line]
            )
            if changed and start is None:
                start = line
            elif not changed and start is not None:
                self._refresh_lines(start, line - start)
                start = None

    def _keep_visible(self) -> None:
        height = max(1, self.size.height)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _announce(self) -> None:
        row = self.current
        row_id = None if row is None else row.id
        if row_id != self._announced:
            self._announced = row_id
            self.post_message(self.Highlighted(self, row))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * max(1, self.size.height - 1))

    def action_jump(self, index: int) -> None:
        self._move_to(index if index >= 0 else len(self.rows) - 1)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if not self._keeping_lines:
            super().watch_scroll_y(old_value, new_value)
        elif self.show_vertical_scrollbar:
            # An update moved the offset with the rows: it repaints the lines that changed.
            self.vertical_scrollbar.position = new_value

    def on_click(self, event: Any) -> None:
        self._move_to(int(self.scroll_y) + event.y)

    def on_focus(self) -> None:
        self.redraw()

    def on_blur(self) -> None:
        self.redraw()

    def on_resize(self) -> None:
        self._fit_virtual_size(now=True)
        self._cache.clear()

    def _fit_virtual_size(self, *, now: bool = False) -> None:
        """Size the scroll area to the rows, without a screen re-layout on every change.

        A new virtual size re-lays out the whole screen (~30 ms with a 10,000-row list), so
        the height never drops below the pane (short lists keep one size), a list longer
        than its pane gets room for 1/GROWTH (at least MIN_SPARE) more rows at once (a
        steady stream of arrivals re-lays out the screen every few seconds, not with every
        poll), and shrinking, after many rows left, waits until the keys rest; the rows
        beyond the end draw blank.
        """
        rows, pane, width = len(self.rows), self.size.height, self.size.width
        spare = max(rows // GROWTH, MIN_SPARE) if rows > pane else 0
        floor = max(rows, pane)  # the least height that shows every row
        ceiling = max(rows + 2 * spare, pane)  # beyond this, shrink once the keys rest
        current = self.virtual_size
        if self._shrink_timer is not None:
            self._shrink_timer.stop()
            self._shrink_timer = None
        if current.width == width and floor <= current.height <= ceiling:
            return
        if now or current.height < floor or current.width != width:
            self.virtual_size = Size(width, max(rows + spare, pane))
        else:
            self._shrink_timer = self.set_timer(0.5, lambda: self._fit_virtual_size(now=True))

    # ------------------------------------------------------------------ rendering
    def render_lines(self, crop: Region) -> list[Strip]:
        # The base style and width once per frame, not once per line (each is a walk up
        # the DOM).
        self._frame = (self.rich_style, self.scrollable_content_region.width)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        if self._frame is not None:
            base, width = self._frame
        else:
            base, width = self.rich_style, self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        if not self.rows:
            if y == 0 and self.empty_text:
                style = self.get_component_rich_style("virtual-list--empty")
                return Strip([Segment(" " + self.empty_text, style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        is_cursor = index == self.cursor
        key = (row, width, is_cursor, is_cursor and self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._line(row, width, is_cursor, base)
            self._cache[key] = strip
        return strip

    def _line(self, row: T, width: int, is_cursor: bool, base: Style) -> Strip:
        marker = "▶" if is_cursor and self.has_focus else ("▷" if is_cursor else " ")
        text = Text(marker, end="", no_wrap=True)
        text.append_text(self._render_row(row, max(1, width - 1)))
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        strip = Strip(segments, text.cell_len).crop_extend(0, width, base)
        if is_cursor:
            strip = strip.apply_style(self.get_component_rich_style("virtual-list--cursor"))
        return strip.apply_style(base)
