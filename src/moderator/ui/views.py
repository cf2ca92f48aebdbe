"""Views and filters: the chatter, the inbox and the other views, the pane in focus, the
presented project, the project filter, search, "who did what" and the help."""

from __future__ import annotations

from datetime import UTC

from textual import on, work
from textual.binding import Binding

from moderator.domain.agenda import Slot, current_slot
from moderator.domain.queues import LIVE_STATES
from moderator.services.errors import (
    ConnectionLostError,
)
from moderator.ui.help import help_sections, key_label
from moderator.ui.messages import (
    ActionFailed,
    ActivityArrived,
    ConnectionChanged,
    DataArrived,
    SearchArrived,
)
from moderator.ui.modals import (
    ActivityLine,
    ActivityScreen,
    HelpScreen,
    LineEditScreen,
    ProjectChoice,
    ProjectKeyScreen,
    in_language,
)
from moderator.ui.model import (
    VIEWS,
    Filter,
)
from moderator.ui.room import Room
from moderator.ui.virtual_list import VirtualList
from moderator.ui.wording import describe

VIEW_ORDER = list(VIEWS)
ACTIVITY_SHOWN = 100  # log entries in the "who did what" view


class Views(Room):
    """Switches what the lists show."""

    # ------------------------------------------------------------------ views and filters
    def action_toggle_chatter(self) -> None:
        self.show_chatter = not self.show_chatter
        self.reader.want_chatter = self.show_chatter
        if self.show_chatter:
            self._load_chatter()
        else:
            self._refresh_lists()

    @work(thread=True, group="read", exit_on_error=False)
    def _load_chatter(self) -> None:
        self.post_message(DataArrived(self.reader.rows_for(())))

    def action_view(self, name: str) -> None:
        self.view = name
        self.show_chatter = False
        self.reader.want_chatter = False
        self._refresh_lists()

    def action_next_view(self) -> None:
        self.action_view(VIEW_ORDER[(VIEW_ORDER.index(self.view) + 1) % len(VIEW_ORDER)])

    def action_switch_pane(self) -> None:
        target = self.main_list if self.focused is self.live_list else self.live_list
        target.focus()

    def action_present(self) -> None:
        """Choose the presented project for the whole team: stored, so every console, the
        stage and the web pages show it and order the live queue by it."""

        def chosen(choice: ProjectChoice | None) -> None:
            if choice is None:
                return
            key = choice.key
            self._presented(key)  # at once here; the others follow the stored choice
            self._show_raised()

            def run() -> tuple[str, list[int]]:
                self.service.present(key)
                if key is None:
                    return self.t("done.present_none"), []
                return self.t("done.present", name=self._project_name(key)), []

            self._submit(run, live=False)

        screen = in_language(ProjectKeyScreen, self.t)(
            self.t("modal.present"), self.service.projects, self.t("modal.no_project")
        )
        self.app.push_screen(screen, chosen)

    _agenda_seen: Slot | None = None  # the agenda slot last proposed

    def _agenda_tick(self) -> None:
        """When a slot of the event's agenda begins, propose its project (once a slot; the
        team decides with `p`, so consoles never fight over it)."""
        now = self.clock()
        slot = current_slot(self.service.agenda, now if now.tzinfo else now.replace(tzinfo=UTC))
        if slot is None or slot == self._agenda_seen:
            return
        self._agenda_seen = slot
        project = self.service.project(slot.project)
        if project is None or slot.project == self.presenting:
            return
        text = self.t("notice.agenda", name=project.name, hotkey=project.hotkey or "…")
        self.notify(text, markup=False, timeout=20)

    def _show_raised(self) -> None:
        """The presented project's questions float to the top of the lists: in each, the
        cursor goes to the first of them (in the live queue that is the next to go on air,
        after the one on air), the list shows its top."""
        if self.presenting is None or self.show_chatter:
            return
        for pane in (self.main_list, self.live_list):
            raised = [r.id for r in pane.rows if r.effective_project == self.presenting]
            if raised:
                pane.scroll_to(y=0, animate=False, immediate=True)
                pane.select_id(raised[0])

    def _follow(self, group_id: int) -> None:
        """Select the question an own action brought (back) and scroll to it: in the live
        queue if it is there, else in the list, switched to a view (and without a filter)
        that shows it."""
        group = self.model.get(group_id)
        if group is None:
            return
        if group.state in LIVE_STATES:
            pane = self.live_list
        else:
            pane = self.main_list
            if self.show_chatter or not self.model.in_view(group, self.view, self.filter):
                view = self.view
                if not self.model.in_view(group, view):
                    view = next(n for n in VIEW_ORDER if self.model.in_view(group, n))
                flt = self.filter if self.model.in_view(group, view, self.filter) else Filter()
                if not flt.search:
                    self.reader.search = None
                self.view, self.filter, self.show_chatter = view, flt, False
                self.reader.want_chatter = False
                self._refresh_lists()
        pane.focus()
        pane.select_id(group_id)

    def _presented(self, key: str | None) -> None:
        """Show `key` as the presented project (chosen here, or stored by anyone)."""
        if key == self.presenting:
            return
        self.presenting = key
        self.main_list.redraw()
        self._refresh_lists()

    def action_filter_project(self) -> None:
        def chosen(choice: ProjectChoice | None) -> None:
            if choice is not None:
                self.filter = Filter(choice.key, self.filter.search, self.filter.search_ids)
                self._refresh_lists()

        screen = in_language(ProjectKeyScreen, self.t)(
            self.t("modal.filter_project"), self.service.projects, self.t("modal.no_project")
        )
        self.app.push_screen(screen, chosen)

    def action_search(self) -> None:
        def entered(text: str | None) -> None:
            if text is None:
                return
            if not text.strip():
                self.filter = Filter(self.filter.project)
                self.reader.search = None
                self._refresh_lists()
            else:
                self._run_search(text.strip())

        self.app.push_screen(
            in_language(LineEditScreen, self.t)(self.t("modal.search"), self.filter.search), entered
        )

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run_search(self, text: str) -> None:
        self.post_message(SearchArrived(text, self.service.search(text)))

    @on(SearchArrived)
    def _search_arrived(self, message: SearchArrived) -> None:
        self.filter = Filter(self.filter.project, message.text, message.ids)
        self.reader.search = message.text
        self._refresh_lists()
        # The search lands on its first hit.
        self.main_list.focus()
        if self.main_list.rows:
            self.main_list.select_id(self.main_list.rows[0].id)

    def action_activity(self) -> None:
        self._load_activity()

    @work(thread=True, group="activity", exit_on_error=False)
    def _load_activity(self) -> None:
        try:
            actions = self.service.activity(limit=ACTIVITY_SHOWN)
        except ConnectionLostError as exc:
            self.post_message(ConnectionChanged(False, str(exc)))
            self.post_message(ActionFailed(self.t("error.failed"), self.t.error(exc)))
            return
        self.post_message(ActivityArrived(actions))

    @on(ActivityArrived)
    def _show_activity(self, message: ActivityArrived) -> None:
        now, mine, lang = self.clock(), self.service.moderator, self.t.language
        lines = [
            ActivityLine(describe(a, now, lang=lang), a.moderator == mine, a.undone)
            for a in message.actions
        ]
        screen = in_language(ActivityScreen, self.t)(
            self.t("modal.activity", n=ACTIVITY_SHOWN),
            lines,
            self.t("modal.activity_hint"),
            empty=self.t("activity.empty"),
            undone=self.t("activity.undone"),
        )
        self.app.push_screen(screen)

    def action_help(self) -> None:
        active = self.active_bindings.values()
        bindings = [a.binding for a in active if a.node is self or isinstance(a.node, VirtualList)]
        if not any(isinstance(a.node, VirtualList) for a in active):
            # The detail has the focus: the lists' keys are still the lists' keys.
            bindings += Binding.make_bindings(VirtualList.BINDINGS)
        footer = f"{self.t('modal.help_hint')}\n{self.t('legend')}"
        sections = help_sections(self.t, bindings)
        quit_keys = [r.keys for s in sections for r in s.rows if r.binding_id == "app.quit"]
        quit_label = quit_keys[0] if quit_keys else key_label("ctrl+q", self.t.language)
        title = self.t("modal.help", quit=quit_label)
        screen = in_language(HelpScreen, self.t)(title, sections, footer)
        self.app.push_screen(screen)

    def palette_commands(self) -> list[tuple[str, str, str]]:
        """(title, help, action) for every key of this screen, for the command palette."""
        seen: dict[str, tuple[str, str, str]] = {}
        for _key, active in self.active_bindings.items():
            b = active.binding
            if active.node is not self or (b.id or "").startswith("app."):
                continue  # quit and the palette itself are the palette's own commands
            title, keys, _ = seen.get(b.action, (b.description, "", b.action))
            display = self.app.get_key_display(b)
            seen[b.action] = (title, f"{keys}, {display}" if keys else display, b.action)
        return list(seen.values())
