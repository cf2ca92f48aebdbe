"""The detail pane's own debounce: the detail of the row under the cursor is read once
the cursor rests there (messages up), then given to the pane (attributes down)."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual import on, work

from moderator.domain.models import (
    Message,
)
from moderator.services.errors import (
    ConnectionLostError,
    ServiceError,
)
from moderator.ui.detail import DetailPane
from moderator.ui.messages import (
    ConnectionChanged,
    DetailArrived,
)
from moderator.ui.room import Room


class DetailLoading(Room):
    """Reads and shows the detail of the row under the cursor."""

    def _show_row(self, row: Any | None) -> None:
        """The cursor is on `row`: read its detail once the cursor rests there."""
        detail = self.query_one(DetailPane)
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if row is None:
            self.detail_group = None
            self._detail_wanted = None
            detail.clear()
        elif isinstance(row, Message):
            self.detail_group = None
            self._detail_wanted = None
            detail.show_chatter(row)
        elif self.detail_delay <= 0:
            self._load_detail(row.id)
        else:
            self._detail_wanted = row.id
            self._detail_timer = self.set_timer(
                self.detail_delay, partial(self._load_detail, row.id)
            )

    def _load_detail(self, group_id: int) -> None:
        self._detail_timer = None
        self._detail_wanted = group_id
        self._detail_worker(group_id)

    @work(thread=True, group="detail", exit_on_error=False)
    def _detail_worker(self, group_id: int) -> None:
        if group_id != self._detail_wanted:
            return  # the cursor moved on before this worker started
        try:
            detail = self.service.detail(group_id)
        except ConnectionLostError as exc:
            self.post_message(ConnectionChanged(False, str(exc)))
            return  # keep showing what was there
        except ServiceError:
            arrived = DetailArrived(None, [], [])
        else:
            arrived = DetailArrived(detail.group, list(detail.history), list(detail.maybe))
        if group_id == self._detail_wanted:
            self.post_message(arrived)

    @on(DetailArrived)
    def _detail_arrived(self, message: DetailArrived) -> None:
        group = message.group
        if group is None or group.id != self._selected_id():
            return
        self.detail_group = group
        self.query_one(DetailPane).show_group(group, message.history, message.maybe)

    def action_focus_detail(self) -> None:
        detail = self.query_one(DetailPane)
        if self.focused is detail:
            (self._last_list or self.main_list).focus()
        else:
            self._last_list = self._active_list()
            detail.focus()

    def action_scroll_detail(self, delta: int) -> None:
        self.query_one(DetailPane).scroll_lines(delta)
