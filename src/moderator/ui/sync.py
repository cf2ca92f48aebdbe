"""Reading from and writing to the services off the UI thread.

`Reader` builds `Snapshot`s (the initial load, a poll for changes by anyone, the rows an
own action touched). `JobQueue` runs the moderator's writes one after another, in key
press order, each in a short-lived worker thread, so a failure never reaches the UI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from moderator.domain.actions import (
    REDIRECTING,
    Verb,
    changed_groups,
    changes_chatter,
    changes_queue,
)
from moderator.domain.models import Kind, QueueState
from moderator.domain.queues import LIVE_STATES
from moderator.services.console import EventService
from moderator.ui.messages import Snapshot

log = logging.getLogger(__name__)
SAFETY_POLL = 3.0  # seconds: look for changes even without a notification
FULL_RELOAD_ABOVE = 2000  # changed groups; beyond this one full read is cheaper
# An event listing more questions than this shows a first screen before the whole event
# is read: its newest questions and the live queue (at 100,000 questions the whole read
# takes seconds of CPU; up to here it is quick, and one read is less work in all).
PAGED_ABOVE = 20_000
FIRST_LINES = 300  # questions of the first screen (the list scrolls on through them)


class Reader:
    """Change detection by polling `change_seq`, then `actions_since` for what changed.

    `search` is the console's active search text: polls check the changed groups against
    it, so new arrivals that match show up in the filtered list.
    """

    def __init__(
        self,
        service: EventService,
        *,
        first_lines: int = FIRST_LINES,
        paged_above: int = PAGED_ABOVE,
    ) -> None:
        self.service = service
        self.first_lines = first_lines
        self.paged_above = paged_above
        self.seq = -1
        self.last_action = 0
        self.want_chatter = False
        self.search: str | None = None

    def _chatter(self) -> tuple[list | None, int]:
        """The chatter messages (only while the chatter view is open) and their count."""
        if self.want_chatter:
            chatter = self.service.messages(kinds=[Kind.CHATTER])
            chatter.reverse()
            return chatter, len(chatter)
        return None, self.service.chatter_count()

    def load_all(self) -> Snapshot:
        seq = self.service.change_seq()
        last_action = self.service.last_action_id()
        rows = self.service.summaries()
        chatter, count = self._chatter()
        search = None
        if self.search:
            search = (self.search, self.service.search(self.search), None)
        self.seq, self.last_action = seq, last_action
        snapshot = Snapshot(rows, None, chatter, count, seq, last_action, search=search)
        snapshot.presented, snapshot.presenting = True, self.service.presenting()
        return snapshot

    def load_first(self, states: Collection[QueueState] | None) -> Snapshot | None:
        """The first screen of a large event (the newest questions in `states`, the live
        queue and the whole event's counts), or None for an event that is read whole as
        quickly. Moves nothing on: `load_all` follows."""
        first = self.service.first_screen(states, lines=self.first_lines, above=self.paged_above)
        if first is None:
            return None
        count = self.service.chatter_count()
        snapshot = Snapshot(first.rows, None, None, count, self.seq, self.last_action)
        snapshot.counts = (first.states, first.open_by_project)
        snapshot.presented, snapshot.presenting = True, self.service.presenting()
        return snapshot

    def poll(self) -> Snapshot | None:
        """A snapshot of what changed since the last look, or None if nothing did."""
        if self.seq < 0:
            return self.load_all()
        seq = self.service.change_seq()
        if seq == self.seq:
            return None
        actions = self.service.actions_since(self.last_action)
        ids = changed_groups(actions)
        if ids is not None:
            # Merged away (or back): the duplicate hints naming these groups change too.
            moved = changed_groups(a for a in actions if a.verb in REDIRECTING)
            if moved:
                ids |= self.service.groups_suggesting(moved)
        if ids is None or len(ids) > FULL_RELOAD_ABOVE:
            snapshot = self.load_all()
        else:
            # Most changes (tags, moves, merges) leave the chatter alone: skip its count then.
            # No log entry at all is a change we cannot pin down: count again to be safe.
            recount = not actions or any(changes_chatter(a) for a in actions)
            # Likewise the live queue: re-read only after something that can move it.
            live = not actions or any(changes_queue(a) for a in actions)
            snapshot = self.rows_for(ids, chatter=recount or self.want_chatter, live=live)
        # Only move on once everything was read: a lost connection retries the same range.
        self.seq = seq
        if actions:
            self.last_action = max(a.id for a in actions)
        snapshot.actions = actions
        snapshot.seq, snapshot.last_action = self.seq, self.last_action
        for action in actions:  # the newest choice of the presented project counts
            if action.verb == Verb.PRESENT:
                snapshot.presented, snapshot.presenting = True, action.after.get("project")
        return snapshot

    def rows_for(
        self, ids: Collection[int], *, chatter: bool = True, live: bool = True
    ) -> Snapshot:
        """Fresh summaries of `ids` and, unless `live=False`, of the whole live queue
        (positions shift), in one read.

        `chatter=False` skips the chatter count (an action that cannot change it);
        `live=False` the live queue (an action that cannot move it).
        """
        if live:
            rows = self.service.summaries(group_ids=list(ids), plus_states=LIVE_STATES)
            asked = set(ids) | {g.id for g in rows if g.state in LIVE_STATES}
        else:
            rows = self.service.summaries(group_ids=list(ids)) if ids else []
            asked = set(ids)
        messages, count = self._chatter() if chatter else (None, None)
        search = None
        if self.search and ids:
            hits = self.service.summaries(search=self.search, group_ids=list(ids))
            search = (self.search, frozenset(g.id for g in hits), frozenset(ids))
        return Snapshot(rows, asked, messages, count, self.seq, self.last_action, search=search)


@dataclass
class Versions:
    """Versions our own writes moved groups to, so queued keys stay valid.

    Pressing `3` then `l` quickly queues two writes that both saw version v; after the
    first, the group is at v+1. Only our own bumps are followed, so a change by another
    moderator still raises ConflictError.
    """

    bumps: dict[int, dict[int, int]] = field(default_factory=dict)

    def current(self, group_id: int, seen: int | None) -> int | None:
        if seen is None:
            return None
        chain = self.bumps.get(group_id, {})
        while seen in chain:
            seen = chain[seen]
        return seen

    def record(self, group_id: int, before: int | None, after: int) -> None:
        if before is not None and before != after:
            self.bumps.setdefault(group_id, {})[before] = after


Job = Callable[[], None]


class JobQueue:
    """Runs jobs in order; `start_worker` is called when no worker is draining the queue."""

    def __init__(self, start_worker: Callable[[], None]) -> None:
        self._jobs: deque[Job] = deque()
        self._lock = threading.Lock()
        self._running = False
        self._start_worker = start_worker

    def submit(self, job: Job) -> None:
        with self._lock:
            self._jobs.append(job)
            if self._running:
                return
            self._running = True
        self._start_worker()

    def drain(self) -> None:
        """Worker body: run queued jobs until none are left."""
        while True:
            with self._lock:
                if not self._jobs:
                    self._running = False
                    return
                job = self._jobs.popleft()
            job()


class ChangeWatch:
    """A thread that calls `on_change` whenever anyone changed the event.

    It wakes on LISTEN/NOTIFY (PostgreSQL) or a change counter poll (SQLite, or while the
    server is away: then it calls `on_change` every `interval`, so the caller's read can
    report the trouble and notice when it is over), and every `SAFETY_POLL` seconds anyway,
    in case a notification was lost.

    A call starts no sooner than `min_gap()` seconds after the previous one started: under
    load (other consoles and importers writing many times a second) the changes that arrive
    meanwhile are read by one call. After a quiet spell a change is read at once.

    A plain thread, not a Textual worker: it runs for the whole session, and waiting for
    workers must still mean waiting for work.
    """

    def __init__(
        self,
        service: EventService,
        on_change: Callable[[], None],
        *,
        interval: float,
        min_gap: Callable[[], float] = lambda: 0.0,
        name: str = "moderator-listen",
        call_first: bool = False,
    ) -> None:
        """`call_first`: call `on_change` once at the start (in the thread), as a first look."""
        self.service = service
        self.call_first = call_first
        self.on_change = on_change
        self.interval = interval
        self.min_gap = min_gap
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)

    def _run(self) -> None:
        if self.call_first:
            self.on_change()
        quiet = 0.0
        last_call = time.monotonic() - self.min_gap()
        while not self._stop.is_set():
            try:
                changed = self.service.wait_for_change(self.interval)
            except Exception:  # the caller's read reports the trouble
                changed = True
                self._stop.wait(self.interval)
            quiet = 0.0 if changed else quiet + self.interval
            if (changed or quiet >= SAFETY_POLL) and not self._stop.is_set():
                quiet = 0.0
                self._gather_until(last_call + self.min_gap())
                if self._stop.is_set():
                    return
                last_call = time.monotonic()
                self.on_change()

    def _gather_until(self, deadline: float) -> None:
        """Wait until `deadline` (time.monotonic()), taking in the change notifications that
        arrive meanwhile: the next call reads all those changes at once, so they must not
        each wake the loop again afterwards."""
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                self.service.wait_for_change(remaining)
            except Exception:  # the caller's read reports the trouble
                self._stop.wait(remaining)
