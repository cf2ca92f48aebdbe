"""Queue states and the one place that decides which moves are allowed."""

from __future__ import annotations

from moderator.domain.models import QueueState

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

OPEN_STATES = frozenset({S.NEW, S.LIVE, S.ON_AIR, S.LATER})
EXPORT_DEFAULT_STATES = frozenset({S.NEW, S.LATER})


class TransitionError(ValueError):
    """A queue move that the rules forbid."""


def check_transition(current: QueueState, target: QueueState) -> None:
    """Raise `TransitionError` unless `current -> target` is allowed.

    Staying in the same state is always allowed (an idempotent repeat of a move).
    """
    if current == target:
        return
    if target not in ALLOWED[current]:
        raise TransitionError(f"cannot move a question from {current.value} to {target.value}")


def compact_positions(ordered_ids: list[int]) -> dict[int, int]:
    """Positions 1..n for the live queue in the given order."""
    return {group_id: index for index, group_id in enumerate(ordered_ids, start=1)}


def move_in_order(ordered_ids: list[int], group_id: int, delta: int) -> list[int]:
    """Return the order with `group_id` moved `delta` places (clamped at the ends)."""
    order = [g for g in ordered_ids if g != group_id]
    if group_id not in ordered_ids:
        return list(ordered_ids)
    index = ordered_ids.index(group_id) + delta
    index = max(0, min(len(order), index))
    order.insert(index, group_id)
    return order
