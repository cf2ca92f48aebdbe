"""What the console currently knows about the event: plain summaries, views over them.

Pure Python (no Textual): the main screen feeds it service results and asks it for the
rows of a view. Keeping everything in one dict keyed by group id makes live updates
incremental: a change touches the few summaries it names, the views are re-derived.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from moderator.domain.models import GENERAL_KEY, Action, QueueState
from moderator.services.console import GroupSummary
from moderator.services.sync import touched_groups

S = QueueState

VIEWS: dict[str, frozenset[QueueState] | None] = {
    "inbox": frozenset({S.NEW}),
    "later": frozenset({S.LATER}),
    "answered": frozenset({S.ANSWERED_LIVE, S.ANSWERED_WRITING}),
    "dismissed": frozenset({S.DISMISSED}),
    "all": None,
}
LIVE_STATES = frozenset({S.LIVE, S.ON_AIR})


@dataclass(frozen=True, slots=True)
class Filter:
    project: str | None = None
    search: str = ""
    search_ids: frozenset[int] | None = None  # ids the service matched for `search`


def changed_groups(actions: Iterable[Action]) -> set[int] | None:
    """Group ids touched by these log entries; None when a full reload is safer."""
    ids: set[int] = set()
    for action in actions:
        if action.verb == "purge":
            return None
        ids |= touched_groups(action)
    return ids


OPEN_STATES = frozenset({S.NEW, S.LIVE, S.ON_AIR, S.LATER})
Change = tuple[GroupSummary | None, GroupSummary | None]  # (before, after); None: absent


class EventModel:
    """Summaries by id, with the ordering rules of each view.

    Counts per state and open questions per project are kept up to date incrementally, so
    a single change costs O(1) besides the list update.
    """

    def __init__(self) -> None:
        self.groups: dict[int, GroupSummary] = {}
        self.loaded = False
        self.state_counts: dict[QueueState, int] = dict.fromkeys(QueueState, 0)
        self.open_by_project: dict[str, int] = {}

    def replace_all(self, rows: Iterable[GroupSummary]) -> None:
        self.groups = {row.id: row for row in rows}
        self.loaded = True
        self.state_counts = dict.fromkeys(QueueState, 0)
        self.open_by_project = {}
        for g in self.groups.values():
            self._count(g, 1)

    def _count(self, g: GroupSummary, sign: int) -> None:
        self.state_counts[g.state] += sign
        if g.state in OPEN_STATES:
            key = g.effective_project or GENERAL_KEY
            self.open_by_project[key] = self.open_by_project.get(key, 0) + sign

    def apply(self, rows: Iterable[GroupSummary], asked: Collection[int] = ()) -> list[Change]:
        """Upsert `rows`; ids in `asked` that came back missing were merged away.

        Returns the summaries that really changed, as (before, after) pairs.
        """
        fresh = {row.id: row for row in rows}
        changes: list[Change] = []
        for gid in asked:
            if gid not in fresh and (old := self.groups.pop(gid, None)) is not None:
                self._count(old, -1)
                changes.append((old, None))
        for gid, row in fresh.items():
            old = self.groups.get(gid)
            if old == row:
                continue
            if old is not None:
                self._count(old, -1)
            self._count(row, 1)
            self.groups[gid] = row
            changes.append((old, row))
        return changes

    def get(self, group_id: int | None) -> GroupSummary | None:
        return None if group_id is None else self.groups.get(group_id)

    @staticmethod
    def in_view(group: GroupSummary, name: str, flt: Filter = Filter()) -> bool:
        states = VIEWS[name]
        return (states is None or group.state in states) and _matches(group, flt)

    @staticmethod
    def sort_key(presenting: str | None = None):
        """Order of the views: newest first; the presented project's questions float up."""
        if presenting:
            return lambda g: (g.effective_project != presenting, -g.id)
        return lambda g: -g.id

    def view(
        self, name: str, flt: Filter = Filter(), presenting: str | None = None
    ) -> list[GroupSummary]:
        """Rows of a view, newest first; the presented project's questions float up."""
        rows = [g for g in self.groups.values() if self.in_view(g, name, flt)]
        rows.sort(key=self.sort_key(presenting))
        return rows

    def live(self, presenting: str | None = None) -> list[GroupSummary]:
        """The live queue: on air first, then the presented project, then queue order."""
        rows = [g for g in self.groups.values() if g.state in LIVE_STATES]
        rows.sort(
            key=lambda g: (
                g.state != S.ON_AIR,
                bool(presenting) and g.effective_project != presenting,
                g.position or 0,
                g.id,
            )
        )
        return rows

    def counts(self) -> dict[QueueState, int]:
        return dict(self.state_counts)


def _matches(group: GroupSummary, flt: Filter) -> bool:
    if flt.project and group.effective_project != flt.project:
        return False
    return flt.search_ids is None or group.id in flt.search_ids
