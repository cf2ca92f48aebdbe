"""Reading the event into the console: the first load (for a large event a first screen of
its newest questions before the whole event), then a poll for what anyone changed; the
snapshots read are applied to the model and the lists (attributes down), the connection's
state to the banner."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.widgets import Static

from moderator.domain.models import GroupSummary, QueueState
from moderator.domain.queues import LIVE_STATES
from moderator.services.errors import ConnectionLostError, ServiceError
from moderator.ui.messages import ActionFailed, ConnectionChanged, DataArrived, Settled
from moderator.ui.model import VIEWS, Change, Filter, squash
from moderator.ui.room import Room
from moderator.ui.text import one_line

log = logging.getLogger(__name__)
INCREMENTAL_UP_TO = 300  # changed rows; beyond this the lists are rebuilt
FIRST_PAINT_WAIT = 2.0  # seconds the whole event's read waits for the first screen's paint


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


class Loading(Room):
    """Reads the event in workers and applies what they read."""

    _first_painted: threading.Event

    # ------------------------------------------------------------------ reading
    @work(thread=True, group="read", exit_on_error=False)
    def _load_all(self) -> None:
        """The whole event; a large one after a first screen of its newest questions."""
        try:
            if self._read(lambda: self.reader.load_first(VIEWS[self.view])):
                # The whole event once the first screen is painted: its read would share
                # the CPU with that paint (the screen's thread waits for this one's turns).
                self._first_painted.wait(FIRST_PAINT_WAIT)
            self._read(self.reader.load_all)
        except ServiceError:
            pass  # reported by _read; the next poll tries again
        finally:
            self._polling = False

    def _read(self, read: Callable[[], Any]) -> bool:
        """Run a read in a worker; report its snapshot and whether the database answered.
        True if there was a snapshot."""
        try:
            snapshot = read()
        except ConnectionLostError as exc:
            self.post_message(ConnectionChanged(False, str(exc)))
            raise
        if self.offline is not None:
            self.post_message(ConnectionChanged(True))
        if snapshot is None:
            return False
        self.post_message(DataArrived(snapshot))
        return True

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
            self.post_message(ActionFailed(self.t("error.failed"), self.t.error(exc)))
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
                self._start_warm_up()
            else:
                self.call_after_refresh(self._first_painted.set)
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
