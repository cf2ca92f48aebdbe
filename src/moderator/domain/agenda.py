"""The event's agenda: which project is presented from when (`[[agenda]]` in the event
file). The console proposes the slot's project when the slot begins; the team decides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: datetime
    project: str  # a project key


def current_slot(agenda: Sequence[Slot], now: datetime) -> Slot | None:
    """The slot running at `now`: the last one that has begun (None before the first)."""
    begun = [slot for slot in agenda if slot.starts_at <= now]
    return max(begun, key=lambda slot: slot.starts_at) if begun else None
