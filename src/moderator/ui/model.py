"""What the console currently knows about the event: plain summaries, views over them.

Pure Python (no Textual): the main screen feeds it service results and asks it for the
rows of a view. Keeping everything in one dict keyed by group id makes live updates
incremental: a change touches the few summaries it names, the views are re-derived.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from moderator.domain.models import Action, QueueState
from moderator.services.console import GroupSummary

S = QueueState

VIEWS: dict[str, frozenset[QueueState] | None] = {
    "inbox": frozenset({S.NEW}),
    "later": frozenset({S.LATER}),
    "answered": frozenset({S.ANSWERED_LIVE, S.ANSWERED_WRITING}),
    "dismissed": frozenset({S.DISMISSED}),
    "all": None,
}
LIVE_STATES = frozenset({S.LIVE, S.ON_AIR})
# Keys of an action's before/after dicts that name group ids.
_GROUP_KEYS = ("source", "target", "group", "group_id", "previous_on_air")


@dataclass(frozen=True, slots=True)
class Filter:
    project: str | None = None
    search: str = ""
    search_ids: frozenset[int] | None = None  # ids the service matched for `search`


def changed_groups(actions: Iterable[Action]) -> set[int] | None:
    """Group ids touched by these log entries; None when a full reload is safer."""
    ids: set[int] = set()
    for action in actions:
        if action.group_id is not None:
            ids.add(action.group_id)
        for side in (action.before, action.after):
            for key in _GROUP_KEYS:
                value = side.get(key)
                if isinstance(value, int):
                    ids.add(value)
            groups = side.get("groups")
            if isinstance(groups, list):
                ids.update(g for g in groups if isinstance(g, int))
        if action.verb == "purge":
            return None
    return ids


class EventModel:
    """Summaries by id, with the ordering rules of each view."""

    def __init__(self) -> None:
        self.groups: dict[int, GroupSummary] = {}
        self.loaded = False

    def replace_all(self, rows: Iterable[GroupSummary]) -> None:
        self.groups = {row.id: row for row in rows}
        self.loaded = True

    def apply(self, rows: Iterable[GroupSummary], asked: Collection[int] = ()) -> None:
        """Upsert `rows`; ids in `asked` that came back missing were merged away."""
        fresh = {row.id: row for row in rows}
        for gid in asked:
            if gid not in fresh:
                self.groups.pop(gid, None)
        self.groups.update(fresh)

    def get(self, group_id: int | None) -> GroupSummary | None:
        return None if group_id is None else self.groups.get(group_id)

    def view(
        self, name: str, flt: Filter = Filter(), presenting: str | None = None
    ) -> list[GroupSummary]:
        """Rows of a view, newest first; the presented project's questions float up."""
        states = VIEWS[name]
        rows = [
            g
            for g in self.groups.values()
            if (states is None or g.state in states) and _matches(g, flt)
        ]
        if presenting:
            rows.sort(key=lambda g: (g.effective_project != presenting, -g.id))
        else:
            rows.sort(key=lambda g: -g.id)
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
        result = dict.fromkeys(QueueState, 0)
        for g in self.groups.values():
            result[g.state] += 1
        return result


def _matches(group: GroupSummary, flt: Filter) -> bool:
    if flt.project and group.effective_project != flt.project:
        return False
    return flt.search_ids is None or group.id in flt.search_ids
