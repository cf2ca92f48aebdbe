"""The moderator's keys that write: tag, queue moves, Enter, reorder, undo, a question typed
in, an answer, a wording, question or chatter. Each shows its forecast at once and is
submitted to the write pipeline as one service call."""

from __future__ import annotations

from textual import work

from moderator.domain.actions import changed_groups, restored_group
from moderator.domain.models import (
    GroupSummary,
    Kind,
    Message,
    QueueState,
)
from moderator.domain.queues import LIVE_STATES
from moderator.services.errors import (
    ServiceError,
)
from moderator.ui.messages import (
    ActionFailed,
)
from moderator.ui.modals import (
    EditedText,
    LineEditScreen,
    ManualEntryScreen,
    ManualQuestion,
    TextEditScreen,
    in_language,
)
from moderator.ui.room import Room
from moderator.ui.wording import what_was_done

S = QueueState


class KeyActions(Room):
    """Turns the writing keys into forecasts and service calls."""

    # ------------------------------------------------------------------ key actions
    def action_tag(self, key: str) -> None:
        group = self._selected_group()
        if group is None:
            return
        name = self._project_name(key)

        def run() -> tuple[str, list[int]]:
            seen = self._expected(group)
            self._track(group.id, seen, self.service.tag(group.id, key, expected_version=seen))
            return self.t("done.tag", id=group.id, name=name), [group.id]

        general = self.service.general_key
        self._submit(run, live=False, expect=self.model.forecast_tag(group, key, general))

    def _queue(self, group: GroupSummary, target: QueueState) -> None:
        def run() -> tuple[str, list[int]]:
            seen = self._expected(group)
            # Triage in one key: sending an untagged question on confirms its suggestion,
            # in the same write as the move.
            moved = self.service.move(group.id, target, expected_version=seen, confirm_project=True)
            self._track(group.id, seen, moved)
            return self.t("done.move", id=group.id, state=self.t.state(target)), [group.id]

        expect = self.model.forecast_move(
            group, target, confirm_project=True, general_key=self.service.general_key
        )
        # Between inbox, later and dismissed the live queue stays as it is: no need to read
        # it back (it can hold hundreds of questions).
        live = group.state in LIVE_STATES or target in LIVE_STATES
        self._submit(run, expect=expect, live=live)

    def action_send_live(self) -> None:
        if group := self._selected_group():
            self._queue(group, S.LIVE)

    def action_later(self) -> None:
        if group := self._selected_group():
            self._queue(group, S.LATER)

    def action_dismiss_group(self) -> None:
        if group := self._selected_group():
            self._queue(group, S.DISMISSED)

    def action_advance(self) -> None:
        group = self._selected_group()
        if group is None:
            return

        def run() -> tuple[str, list[int]]:
            seen = self._expected(group)
            result = self._track(
                group.id, seen, self.service.advance(group.id, expected_version=seen)
            )
            return self.t("done.move", id=group.id, state=self.t.state(result.state)), [group.id]

        self._submit(run, expect=self.model.forecast_advance(group))

    def action_reorder(self, delta: int) -> None:
        group = self._selected_group()
        if group is None:
            return
        if group.state != S.LIVE:
            self.notify(self.t("error.not_live"), severity="warning", markup=False)
            return

        def run() -> tuple[str, list[int]]:
            seen = self._expected(group)
            self._track(
                group.id, seen, self.service.reorder(group.id, delta, expected_version=seen)
            )
            return self.t("done.reorder", id=group.id), [group.id]

        self._submit(run, expect=self.model.forecast_reorder(group, delta))

    def action_undo(self) -> None:
        def run() -> tuple[str, list[int]]:
            action = self.service.undo()
            if action is None:
                return self.t("done.nothing_to_undo"), []
            ids = sorted(changed_groups([action]) or ())
            restored = restored_group(action)
            if restored is not None:  # first: the cursor follows it
                ids = [restored, *(i for i in ids if i != restored)]
            what = what_was_done(action, lang=self.t.language)
            return self.t("done.undo", summary=what), ids

        self._submit(run, chatter=True, follow=True)

    def action_manual(self) -> None:
        def entered(question: ManualQuestion | None) -> None:
            if question is None:
                return

            def run() -> tuple[str, list[int]]:
                group = self.service.add_manual(
                    question.text, author=question.author, channel=question.channel
                )
                return self.t("done.manual", id=group.id), [group.id]

            self._submit(run, follow=True)

        self.app.push_screen(in_language(ManualEntryScreen, self.t)(self.t), entered)

    def action_answer(self) -> None:
        group = self._selected_group()
        if group is None:
            return
        self._fetch_for_answer(group)

    @work(thread=True, group="read", exit_on_error=False)
    def _fetch_for_answer(self, group: GroupSummary) -> None:
        """The stored answer and this moderator's draft of it (one kept with Esc, also in
        an earlier session)."""
        draft = self.drafts.get(group.id)  # kept in this session, maybe not stored yet
        try:
            full = self.service.group(group.id)
            if draft is None:
                draft = self.service.answer_draft(group.id)
        except ServiceError as exc:
            self.post_message(ActionFailed(self.t("error.failed"), self.t.error(exc)))
            return
        self.app.call_from_thread(self._edit_answer, group, full.answer, draft)

    def _edit_answer(self, group: GroupSummary, current: str, draft: str | None = None) -> None:
        def edited(result: EditedText | None) -> None:
            if result is None:
                return
            if result.draft:
                self._keep_draft(group.id, result.text, current)
                return
            self.drafts.pop(group.id, None)  # the write forgets the stored one

            def run() -> tuple[str, list[int]]:
                seen = self._expected(group)
                self._track(
                    group.id,
                    seen,
                    self.service.set_answer(
                        group.id, result.text, expected_version=seen, mark_answered=result.mark_done
                    ),
                )
                return self.t("done.answer", id=group.id), [group.id]

            self._submit(run)

        title = self.t("modal.answer", id=group.id)
        if draft is not None:
            title += " · " + self.t("modal.answer_draft")
        screen = in_language(TextEditScreen, self.t)(
            title,
            current if draft is None else draft,
            self.t("modal.answer_hint"),
            saved=current,
        )
        self.app.push_screen(screen, edited)

    def _keep_draft(self, group_id: int, text: str, saved: str) -> None:
        """Esc in the answer editor: the typed text stays as this moderator's draft (the
        next `e` brings it back); a text equal to the stored answer is no draft."""
        keep = "" if text == saved else text
        if keep.strip():
            self.drafts[group_id] = keep
            self.notify(self.t("done.draft_kept", id=group_id), markup=False, timeout=4)
        else:
            self.drafts.pop(group_id, None)
        self._store_draft(group_id, keep)

    @work(thread=True, group="draft", exit_on_error=False)
    def _store_draft(self, group_id: int, text: str) -> None:
        try:
            self.service.keep_answer_draft(group_id, text)
        except ServiceError as exc:  # kept in this session all the same
            self.post_message(ActionFailed(self.t("error.draft_not_stored"), self.t.error(exc)))

    def action_edit_title(self) -> None:
        group = self._selected_group()
        if group is None:
            return

        def edited(text: str | None) -> None:
            if text is None or not text.strip():
                return

            def run() -> tuple[str, list[int]]:
                seen = self._expected(group)
                self._track(
                    group.id,
                    seen,
                    self.service.set_title(group.id, text=text, expected_version=seen),
                )
                return self.t("done.title", id=group.id), [group.id]

            self._submit(run, live=False)

        screen = in_language(LineEditScreen, self.t)(
            self.t("modal.title", id=group.id), group.title, self.t("modal.title_hint")
        )
        self.app.push_screen(screen, edited)

    def action_toggle_kind(self) -> None:
        row = self._selected()
        if row is None:
            return
        if isinstance(row, Message):
            message_id, kind, ids = row.id, Kind.QUESTION, []
        else:
            if row.members != 1:
                self.notify(self.t("error.not_chatter_view"), severity="warning", markup=False)
                return
            message_id, kind, ids = None, Kind.CHATTER, [row.id]

        def run() -> tuple[str, list[int]]:
            # On a question the service finds its one wording in the same write.
            group_id = ids[0] if ids else None
            message = self.service.set_kind(message_id, kind, group_id=group_id)
            touched = ids + ([message.group_id] if message.group_id is not None else [])
            return self.t("done.kind", kind=kind.value), touched

        self._submit(run, chatter=True)
