"""The moderator's main screen: the mediator between the panes and the services.

Panes show what they are given and announce what the user did; this screen turns key
presses into service calls (in workers, in key-press order) and pushes the results back
down. Nothing is shown as done before the service call returned.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
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
from moderator.domain.queues import LIVE_STATES
from moderator.services.console import EventService
from moderator.services.errors import (
    ConnectionLostError,
    ServiceError,
)
from moderator.ui.detail import DetailPane
from moderator.ui.detail_loading import DetailLoading
from moderator.ui.group_choices import GroupChoices
from moderator.ui.i18n import Strings
from moderator.ui.key_actions import KeyActions
from moderator.ui.messages import (
    ActionFailed,
    ConnectionChanged,
    DataArrived,
    MeaningProgress,
    Settled,
    WarmedUp,
)
from moderator.ui.modals import (
    SimilarScreen,
)
from moderator.ui.model import (
    VIEWS,
    Change,
    EventModel,
    Filter,
    squash,
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
INCREMENTAL_UP_TO = 300  # changed rows; beyond this the lists are rebuilt
MEANING_EVERY = 2.0  # seconds between looks for questions without a meaning vector
MIN_POLL_GAP = 0.15  # seconds from one poll's start to the next; changes meanwhile wait for it
NOTE_GAP = 2.0  # seconds between two notices of others' actions; what comes meanwhile waits
NARROW_BELOW = 110  # terminal columns


def _id_of(old: GroupSummary | None, new: GroupSummary | None) -> int:
    """The group of a (before, after) change; one of them is always there."""
    group = new or old
    assert group is not None
    return group.id


def keep_out_of_gc() -> None:
    """Leave the objects alive now out of the cyclic garbage collector's passes.

    With 10,000 questions the console holds some 200,000 long-lived objects (the event's
    summaries, the duplicate index, the widgets); every full collection walked them all,
    and under load (rows arriving, frames painted) one came every few seconds and stopped
    every thread, the screen's too, for up to half a second. Frozen objects are still freed
    when no longer referenced; cycles among them once `gc.unfreeze()` (the screen closes).
    """
    gc.freeze()


class MainScreen(KeyActions, Views, WritePipeline, Notices, GroupChoices, DetailLoading):
    """Inbox (or another view) on the left, live queue and detail on the right.

    The rooms it is made of: `KeyActions` (the writing keys), `Views` (views, filters,
    search, help), `WritePipeline` (submit, versions, settle), `Notices` (other
    moderators' actions), `GroupChoices` (merge and split), `DetailLoading` (the detail's
    debounce); reading, the lists and the selection are here."""

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
        self.set_interval(MEANING_EVERY, self._start_meaning_pass)

    # ------------------------------------------------------------------ reading
    @work(thread=True, group="read", exit_on_error=False)
    def _load_all(self) -> None:
        """The whole event; a large one after a first screen of its newest questions."""
        try:
            self._read(lambda: self.reader.load_first(VIEWS[self.view]))
            self._read(self.reader.load_all)
        except ServiceError:
            pass  # reported by _read; the next poll tries again
        finally:
            self._polling = False

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        try:
            with contextlib.suppress(ServiceError):  # else the first write fills the index
                self.service.warm_up()  # loads the sentence encoder too
                self.post_message(WarmedUp())  # dropped if the screen closed meanwhile
        finally:
            self._warmed = True  # the meaning pass may start (it fills the index itself)

    @on(WarmedUp)
    def _warmed_up(self) -> None:
        keep_out_of_gc()  # the index is long-lived too
        if (current := self._selected_id()) is not None:
            self._load_detail(current)  # its candidates scored against the whole event now
        self._start_meaning_pass()

    def _start_meaning_pass(self) -> None:
        """Every `MEANING_EVERY` seconds after the warm-up: one meaning pass at a time (a
        long one is never cancelled by the next look)."""
        if not self._warmed or self._meaning_running:
            return
        seq = self.reader.seq  # the event's change counter as the console last read it
        if seq == self._meaning_seq and seq >= 0:
            return  # nothing changed since the last pass: no question can lack a vector
        self._meaning_running, self._meaning_seq = True, seq
        self._meaning_pass()

    @work(thread=True, group="meaning", exit_on_error=False)
    def _meaning_pass(self) -> None:
        """Encode the questions that arrived without a meaning vector (from any console or
        import) and store their fused suggestions; the status line shows how far it is."""
        service = self.service
        try:
            if service.embedder() is None:
                status = service.meaning_status()
                if not self._meaning_off_said and status.wanted:
                    self.post_message(MeaningProgress(0, 0, None, status.reason))
                return
            service.embed_pending(
                progress=lambda done, total: self.post_message(
                    MeaningProgress(done, total, service.model_id)
                )
            )
        except ServiceError:
            self._meaning_seq = -2  # the database is away: the next round tries again
        finally:
            self._meaning_running = False

    @on(MeaningProgress)
    def _meaning_progress(self, message: MeaningProgress) -> None:
        if message.model_id is None:
            if not self._meaning_off_said:
                self._meaning_off_said = True
                log.info("no sentence encoder: %s", message.reason)
                self.notify(self.t("notice.meaning_off"), timeout=8)
            return
        running = message.done < message.total
        self._meaning = (message.done, message.total) if running else None
        self._update_status()

    def _read(self, read: Callable[[], Any]) -> None:
        """Run a read in a worker; report its snapshot and whether the database answered."""
        try:
            snapshot = read()
        except ConnectionLostError as exc:
            self.post_message(ConnectionChanged(False, str(exc)))
            raise
        if self.offline is not None:
            self.post_message(ConnectionChanged(True))
        if snapshot is not None:
            self.post_message(DataArrived(snapshot))

    def on_unmount(self) -> None:
        self._watch.stop()
        if self._warm_up_started:
            self.service.stop_warm_up()
        else:
            self.service.defer_index(False)
        self.service.close()
        gc.unfreeze()

    def _poll(self) -> None:
        if not self._polling:
            self._polling = True
            self._poll_now()

    def _poll_now(self) -> None:
        try:
            self._read(self.reader.poll)
        except ConnectionLostError:
            pass  # the banner says it; the next poll tries again
        except Exception as exc:  # a poll failure must never end the session
            log.exception("poll failed")
            self.post_message(ActionFailed(self.t("error.failed"), str(exc)))
        finally:
            self._polling = False

    @on(ConnectionChanged)
    def _connection_changed(self, message: ConnectionChanged) -> None:
        banner = self.query_one("#banner", Static)
        if message.ok:
            if self.offline is not None:
                self.offline = None
                banner.display = False
                self.notify(self.t("banner.back"), markup=False, timeout=3)
            return
        first = self.offline is None
        self.offline = message.reason or "?"
        text = Text(self.t("banner.offline"), style="bold")
        text.append(f"  ({one_line(self.offline)[:120]})", style="")
        banner.update(text, layout=False)
        if first:
            banner.display = True

    @on(DataArrived)
    def _data_arrived(self, message: DataArrived) -> None:
        snap = message.snapshot
        if snap.search is not None:
            self._search_hits(*snap.search)
        if snap.chatter is not None:
            self.chatter = snap.chatter
        if snap.chatter_count is not None:
            self.chatter_count = snap.chatter_count
        if snap.presented:
            self._presented(snap.presenting)
        current = self._selected_id()  # before the changes: it may be merged away
        settled = self.model.settle(message.settle)
        if snap.asked is None:
            self.model.replace_all(snap.rows)
            self._unloaded = None if snap.counts is None else self._not_loaded(*snap.counts)
            self._refresh_lists()
            touched: set[int] | None = None
            if snap.counts is None:
                keep_out_of_gc()
                if not self._warm_up_started:
                    self._warm_up_started = True
                    self._warm_up()
        else:
            changes = squash(settled + self.model.apply(snap.rows, snap.asked))
            self._apply_changes(changes, snap.chatter is not None)
            touched = {_id_of(old, new) for old, new in changes}
        if current is not None and (touched is None or current in touched):
            self._load_detail(current)
        self._report_others(snap.actions, current)
        if message.follow is not None:
            self._follow(message.follow)
        if message.note:
            self.last_saved = message.note
            self._update_titles()
            # The changed lists and the title are painted first; the toast follows a frame
            # later (mounting it re-lays out the screen: tens of ms under load).
            self.call_after_refresh(self.notify, message.note, markup=False, timeout=3)

    @on(Settled)
    def _settled(self, message: Settled) -> None:
        self._apply_changes(self.model.settle(message.ids), False)
        before, after = message.cursor
        if before is not None and before != after and self._selected_id() == after:
            # The forecast moved the question away under the cursor; it failed, so the
            # cursor goes back to it (a next key must not act on its neighbour).
            self._active_list().select_id(before)

    def _not_loaded(
        self, states: dict[QueueState, int], projects: dict[str, int]
    ) -> tuple[dict[QueueState, int], dict[str, int]]:
        """What the whole event's counts add to those of the first screen's questions."""
        model = self.model
        return (
            {s: n - model.state_counts.get(s, 0) for s, n in states.items()},
            {p: n - model.open_by_project.get(p, 0) for p, n in projects.items()},
        )

    def _count(self) -> None:
        """The counts of the status line: the model's, plus what is not loaded yet."""
        states, projects = self.model.counts(), dict(self.model.open_by_project)
        if self._unloaded is not None:
            for state, n in self._unloaded[0].items():
                states[state] = states.get(state, 0) + n
            for key, n in self._unloaded[1].items():
                projects[key] = projects.get(key, 0) + n
        self._state_counts, self._projects_open = states, projects

    def _search_hits(self, text: str, hits: frozenset[int], checked: frozenset[int] | None) -> None:
        """New or changed groups that match the active search join the filter."""
        flt = self.filter
        if flt.search != text or flt.search_ids is None:
            return
        ids = hits if checked is None else (flt.search_ids - checked) | hits
        self.filter = Filter(flt.project, flt.search, frozenset(ids))

    def _apply_changes(self, changes: list[Change], chatter_changed: bool) -> None:
        """Update the lists for a few changed summaries, without rebuilding them."""
        if not changes and not chatter_changed:
            return
        if self.show_chatter or len(changes) > INCREMENTAL_UP_TO:
            self._refresh_lists()
            return
        upserts, removed, shown = [], [], {}
        in_view = self.model.in_view
        for old, new in changes:
            if old is not None and in_view(old, self.view, self.filter):
                shown[old.id] = old  # in the list now
            if new is not None and in_view(new, self.view, self.filter):
                upserts.append(new)
            else:
                removed.append(_id_of(old, new))
        sort_key = self.model.sort_key(self.presenting)
        self.main_list.patch(upserts, removed, sort_key, shown=shown)
        if any(g is not None and g.state in LIVE_STATES for change in changes for g in change):
            self.live_list.set_rows(self.model.live(self.presenting))
        self._count()
        self._update_titles()
        self._update_status()

    def _refresh_lists(self) -> None:
        self.painter.presenting = self.presenting
        if self.show_chatter:
            self.main_list.set_rows(self.chatter)
        else:
            self.main_list.set_rows(self.model.view(self.view, self.filter, self.presenting))
        self.live_list.set_rows(self.model.live(self.presenting))
        self.main_list.empty_text = self.t("empty")
        self._count()
        self._update_titles()
        self._update_status()

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
            title=self.service.event.title,
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

    def action_similar(self) -> None:
        if group := self._selected_group():
            self._fetch_similar(group)

    @work(thread=True, group="read", exit_on_error=False)
    def _fetch_similar(self, group: GroupSummary) -> None:
        try:
            similar = self.service.similar_open(group.id)
        except ServiceError as exc:
            if isinstance(exc, ConnectionLostError):
                self.post_message(ConnectionChanged(False, str(exc)))
            self.post_message(ActionFailed(self.t("error.failed"), str(exc)))
            return
        self.app.call_from_thread(self._pick_similar, group, similar)

    def _pick_similar(self, group: GroupSummary, similar: list) -> None:
        """The cluster of look-alike open questions; the confident ones come checked."""
        if not similar:
            self.notify(self.t("similar.none", id=group.id), markup=False)
            return
        threshold = self.service.matching.suggest_threshold
        choices = []
        for s in similar:
            strong = s.score >= threshold
            label = Text(f"{round(s.score):>3}% #{s.group_id}  ", style="bold" if strong else "dim")
            label.append_text(literal(one_line(s.text)[:150]))
            choices.append((s.group_id, label, strong))

        def chosen(sources: list[int] | None) -> None:
            if sources:
                self._merge_many(group, sources)

        self.app.push_screen(SimilarScreen(self.t("modal.similar", id=group.id), choices), chosen)

    def _merge_many(self, group: GroupSummary, sources: list[int]) -> None:
        """Merge the chosen look-alikes into `group`, one logged merge each (`u` undoes
        them one by one)."""

        def run() -> tuple[str, list[int]]:
            for source in sources:
                self.service.merge(source, group.id)
            return self.t("done.merge_many", n=len(sources), target=group.id), [
                group.id,
                *sources,
            ]

        self._submit(run)
