"""Queue states and the one place that decides which moves are allowed, and how a move,
a merge or a reorder changes the question groups (`plan_move`, `plan_merge`,
`plan_reorder`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from moderator.domain.language import Explained
from moderator.domain.models import (
    GENERAL_KEY,
    QueueState,
    Tagged,
    effective_project,
    is_confirmed,
)

S = QueueState

ALLOWED: dict[QueueState, frozenset[QueueState]] = {
    S.NEW: frozenset({S.LIVE, S.LATER, S.DISMISSED, S.ON_AIR, S.ANSWERED_WRITING}),
    S.LIVE: frozenset({S.NEW, S.ON_AIR, S.LATER, S.DISMISSED}),
    S.ON_AIR: frozenset({S.ANSWERED_LIVE, S.LIVE, S.LATER, S.NEW}),
    S.LATER: frozenset({S.NEW, S.LIVE, S.ANSWERED_WRITING, S.DISMISSED, S.ON_AIR}),
    S.ANSWERED_LIVE: frozenset({S.LATER, S.NEW, S.LIVE}),
    S.ANSWERED_WRITING: frozenset({S.LATER, S.NEW}),
    S.DISMISSED: frozenset({S.NEW, S.LATER, S.LIVE}),
}

OPEN_STATES = frozenset({S.NEW, S.LIVE, S.ON_AIR, S.LATER})  # still to be answered
LIVE_STATES = frozenset({S.LIVE, S.ON_AIR})  # the live queue as the console shows it
TRIAGED = frozenset({S.LIVE, S.LATER})  # a move there may confirm the project
EXPORT_DEFAULT_STATES = frozenset({S.NEW, S.LATER})


class TransitionError(Explained, ValueError):
    """A queue move that the rules forbid."""


def check_transition(current: QueueState, target: QueueState) -> None:
    """Raise `TransitionError` unless `current -> target` is allowed.

    Staying in the same state is always allowed (an idempotent repeat of a move).
    """
    if current == target:
        return
    if target not in ALLOWED[current]:
        raise TransitionError(key="transition", current=current, target=target)


def compact_positions(ordered_ids: list[int]) -> dict[int, int]:
    """Positions 1..n for the live queue in the given order."""
    return {group_id: index for index, group_id in enumerate(ordered_ids, start=1)}


class Shown(Tagged, Protocol):
    """What the shown order reads of a live question (a summary, a `Group` or a row)."""

    @property
    def id(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def position(self) -> int | None: ...


def shown_order_key(presenting: str | None) -> Any:
    """The one order of the live queue wherever it is shown (every console, the terminal
    stage, the web pages): the question on air first, then the questions of the presented
    project (`presenting`, the team's choice stored with the event), then queue order."""

    def key(g: Shown) -> tuple[bool, bool, int, int]:
        return (
            S(g.state) != S.ON_AIR,
            bool(presenting) and effective_project(g) != presenting,
            g.position or 0,
            g.id,
        )

    return key


def move_in_order(ordered_ids: list[int], group_id: int, delta: int) -> list[int]:
    """Return the order with `group_id` moved `delta` places (clamped at the ends)."""
    order = [g for g in ordered_ids if g != group_id]
    if group_id not in ordered_ids:
        return list(ordered_ids)
    index = ordered_ids.index(group_id) + delta
    index = max(0, min(len(order), index))
    order.insert(index, group_id)
    return order


# ---------------------------------------------------------------------- the planner
# One definition of each queue and merge rule. A plan is a list of row changes; the
# service applies it to database rows (`services.queues`), the console to the rows it
# shows for the instant forecast (`ui.model`). Neither decides anything itself.


class Placed(Protocol):
    """What the planner reads of a question group (a row, a summary or a `Group`)."""

    @property
    def id(self) -> int: ...
    @property
    def state(self) -> str: ...  # a `QueueState` or its value
    @property
    def position(self) -> int | None: ...
    @property
    def project_key(self) -> str | None: ...
    @property
    def project_confirmed(self) -> bool: ...
    @property
    def suggested_project(self) -> str | None: ...


class Queues(Protocol):
    """The event's live queue and what is on air, read only when a plan needs them."""

    def live(self) -> Sequence[Placed]:
        """The live queue (state LIVE), in queue order."""
        ...

    def on_air(self) -> Sequence[Placed]: ...


@dataclass(frozen=True, slots=True)
class RowChange:
    """Set these attributes of one group (`state` as a `QueueState`)."""

    group_id: int
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Shift:
    """Every question in the live queue at `start` or behind it moves `delta` places.

    The planned group is never among them: a plan takes it out of the queue (position
    None) before a shift, or puts it in after one.
    """

    start: int
    delta: int


Step = RowChange | Shift


@dataclass(frozen=True, slots=True)
class Plan:
    """What one move, merge or reorder changes, in the order it must be applied.

    `tag`: the project key the group is confirmed with in the same write (the service
    logs it as its own "tag" entry). `previous_on_air`: the question the move took off
    air. `merged`: (source, target) of a merge; the members move, the source is hidden.
    `order`: the live queue's new order after a reorder.
    """

    group_id: int
    steps: tuple[Step, ...] = ()
    tag: str | None = None
    previous_on_air: int | None = None
    merged: tuple[int, int] | None = None
    order: tuple[int, ...] = ()

    @property
    def touched(self) -> tuple[int, ...]:
        """The groups the plan changes by id (not those a shift moves)."""
        ids = [self.group_id, *(s.group_id for s in self.steps if isinstance(s, RowChange))]
        return tuple(dict.fromkeys([*ids, *(self.merged or ())]))


class MergeError(Explained, ValueError):
    """A merge that the rules forbid."""


def project_to_confirm(group: Placed, key: str | None, general_key: str) -> str:
    """The project a tag confirms: the key pressed, else the group's project or its
    suggestion, else the general project."""
    return key or effective_project(group) or general_key


def leave_live(group: Placed) -> list[Step]:
    """Take a live group out of the queue; the questions behind it close up."""
    if S(group.state) != S.LIVE or group.position is None:
        return []
    return [RowChange(group.id, {"position": None}), Shift(group.position + 1, -1)]


def plan_move(
    group: Placed,
    target: QueueState,
    queues: Queues,
    *,
    position: int | None = None,
    confirm_project: bool = False,
    general_key: str = GENERAL_KEY,
) -> Plan:
    """Move `group` to `target`: the live queue stays contiguous (a question leaving it
    closes the gap, one entering goes to the end or to `position`), at most one question
    is on air (the one there before counts as answered live), and with `confirm_project`
    a question sent to the live queue or to "later" has its project confirmed.

    Raises `TransitionError` for a move the rules forbid. Repeating a move changes no
    row (unless a `position` is given), but may still confirm the project.
    """
    current = S(group.state)
    check_transition(current, target)
    tag = None
    if confirm_project and not is_confirmed(group) and target in TRIAGED:
        tag = project_to_confirm(group, None, general_key)
    if current == target and position is None:
        return Plan(group.id, tag=tag)
    steps: list[Step] = []
    previous_on_air = None
    if current == S.LIVE:
        steps += leave_live(group)
    if target == S.ON_AIR:
        for other in queues.on_air():
            if other.id != group.id:
                steps.append(RowChange(other.id, {"state": S.ANSWERED_LIVE, "position": None}))
                previous_on_air = other.id
    if target == S.LIVE:
        size = sum(1 for g in queues.live() if g.id != group.id)
        slot = size + 1 if position is None else max(1, min(position, size + 1))
        steps += [Shift(slot, 1), RowChange(group.id, {"position": slot, "state": target})]
    else:
        steps.append(RowChange(group.id, {"position": None, "state": target}))
    return Plan(group.id, tuple(steps), tag=tag, previous_on_air=previous_on_air)


def advance_target(current: QueueState | str) -> QueueState:
    """Enter: a question goes on air, the one on air counts as answered live."""
    return S.ANSWERED_LIVE if S(current) == S.ON_AIR else S.ON_AIR


def plan_merge(source: Placed, target: Placed) -> Plan:
    """Merge `source` into `target`: its members join the target, whose title, project,
    state, position and answer win; the source leaves the live queue (the questions
    behind it close up) and is kept hidden with its own state and position, so a split
    can bring it back exactly."""
    if source.id == target.id:
        raise MergeError(key="merge_self")
    steps = leave_live(source)
    if steps:
        steps.append(RowChange(source.id, {"position": source.position}))  # kept for a split
    return Plan(source.id, tuple(steps), merged=(source.id, target.id))


def plan_reorder(group: Placed, live: Sequence[Placed], delta: int) -> Plan:
    """Move a live question `delta` places up (negative) or down the live queue (`live`,
    in queue order); the questions it passes are renumbered."""
    if S(group.state) != S.LIVE or group.id not in {g.id for g in live}:
        raise TransitionError(key="not_live", id=group.id)
    order = move_in_order([g.id for g in live], group.id, delta)
    by_id = {g.id: g for g in live}
    return Plan(
        group.id,
        tuple(
            RowChange(gid, {"position": index})
            for index, gid in enumerate(order, start=1)
            if by_id[gid].position != index
        ),
        order=tuple(order),
    )
