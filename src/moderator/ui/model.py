"""What the console currently knows about the event: plain summaries, views over them.

Pure Python (no Textual): the main screen feeds it service results and asks it for the
rows of a view. Keeping everything in one dict keyed by group id makes live updates
incremental: a change touches the few summaries it names, the views are re-derived.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields

from moderator.domain.models import GENERAL_KEY, GroupSummary, QueueState
from moderator.domain.queues import (
    LIVE_STATES,
    OPEN_STATES,
    MergeError,
    Plan,
    RowChange,
    TransitionError,
    advance_target,
    effective_project,
    plan_merge,
    plan_move,
    plan_reorder,
    project_to_confirm,
    shown_order_key,
)

S = QueueState

VIEWS: dict[str, frozenset[QueueState] | None] = {
    "inbox": frozenset({S.NEW}),
    "later": frozenset({S.LATER}),
    "answered": frozenset({S.ANSWERED_LIVE, S.ANSWERED_WRITING}),
    "dismissed": frozenset({S.DISMISSED}),
    "all": None,
}


@dataclass(frozen=True, slots=True)
class Filter:
    project: str | None = None
    search: str = ""
    search_ids: frozenset[int] | None = None  # ids the service matched for `search`


Change = tuple[GroupSummary | None, GroupSummary | None]  # (before, after); None: absent
_FIELDS = tuple(f.name for f in fields(GroupSummary))


@dataclass(frozen=True, slots=True)
class Pending(GroupSummary):
    """What the console expects a write still in flight to store.

    Shown (marked as not yet saved) from the key press until the write has committed and
    been read back, or has failed; then the stored summary takes its place again. Never
    equal to a stored summary, so a row drawn as pending is redrawn when it is settled.
    """


def pending(group: GroupSummary, **changes: object) -> Pending:
    values = {name: getattr(group, name) for name in _FIELDS}
    values.update(changes)
    return Pending(**values)


def squash(changes: Iterable[Change]) -> list[Change]:
    """One (first before, last after) pair per group; groups that ended where they began
    drop out."""
    first: dict[int, GroupSummary | None] = {}
    last: dict[int, GroupSummary | None] = {}
    for old, new in changes:
        gid = (new or old).id  # type: ignore[union-attr]
        first.setdefault(gid, old)
        last[gid] = new
    return [(first[gid], last[gid]) for gid in first if first[gid] != last[gid]]


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
        self._live_ids: set[int] = set()  # in the live queue or on air: no scan of them all
        # Groups shown as a write in flight expects them: writes per group, and the stored
        # summary behind each (None: not in the event), kept up to date by reads meanwhile.
        self.pending: dict[int, int] = {}
        self._stored: dict[int, GroupSummary | None] = {}

    def replace_all(self, rows: Iterable[GroupSummary]) -> None:
        shown, self.groups = self.groups, {row.id: row for row in rows}
        self.loaded = True
        for gid in self.pending:  # stays as expected until its writes are done
            self._stored[gid] = self.groups.pop(gid, None)
            if (expected := shown.get(gid)) is not None:
                self.groups[gid] = expected
        self.state_counts = dict.fromkeys(QueueState, 0)
        self.open_by_project = {}
        self._live_ids = set()
        for g in self.groups.values():
            self._count(g, 1)

    def _count(self, g: GroupSummary, sign: int) -> None:
        self.state_counts[g.state] += sign
        if g.state in LIVE_STATES:
            if sign > 0:
                self._live_ids.add(g.id)
            else:
                self._live_ids.discard(g.id)
        if g.state in OPEN_STATES:
            key = effective_project(g) or GENERAL_KEY
            self.open_by_project[key] = self.open_by_project.get(key, 0) + sign

    def apply(self, rows: Iterable[GroupSummary], asked: Collection[int] = ()) -> list[Change]:
        """Upsert `rows`; ids in `asked` that came back missing were merged away.

        Returns the summaries that really changed, as (before, after) pairs. A group with a
        write in flight stays as expected; what was read is kept for when it is settled.
        """
        fresh = {row.id: row for row in rows}
        changes: list[Change] = []
        for gid in asked:
            if gid not in fresh:
                changes += self._store(gid, None)
        for gid, row in fresh.items():
            changes += self._store(gid, row)
        return changes

    def expect(self, rows: Iterable[GroupSummary], gone: Iterable[int] = ()) -> list[Change]:
        """Show `rows` as a write about to be made will store them (see `Pending`), and
        hide the groups in `gone` (merged away), until `settle` is called once for each."""
        changes: list[Change] = []
        shown = [(row.id, row if isinstance(row, Pending) else pending(row)) for row in rows]
        for gid, row in [*shown, *((gid, None) for gid in gone)]:
            if gid not in self.pending:
                self._stored[gid] = self.groups.get(gid)
            self.pending[gid] = self.pending.get(gid, 0) + 1
            changes += self._put(gid, row)
        return changes

    def settle(self, ids: Iterable[int]) -> list[Change]:
        """A write expected by `expect` is done (committed or not): once none is left for
        a group, it shows the stored summary again."""
        changes: list[Change] = []
        for gid in ids:
            left = self.pending.get(gid, 0) - 1
            if left > 0:
                self.pending[gid] = left
            elif gid in self.pending:
                del self.pending[gid]
                changes += self._put(gid, self._stored.pop(gid, None))
        return changes

    def _store(self, gid: int, row: GroupSummary | None) -> list[Change]:
        if gid in self.pending:
            self._stored[gid] = row
            return []
        return self._put(gid, row)

    def _put(self, gid: int, row: GroupSummary | None) -> list[Change]:
        old = self.groups.get(gid)
        if old == row:
            return []
        if old is not None:
            self._count(old, -1)
            del self.groups[gid]
        if row is not None:
            self._count(row, 1)
            self.groups[gid] = row
        return [(old, row)]

    # ------------------------------------------------------------------ forecasts
    # What a write will most likely store, from what the console knows: the plan of
    # `domain.queues` applied to the summaries (the service applies the same plan to the
    # database; a forecast that turns out wrong is replaced when the write is settled).
    def forecast_tag(
        self, group: GroupSummary, key: str | None, general_key: str = GENERAL_KEY
    ) -> list[GroupSummary]:
        project = project_to_confirm(group, key, general_key)
        return [pending(group, project_key=project, project_confirmed=True)]

    def forecast_move(
        self,
        group: GroupSummary,
        target: QueueState,
        *,
        confirm_project: bool = False,
        general_key: str = GENERAL_KEY,
    ) -> list[GroupSummary]:
        """The group after a queue move (and the live queue around it); [] if the rules
        forbid the move from the state the console knows (the service will say why)."""
        try:
            plan = plan_move(
                group,
                target,
                _ModelQueues(self),
                confirm_project=confirm_project,
                general_key=general_key,
            )
        except TransitionError:
            return []
        if not plan.steps:  # a repeat: the service changes nothing the list shows
            return []
        return self._forecast(plan)

    def forecast_merge(
        self, source: GroupSummary, target_id: int
    ) -> tuple[list[GroupSummary], list[int]]:
        """The target with the source's wordings and votes, and the source gone (with the
        live queue behind it moving up); nothing if the console does not know the target."""
        target = self.groups.get(target_id)
        if target is None:
            return [], []
        try:
            plan = plan_merge(source, target)
        except MergeError:
            return [], []
        return self._forecast(plan), [source.id]

    def forecast_advance(self, group: GroupSummary) -> list[GroupSummary]:
        return self.forecast_move(group, advance_target(group.state))

    def forecast_reorder(self, group: GroupSummary, delta: int) -> list[GroupSummary]:
        try:
            plan = plan_reorder(group, self._live_order(), delta)
        except TransitionError:
            return []
        return self._forecast(plan)

    def _forecast(self, plan: Plan) -> list[GroupSummary]:
        """Apply a plan to the summaries: the planned group first (or a merge's target,
        with the source's wordings and votes), then the others it changes."""
        values: dict[int, dict[str, object]] = {}
        for step in plan.steps:
            if isinstance(step, RowChange):
                values.setdefault(step.group_id, {}).update(step.values)
                continue
            for gid in dict.fromkeys([*self._live_ids, *values]):  # each group once
                g = self.groups[gid]
                now = {**_placement(g), **values.get(g.id, {})}
                at = now["position"]
                if now["state"] == S.LIVE and isinstance(at, int) and at >= step.start:
                    values.setdefault(g.id, {})["position"] = at + step.delta
        first = plan.group_id
        if plan.tag is not None:
            values.setdefault(first, {}).update(project_key=plan.tag, project_confirmed=True)
        if plan.merged is not None:
            source, first = plan.merged
            values.pop(source, None)  # hidden, not shown as changed
            target = self.groups[first]
            values.setdefault(first, {}).update(
                members=target.members + self.groups[source].members,
                votes=target.votes + self.groups[source].votes,
            )
        rows: list[GroupSummary] = [
            pending(self.groups[gid], **changes)
            for gid, changes in values.items()
            if any(getattr(self.groups[gid], k) != v for k, v in changes.items()) or gid == first
        ]
        rows.sort(key=lambda g: g.id != first)
        return rows

    def _live_rows(self) -> list[GroupSummary]:
        return [self.groups[gid] for gid in self._live_ids]

    def _live_order(self) -> list[GroupSummary]:
        rows = [g for g in self._live_rows() if g.state == S.LIVE]
        rows.sort(key=lambda g: (g.position or 0, g.id))
        return rows

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
        rows = self._live_rows()
        rows.sort(key=shown_order_key(presenting))
        return rows

    def counts(self) -> dict[QueueState, int]:
        return dict(self.state_counts)


class _ModelQueues:
    """The planner's view of the live queue and the question on air: what the console
    knows (its summaries, including forecasts of writes in flight)."""

    def __init__(self, model: EventModel) -> None:
        self.model = model

    def live(self) -> list[GroupSummary]:
        return self.model._live_order()

    def on_air(self) -> list[GroupSummary]:
        return [g for g in self.model._live_rows() if g.state == S.ON_AIR]


def _placement(group: GroupSummary) -> dict[str, object]:
    return {"state": group.state, "position": group.position}


def _matches(group: GroupSummary, flt: Filter) -> bool:
    if flt.project and group.effective_project != flt.project:
        return False
    return flt.search_ids is None or group.id in flt.search_ids
