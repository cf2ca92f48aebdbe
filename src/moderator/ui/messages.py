"""Messages that carry service results from worker threads back to the main screen."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from textual.message import Message

from moderator.domain.models import Action, Group, GroupSummary, QueueState, Suggestion
from moderator.domain.models import Message as ChatMessage


@dataclass
class Snapshot:
    """Everything the main screen shows besides the detail, as read in one go."""

    rows: list[GroupSummary]
    asked: Collection[int] | None  # None: `rows` is the whole event
    chatter: list[ChatMessage] | None
    chatter_count: int | None  # None: not read this time (unchanged)
    seq: int
    last_action: int
    actions: list[Action] = field(default_factory=list)  # log entries behind this snapshot
    # (search text, ids among the checked ones that match it, ids checked); `checked` None:
    # the whole event was searched
    search: tuple[str, frozenset[int], frozenset[int] | None] | None = None
    # The team's presented project as stored, when this read learned it (`presented`).
    presented: bool = False
    presenting: str | None = None
    # A first screen of a large event (`Reader.load_first`): `rows` are the newest of the
    # first view and the live queue, these the whole event's counts (per state, open per
    # project); the whole event follows.
    counts: tuple[dict[QueueState, int], dict[str, int]] | None = None


class DataArrived(Message):
    """Fresh summaries from the database (initial load, own action, or someone else).

    `settle`: the groups an own write expected (`EventModel.expect`); it is done, and
    these rows show what it stored. `follow`: the question the write brought (back), to
    be selected and scrolled to.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        note: str | None = None,
        settle: Collection[int] = (),
        follow: int | None = None,
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.note = note
        self.settle = settle
        self.follow = follow


class Settled(Message):
    """An own write failed (or was not read back): its expected groups show what the
    console last read of them again. `cursor`: (the row selected before the key, the row
    its forecast moved the cursor to), so an unmoved cursor can go back to the question."""

    def __init__(self, ids: Collection[int], cursor: tuple[int | None, int | None]) -> None:
        super().__init__()
        self.ids = ids
        self.cursor = cursor


class DetailArrived(Message):
    def __init__(
        self, group: Group | None, history: list[Action], maybe: list[Suggestion] | None = None
    ) -> None:
        super().__init__()
        self.group = group
        self.history = history
        self.maybe = maybe or []


class ConnectionChanged(Message):
    """A read or write reached the database (`ok`) or found it unreachable."""

    def __init__(self, ok: bool, reason: str = "") -> None:
        super().__init__()
        self.ok = ok
        self.reason = reason


class SearchArrived(Message):
    def __init__(self, text: str, ids: frozenset[int] | None) -> None:
        super().__init__()
        self.text = text
        self.ids = ids


class ActionFailed(Message):
    """An error to show; `unsaved`: the moderator's own write did not go through."""

    def __init__(self, title: str, text: str, *, unsaved: bool = False) -> None:
        super().__init__()
        self.title = title
        self.text = text
        self.unsaved = unsaved


class MeaningProgress(Message):
    """The meaning pass stands at `done` of `total` questions (`model_id` None: no encoder,
    `reason` says why)."""

    def __init__(self, done: int, total: int, model_id: str | None, reason: str = "") -> None:
        super().__init__()
        self.done, self.total, self.model_id, self.reason = done, total, model_id, reason


class WarmedUp(Message):
    """The service's duplicate index is filled (a worker did it after the first screen)."""


class ActivityArrived(Message):
    """The team's recent actions, newest first, for the activity view."""

    def __init__(self, actions: list[Action]) -> None:
        super().__init__()
        self.actions = actions
