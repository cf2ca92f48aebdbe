"""The moderator's main screen: the mediator between the panes and the services.

Panes show what they are given and announce what the user did; this screen turns key
presses into service calls (in workers, in key-press order) and pushes the results back
down. Nothing is shown as done before the service call returned.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.events import Resize
from textual.timer import Timer
from textual.widgets import Footer, Static

from moderator.domain.models import (
    Action,
    Group,
    GroupSummary,
    Message,
    QueueState,
)
from moderator.services.console import EventService
from moderator.ui.detail import DetailPane
from moderator.ui.detail_loading import DetailLoading
from moderator.ui.group_choices import GroupChoices
from moderator.ui.i18n import Strings
from moderator.ui.key_actions import KeyActions
from moderator.ui.loading import Loading
from moderator.ui.meaning_pass import MeaningPass
from moderator.ui.model import (
    VIEWS,
    EventModel,
    Filter,
)
from moderator.ui.notices import Notices
from moderator.ui.rows import RowPainter
from moderator.ui.status import StatusBar
from moderator.ui.sync import FIRST_LINES, PAGED_ABOVE, ChangeWatch, JobQueue, Reader, Versions
from moderator.ui.text import literal, one_line
from moderator.ui.views import Views
from moderator.ui.virtual_list import VirtualList
from moderator.ui.write_pipeline import WritePipeline

log = logging.getLogger(__name__)
S = QueueState
DETAIL_DELAY = 0.1  # seconds the cursor rests before the detail is read
MIN_POLL_GAP = 0.15  # seconds from one poll's start to the next; changes meanwhile wait for it
NOTE_GAP = 2.0  # seconds between two notices of others' actions; what comes meanwhile waits
NARROW_BELOW = 110  # terminal columns


class MainScreen(
    KeyActions,
    Views,
    WritePipeline,
    Notices,
    GroupChoices,
    DetailLoading,
    Loading,
    MeaningPass,
):
    """Inbox (or another view) on the left, live queue and detail on the right.

    The rooms it is made of: `KeyActions` (the writing keys), `Views` (views, filters,
    search, help), `WritePipeline` (submit, versions, settle), `Notices` (other
    moderators' actions), `GroupChoices` (merge, split, look-alikes), `DetailLoading`
    (the detail's debounce), `Loading` (the first load, polls, applying what was read),
    `MeaningPass` (the warm-up and the meaning pass); the layout, the titles, the status
    line and the selection are here."""

    def __init__(
        self,
        service: EventService,
        strings: Strings,
        *,
        clock: Callable[[], datetime],
        poll_interval: float,
        detail_delay: float = DETAIL_DELAY,
        first_lines: int = FIRST_LINES,
        paged_above: int = PAGED_ABOVE,
    ) -> None:
        super().__init__()
        self.service = service
        self.t = strings
        self.clock = clock
        self.tz: tzinfo | None = clock().tzinfo
        self.poll_interval = poll_interval
        self.model = EventModel()
        self.reader = Reader(service, first_lines=first_lines, paged_above=paged_above)
        self._first_painted = threading.Event()  # a first screen is on (`Loading`)
        # While only a first screen of a large event is loaded: what the whole event's
        # counts add to the model's (per state, open per project), None once it is whole.
        self._unloaded: tuple[dict[QueueState, int], dict[str, int]] | None = None
        # Reads what anyone changed, a poll at a time (no sooner than `min_poll_gap` apart).
        self._watch = ChangeWatch(
            service, self._poll, interval=poll_interval, min_gap=lambda: self.min_poll_gap
        )
        self.versions = Versions()
        self.jobs = JobQueue(self._start_writer)
        self.painter = RowPainter(strings, service.projects, self.tz)
        self.view = "inbox"
        self.show_chatter = False
        self.chatter: list[Message] = []
        self.chatter_count = 0
        self.filter = Filter()
        self.presenting: str | None = None
        self.started_at = clock()
        self.detail_group: Group | None = None
        self.drafts: dict[int, str] = {}
        self._polling = False
        self._state_counts: dict[QueueState, int] = {}
        self._projects_open: dict[str, int] = {}
        self._detail_wanted: int | None = None
        self._last_list: VirtualList | None = None
        self._detail_timer: Timer | None = None
        self.detail_delay = detail_delay
        self.offline: str | None = None  # why the database is unreachable, None when fine
        self.activity: list[str] = []  # what other moderators did, newest last
        self.min_poll_gap = MIN_POLL_GAP
        self.note_gap = NOTE_GAP
        self._notes_due: list[Action] = []  # others' actions not shown in a notice yet
        self._last_note = float("-inf")  # time.monotonic() of the last such notice
        self._last_urgent = float("-inf")  # ... and of the last one shown before its time
        self._note_timer: Timer | None = None
        self._titles: dict[str, tuple] = {}  # what each pane title shows
        self._meaning: tuple[int, int] | None = None  # the meaning pass: (done, total)
        self._meaning_off_said = False
        self._warm_up_started = False
        self._warmed = False
        self._meaning_running = False
        self._meaning_seq = -2  # the change counter at the last meaning pass (none yet)
        # The confirmation of the moderator's last saved action, at the end of the list's
        # title: a line repaint, shown in the frame after the commit (the toast follows).
        self.last_saved: str | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        t = self.t
        yield StatusBar(id="status")
        yield Static(Text(t("banner.offline")), id="banner")
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Static(id="view-title", classes="pane-title")
                yield VirtualList(self._paint_main, empty_text=t("loading"), id="main-list")
            with Container(id="right"):
                with Vertical(id="live-box"):
                    yield Static(Text(t("pane.live")), id="live-title", classes="pane-title")
                    yield VirtualList(self.painter.live, empty_text=t("empty"), id="live-list")
                with Vertical(id="detail-box"):
                    title = Text(f"{t('pane.detail')} ({t('detail.scroll_hint')})")
                    yield Static(title, id="detail-title", classes="pane-title")
                    yield DetailPane(
                        t, self.service.projects, self.tz, clock=self.clock, id="detail"
                    )
        yield Footer(compact=True)

    def on_resize(self, event: Resize) -> None:
        # Below this width the panes stack: the list gets the full width for the text.
        self.set_class(event.size.width < NARROW_BELOW, "-narrow")
        self.call_after_refresh(self._update_status)  # its lines are cut to the new width

    @property
    def main_list(self) -> VirtualList:
        return self.query_one("#main-list", VirtualList)

    @property
    def live_list(self) -> VirtualList:
        return self.query_one("#live-list", VirtualList)

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        self.main_list.focus()
        self._update_titles()
        self._polling = True
        # The duplicate index is filled once the whole event is loaded (`_data_arrived`:
        # about a second of work at 10,000 questions, 10 s and more at 100,000), so the
        # first screen does not wait for it and the first merge or import need not fill it;
        # until then the detail shows the suggestions stored when the questions arrived.
        self.service.defer_index()
        self._load_all()
        self._watch.start()
        self.set_interval(1.0, self._update_status)
        self.set_interval(1.0, self._agenda_tick)
        self._start_background()

    def on_unmount(self) -> None:
        self._watch.stop()
        self._stop_background()
        self.service.close()
        gc.unfreeze()

    def _paint_main(self, row: Any, width: int) -> Text:
        if isinstance(row, Message):
            return self.painter.chatter(row, width)
        return self.painter.group(row, width)

    def _update_titles(self) -> None:
        t = self.t
        name = t("view.chatter") if self.show_chatter else t(f"view.{self.view}")
        count = len(self.main_list.rows)
        if self._unloaded is not None and not self.show_chatter and self.filter == Filter():
            states = VIEWS[self.view]  # a first screen: the whole view's count
            count += sum(n for s, n in self._unloaded[0].items() if not states or s in states)
        title = Text(f"{name} ({count})", style="bold", no_wrap=True, overflow="ellipsis")
        if self.filter.project:
            title.append(f" · {t('status.filter', what=self._project_name(self.filter.project))}")
        if self.filter.search:
            title.append(" · ")
            title.append_text(literal(f"/{self.filter.search}"))
        if self.last_saved:
            title.append("   ✓ ", style="not bold")
            title.append_text(literal(one_line(self.last_saved), "not bold"))
        self._show_title("#view-title", title)
        live = self.live_list.rows
        self._show_title("#live-title", Text(f"{t('pane.live')} ({len(live)})"))

    def _show_title(self, selector: str, text: Text) -> None:
        """A pane's title, repainted only when it changed (titles are set with every poll)."""
        shown = (text, text.style)  # Text equality leaves out the base style
        if self._titles.get(selector) != shown:
            self._titles[selector] = shown
            self.query_one(selector, Static).update(text, layout=False)

    def _update_status(self) -> None:
        start = self.service.event.starts_at
        if start is not None and start.tzinfo is None:  # SQLite hands back naive UTC
            start = start.replace(tzinfo=UTC)
        # The event's start counts while the event is on (a past event, such as the demo's
        # 2020 seminar, counts from when the console opened).
        now = self.clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        running = start is not None and self.service.event.running(now)
        since = start if start is not None and running else self.started_at
        self.query_one(StatusBar).show(
            title=getattr(self.app, "status_title", self.service.event.title),
            counts=self._state_counts,
            projects=self._projects_open,
            chatter=self.chatter_count,
            elapsed=(now - since).total_seconds(),
            presenting=self._project_name(self.presenting) if self.presenting else None,
            strings=self.t,
            all_projects=self.service.projects,
            meaning=self._meaning,
        )

    def _project_name(self, key: str | None) -> str:
        project = self.service.project(key)
        return project.name if project else str(key)

    # ------------------------------------------------------------------ selection, detail
    def _active_list(self) -> VirtualList:
        if self.focused is self.live_list:
            return self.live_list
        if isinstance(self.focused, DetailPane) and self._last_list is not None:
            return self._last_list
        return self.main_list

    def _selected(self) -> Any | None:
        return self._active_list().current

    def _selected_id(self) -> int | None:
        row = self._selected()
        return None if row is None or isinstance(row, Message) else row.id

    def _selected_group(self) -> GroupSummary | None:
        row = self._selected()
        if isinstance(row, Message) or row is None:
            self.notify(self.t("error.no_selection"), severity="warning", markup=False)
            return None
        return row

    @on(VirtualList.Highlighted)
    def _highlighted(self, event: VirtualList.Highlighted) -> None:
        if event.list is not self._active_list():
            return
        self._show_row(event.row)

    def on_descendant_focus(self) -> None:
        if isinstance(self.focused, VirtualList):
            self._show_row(self.focused.current)
