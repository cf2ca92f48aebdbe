"""Merge and split choices: the merge picker (confident candidates, then "maybe"), a
question number typed by hand, the wording to split off, and the cluster of look-alike
open questions to merge at once."""

from __future__ import annotations

from rich.text import Text
from textual import work

from moderator.domain.dividing import parts_from_lines, suggested_parts
from moderator.domain.models import (
    Group,
    GroupSummary,
    Kind,
    Message,
)
from moderator.services.errors import (
    ConnectionLostError,
    ServiceError,
)
from moderator.ui.messages import (
    ActionFailed,
    ConnectionChanged,
)
from moderator.ui.modals import (
    LineEditScreen,
    PartsEditScreen,
    PickScreen,
    SimilarScreen,
    in_language,
)
from moderator.ui.room import Room
from moderator.ui.text import literal, one_line


class GroupChoices(Room):
    """Offers what to merge with and what to split off, and submits the choice."""

    def _merge_into(self, group: GroupSummary, target: int) -> None:
        def run() -> tuple[str, list[int]]:
            seen = self._expected(group)
            self.service.merge(group.id, target, expected_version=seen)
            return self.t("done.merge", source=group.id, target=target), [group.id, target]

        rows, gone = self.model.forecast_merge(group, target)
        self._submit(run, expect=rows, gone=gone)

    def action_merge(self) -> None:
        group = self._selected_group()
        if group is None:
            return
        if group.top_match_group is None:
            self.notify(self.t("error.no_suggestion", id=group.id), markup=False)
            return
        self._merge_into(group, group.top_match_group)

    def action_merge_pick(self) -> None:
        if group := self._selected_group():
            self._fetch_merge_choices(group)

    @work(thread=True, group="read", exit_on_error=False)
    def _fetch_merge_choices(self, group: GroupSummary) -> None:
        try:
            confident, weaker = self.service.merge_candidates(group.id)
        except ServiceError as exc:
            if isinstance(exc, ConnectionLostError):
                self.post_message(ConnectionChanged(False, str(exc)))
            self.post_message(ActionFailed(self.t("error.failed"), self.t.error(exc)))
            return
        self.app.call_from_thread(self._pick_merge, group, confident, weaker)

    def _pick_merge(self, group: GroupSummary, confident: list, weaker: list) -> None:
        """Confident candidates first, then weaker ones marked "vielleicht"."""
        ids = {s.group_id for s in confident}
        maybe = [s for s in weaker if s.group_id not in ids]
        if not confident and not maybe:
            self._ask_merge_number(group)
            return
        choices = []
        for s in confident:
            label = Text(f"{round(s.score):>3}% #{s.group_id}  ", style="bold")
            label.append_text(literal(one_line(s.text)[:150]))
            choices.append((s.group_id, label))
        for s in maybe:
            label = Text(f"{round(s.score):>3}% #{s.group_id} ", style="dim")
            tier = self.t("detail.nearest" if s.nearest else "detail.maybe")
            label.append(f"({tier}) ", style="italic")
            label.append_text(literal(one_line(s.text)[:150]))
            choices.append((s.group_id, label))

        choices.append((0, Text(self.t("merge.other"), style="italic")))

        def chosen(target: int | None) -> None:
            if target == 0:
                self._ask_merge_number(group)
            elif target is not None:
                self._merge_into(group, target)

        self.app.push_screen(
            in_language(PickScreen, self.t)(self.t("modal.pick_merge", id=group.id), choices),
            chosen,
        )

    def _ask_merge_number(self, group: GroupSummary) -> None:
        """Merge into any question by its number, suggested or not."""

        def typed(value: str | None) -> None:
            if value is None or not value.strip():
                return
            digits = value.strip().lstrip("#").strip()
            if not digits.isdigit():
                self.notify(self.t("error.bad_number", text=value.strip()), markup=False)
                return
            self._merge_into(group, int(digits))

        self.app.push_screen(
            in_language(LineEditScreen, self.t)(
                self.t("modal.merge_number", id=group.id),
                hint=self.t("modal.merge_number_hint"),
            ),
            typed,
        )

    def action_split(self) -> None:
        """`s`: a question of several wordings - split one off; a question of one wording
        - divide it into several questions (the parts edited one per line)."""
        group = self._selected_group()
        if group is None:
            return
        self._fetch_members(group)

    @work(thread=True, group="read", exit_on_error=False)
    def _fetch_members(self, group: GroupSummary) -> None:
        try:
            full = self.service.group(group.id)
        except ServiceError as exc:
            self.post_message(ActionFailed(self.t("error.failed"), self.t.error(exc)))
            return
        questions = [m for m in full.members if m.kind == Kind.QUESTION]
        if len(questions) == 1:
            self.app.call_from_thread(self._edit_parts, group, questions[0])
        else:
            self.app.call_from_thread(self._pick_split, full)

    def _edit_parts(self, group: GroupSummary, message: Message) -> None:
        """The divide modal: the suggested parts (a list's items, else the sentences that
        ask), one per line, for the moderator to edit."""

        def edited(text: str | None) -> None:
            if text is None:
                return
            parts = parts_from_lines(text)
            if len(parts) < 2:
                self.notify(self.t("error.divide_one", id=group.id), markup=False)
                return

            def run() -> tuple[str, list[int]]:
                seen = self._expected(group)
                result = self._track(
                    group.id, seen, self.service.divide(message.id, parts, expected_version=seen)
                )
                done = self.t("done.divide", id=group.id, count=len(parts))
                return done, list(result.touched_ids)

            self._submit(run, live=False)

        screen = in_language(PartsEditScreen, self.t)(
            self.t("modal.divide", id=group.id),
            "\n".join(suggested_parts(message.text)),
            self.t("modal.divide_hint"),
        )
        self.app.push_screen(screen, edited)

    def _pick_split(self, group: Group) -> None:
        members = [m for m in group.members if m.kind == Kind.QUESTION]
        if len(members) < 2:
            self.notify(self.t("error.single_member", id=group.id), markup=False)
            return
        if len(members) == 2:
            self._split(group.id, members[-1].id)
            return
        choices = []
        for m in members:
            label = Text(f"[{m.id}] ", style="bold")
            label.append(one_line(m.author or "")[:20] + ": ", style="italic")
            label.append(one_line(m.text)[:150])
            choices.append((m.id, label))

        def chosen(message_id: int | None) -> None:
            if message_id is not None:
                self._split(group.id, message_id)

        self.app.push_screen(
            in_language(PickScreen, self.t)(self.t("modal.pick_split", id=group.id), choices),
            chosen,
        )

    def _split(self, group_id: int, message_id: int) -> None:
        def run() -> tuple[str, list[int]]:
            result = self.service.split(message_id)
            return self.t("done.split", id=result.id), [group_id, result.id]

        self._submit(run)

    def action_similar(self) -> None:
        if group := self._selected_group():
            self._fetch_similar(group)

    @work(thread=True, group="read", exit_on_error=False)
    def _fetch_similar(self, group: GroupSummary) -> None:
        try:
            similar = self.service.similar_open(group.id)
        except ServiceError as exc:
            if isinstance(exc, ConnectionLostError):
                self.post_message(ConnectionChanged(False, str(exc)))
            self.post_message(ActionFailed(self.t("error.failed"), self.t.error(exc)))
            return
        self.app.call_from_thread(self._pick_similar, group, similar)

    def _pick_similar(self, group: GroupSummary, similar: list) -> None:
        """The cluster of look-alike open questions; the confident ones come checked."""
        if not similar:
            self.notify(self.t("similar.none", id=group.id), markup=False)
            return
        threshold = self.service.matching.suggest_threshold
        choices = []
        for s in similar:
            strong = s.score >= threshold
            label = Text(f"{round(s.score):>3}% #{s.group_id}  ", style="bold" if strong else "dim")
            label.append_text(literal(one_line(s.text)[:150]))
            choices.append((s.group_id, label, strong))

        def chosen(sources: list[int] | None) -> None:
            if sources:
                self._merge_many(group, sources)

        self.app.push_screen(
            in_language(SimilarScreen, self.t)(self.t("modal.similar", id=group.id), choices),
            chosen,
        )

    def _merge_many(self, group: GroupSummary, sources: list[int]) -> None:
        """Merge the chosen look-alikes into `group`, one logged merge each (`u` undoes
        them one by one)."""

        def run() -> tuple[str, list[int]]:
            for source in sources:
                self.service.merge(source, group.id)
            return self.t("done.merge_many", n=len(sources), target=group.id), [
                group.id,
                *sources,
            ]

        self._submit(run)
