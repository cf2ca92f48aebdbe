"""The console's write pipeline: a key's write is queued (one writer thread, in key-press
order), its forecast shown at once, the write committed and read back, then settled;
refusals and failures come back as `ActionFailed`. Versions seen by this console go with
each write (`Versions`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from textual import on, work

from moderator.domain.models import (
    GroupSummary,
    WriteResult,
)
from moderator.services.errors import (
    ConflictError,
    ConnectionLostError,
    ServiceError,
    TransitionError,
)
from moderator.ui.messages import (
    ActionFailed,
    ConnectionChanged,
    DataArrived,
    Settled,
)
from moderator.ui.room import Room

log = logging.getLogger(__name__)


class WritePipeline(Room):
    """Queues writes and settles their forecasts."""

    # ------------------------------------------------------------------ writing
    def _start_writer(self) -> None:
        self._writer()

    @work(thread=True, group="write", exit_on_error=False)
    def _writer(self) -> None:
        self.jobs.drain()

    def _submit(
        self,
        run: Callable[[], tuple[str, Iterable[int]]],
        *,
        chatter: bool = False,
        live: bool = True,
        expect: Iterable[GroupSummary] = (),
        gone: Iterable[int] = (),
        follow: bool = False,
    ) -> None:
        """Queue a write; `run` returns the notification and the group ids it touched.

        `follow`: once saved, the cursor goes to the first of those ids (the question the
        write brought or brought back), wherever it is.

        `chatter`: the action may change the chatter count (read it afresh); `live=False`:
        it cannot move anything in the live queue (no need to read the queue back).
        `expect`: the summaries the write will most likely store (the model's forecasts),
        `gone`: the groups it will most likely merge away.
        They are shown at once, marked as not saved yet, so the key answers in the next
        frame, however long the database takes; once the write is committed and read
        back, or has failed, the stored rows replace them. Only then does the
        confirmation ("saved") appear.
        """
        expected, hidden = list(expect), list(gone)
        settle = [g.id for g in expected] + hidden
        cursor: tuple[int | None, int | None] = (self._selected_id(), None)
        if settle:
            self._apply_changes(self.model.expect(expected, hidden), False)
            cursor = (cursor[0], self._selected_id())

        def refused(title: str, text: str) -> None:  # the write did not go through
            self.post_message(ActionFailed(title, text, unsaved=True))

        def job() -> None:
            settled = False
            try:
                try:
                    note, touched = run()
                    ids = list(touched)
                except ConnectionLostError as exc:
                    self.post_message(ConnectionChanged(False, str(exc)))
                    key = "error.maybe_saved" if exc.committed is None else "error.not_saved"
                    refused(self.t(key), self.t.error(exc))
                    return
                except ConflictError as exc:
                    refused(self.t("error.conflict"), self.t.error(exc))
                    return
                except (ServiceError, TransitionError) as exc:
                    refused(self.t("error.failed"), self.t.error(exc))
                    return
                except Exception as exc:  # never let a background failure end the app
                    log.exception("action failed")
                    refused(self.t("error.failed"), repr(exc))
                    return
                try:
                    snapshot = self.reader.rows_for(
                        set(ids) | set(settle), chatter=chatter, live=live
                    )
                    target = ids[0] if follow and ids else None
                    self.post_message(DataArrived(snapshot, note, settle, target))
                    settled = True
                    if self.offline is not None:
                        self.post_message(ConnectionChanged(True))
                except ConnectionLostError as exc:  # saved, but could not be read back
                    self.post_message(ConnectionChanged(False, str(exc)))
                    self.post_message(ActionFailed(note, self.t.error(exc)))
                except Exception as exc:  # never let a background failure end the app
                    log.exception("reading back after an action failed")
                    self.post_message(ActionFailed(self.t("error.failed"), repr(exc)))
            finally:
                if settle and not settled:
                    self.post_message(Settled(settle, cursor))

        self.jobs.submit(job)

    @on(ActionFailed)
    def _action_failed(self, message: ActionFailed) -> None:
        if message.unsaved and self.last_saved is not None:  # an old "✓" would mislead
            self.last_saved = None
            self._update_titles()
        self.notify(message.text, title=message.title, severity="error", markup=False, timeout=6)

    def _expected(self, group: GroupSummary) -> int | None:
        return self.versions.current(group.id, group.version)

    def _track(self, group_id: int, seen: int | None, result: WriteResult) -> WriteResult:
        self.versions.record(group_id, seen, result.version)
        return result
