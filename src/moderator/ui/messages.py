"""Messages that carry service results from worker threads back to the main screen."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from textual.message import Message

from moderator.domain.models import Action, Group
from moderator.domain.models import Message as ChatMessage
from moderator.services.console import GroupSummary


@dataclass
class Snapshot:
    """Everything the main screen shows besides the detail, as read in one go."""

    rows: list[GroupSummary]
    asked: Collection[int] | None  # None: `rows` is the whole event
    chatter: list[ChatMessage] | None
    chatter_count: int
    seq: int
    last_action: int


class DataArrived(Message):
    """Fresh summaries from the database (initial load, own action, or someone else)."""

    def __init__(self, snapshot: Snapshot, note: str | None = None) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.note = note


class DetailArrived(Message):
    def __init__(self, group: Group | None, history: list[Action]) -> None:
        super().__init__()
        self.group = group
        self.history = history


class SearchArrived(Message):
    def __init__(self, text: str, ids: frozenset[int] | None) -> None:
        super().__init__()
        self.text = text
        self.ids = ids


class ActionFailed(Message):
    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title = title
        self.text = text
