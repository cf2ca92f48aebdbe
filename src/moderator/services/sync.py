"""What other moderators did, for consoles and the stage view to refresh within a second.

    watcher = Watcher(service)           # in a worker thread
    while running:
        change = watcher.changes(timeout=1.0)
        if change:                        # something committed since the last call
            refresh(change.group_ids)     # only those groups (or everything if change.reload)
            for action in change.by_others:
                notify(...)                # ui.wording.describe(action, now)

`Watcher.connected` / `Watcher.last_error` tell the console whether the database is reachable.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from moderator.domain.actions import (  # re-exported: the vocabulary lives in the domain
    CHATTER_VERBS,
    QUEUE_VERBS,
    changes_chatter,
    changes_queue,
    touched_groups,
)
from moderator.domain.models import Action
from moderator.services.console import EventService
from moderator.services.errors import ConnectionLostError
from moderator.storage.notify import ChangeListener

__all__ = [
    "CHATTER_VERBS",
    "QUEUE_VERBS",
    "ChangeSet",
    "Watcher",
    "changes_chatter",
    "changes_queue",
    "touched_groups",
]


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Committed changes since the previous `Watcher.changes` call."""

    seq: int
    actions: tuple[Action, ...] = ()
    group_ids: frozenset[int] = field(default_factory=frozenset)
    moderator: str = ""
    changed: bool = False
    # True when the change cannot be pinned to groups (e.g. a write without a log entry,
    # or a reconnect): refresh everything.
    reload: bool = False

    def __bool__(self) -> bool:
        return self.changed

    @property
    def by_others(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.moderator != self.moderator)


class Watcher:
    """Turns change notifications into the actions and groups to refresh. Thread-safe."""

    def __init__(self, service: EventService, *, listener: ChangeListener | None = None) -> None:
        self.service = service
        self.listener = listener or ChangeListener(service.db, service.event_id)
        self._lock = threading.Lock()
        self._read_error: str | None = None
        self._last_action: int | None
        try:
            self._last_action = service.last_action_id()
        except ConnectionLostError as exc:
            self._last_action = None
            self._read_error = str(exc)

    @property
    def connected(self) -> bool:
        return self.listener.connected and self._read_error is None

    @property
    def last_error(self) -> str | None:
        return self._read_error or (None if self.listener.connected else self.listener.last_error)

    def changes(self, timeout: float) -> ChangeSet:
        """Wait up to `timeout` seconds; a falsy ChangeSet when nothing changed."""
        with self._lock:
            changed = self.listener.wait(timeout)
            if not changed and self._read_error is None:
                return ChangeSet(self.listener.seq, moderator=self.service.moderator)
            try:
                if self._last_action is None:
                    self._last_action = self.service.last_action_id()
                    actions: list[Action] = []
                    reload = True
                else:
                    actions = self.service.actions_since(self._last_action)
                    reload = self._read_error is not None or not actions
            except ConnectionLostError as exc:
                # Keep the position: the next successful call catches up.
                self._read_error = str(exc)
                return ChangeSet(self.listener.seq, moderator=self.service.moderator)
            self._read_error = None
            if actions:
                self._last_action = actions[-1].id
            groups: set[int] = set()
            for action in actions:
                groups |= touched_groups(action)
            return ChangeSet(
                seq=self.listener.seq,
                actions=tuple(actions),
                group_ids=frozenset(groups),
                moderator=self.service.moderator,
                changed=True,
                reload=reload,
            )

    def close(self) -> None:
        self.listener.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
