"""What the rooms of the console screen share: `MainScreen` is made of rooms (the write
pipeline, notices of others' actions, merge and split choices, the detail's loading,
reading the event, the warm-up and the meaning pass),
each a module of its own; this base declares the state they read and the screen's
helpers they call, so each room can be read (and type-checked) alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.screen import Screen
from textual.timer import Timer

from moderator.domain.models import (
    Action,
    Group,
    GroupSummary,
    Message,
    QueueState,
    WriteResult,
)
from moderator.services.console import EventService
from moderator.ui.i18n import Strings
from moderator.ui.model import Change, EventModel, Filter
from moderator.ui.rows import RowPainter
from moderator.ui.sync import JobQueue, Reader, Versions
from moderator.ui.virtual_list import VirtualList


class Room(Screen):
    """State and helpers of the console screen, set up by `MainScreen.__init__`."""

    service: EventService
    t: Strings
    clock: Callable[[], datetime]
    model: EventModel
    reader: Reader
    versions: Versions
    jobs: JobQueue
    offline: str | None
    last_saved: str | None
    activity: list[str]
    note_gap: float
    detail_delay: float
    detail_group: Group | None
    drafts: dict[int, str]  # answers left unsaved with Esc in this session, by group id
    _notes_due: list[Action]
    _last_note: float
    _last_urgent: float
    _note_timer: Timer | None
    _detail_wanted: int | None
    _detail_timer: Timer | None
    _last_list: VirtualList | None
    view: str
    show_chatter: bool
    chatter: list[Message]
    filter: Filter
    presenting: str | None
    painter: RowPainter
    chatter_count: int
    _polling: bool
    _state_counts: dict[QueueState, int]
    _projects_open: dict[str, int]
    _unloaded: tuple[dict[QueueState, int], dict[str, int]] | None
    _warm_up_started: bool
    _warmed: bool
    _meaning: tuple[int, int] | None
    _meaning_off_said: bool
    _meaning_running: bool
    _meaning_seq: int

    if TYPE_CHECKING:  # defined by MainScreen or by another room

        @property
        def main_list(self) -> VirtualList: ...
        def _selected(self) -> Any | None: ...
        def _selected_id(self) -> int | None: ...
        def _selected_group(self) -> GroupSummary | None: ...
        def _active_list(self) -> VirtualList: ...
        def _apply_changes(self, changes: list[Change], chatter_changed: bool) -> None: ...
        def _update_titles(self) -> None: ...
        def _submit(
            self,
            run: Callable[[], tuple[str, Iterable[int]]],
            *,
            chatter: bool = False,
            live: bool = True,
            expect: Iterable[GroupSummary] = (),
            gone: Iterable[int] = (),
            follow: bool = False,
        ) -> None: ...
        def _expected(self, group: GroupSummary) -> int | None: ...
        def _load_detail(self, group_id: int) -> None: ...
        @property
        def live_list(self) -> VirtualList: ...
        def _refresh_lists(self) -> None: ...
        def _follow(self, group_id: int) -> None: ...
        def _project_name(self, key: str | None) -> str: ...
        def _track(self, group_id: int, seen: int | None, result: WriteResult) -> WriteResult: ...
        def _update_status(self) -> None: ...
        def _report_others(self, actions: list[Action], selected: int | None) -> None: ...
        def _start_warm_up(self) -> None: ...
        def _presented(self, key: str | None) -> None: ...
