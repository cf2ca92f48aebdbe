"""The main screen's keys: every one has an id (remappable with `App.set_keymap`)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding

from moderator.domain.models import Project
from moderator.ui.i18n import Strings


def main_bindings(t: Strings, projects: Sequence[Project]) -> list[Binding]:
    tag_keys = [
        Binding(
            p.hotkey,
            f"tag('{p.key}')",
            t("key.tag", name=p.name),
            show=False,
            id=f"tag.{p.key}",
        )
        for p in projects
        if p.hotkey
    ]
    # The help key comes first: the footer shows the keys in this order and cuts them at
    # the right edge (80 columns keep "? Hilfe").
    return [
        Binding("question_mark", "help", t("key.help"), id="help"),
        Binding("l", "send_live", t("key.live"), id="queue.live"),
        Binding("a", "later", t("key.later"), id="queue.later"),
        Binding("d", "dismiss_group", t("key.dismiss"), id="queue.dismiss"),
        Binding("enter", "advance", t("key.advance"), id="queue.advance"),
        Binding("m", "merge", t("key.merge"), id="group.merge"),
        Binding("M", "merge_pick", t("key.merge_pick"), show=False, id="group.merge_pick"),
        Binding("g", "similar", t("key.similar"), show=False, id="group.similar"),
        Binding("u", "undo", t("key.undo"), id="undo"),
        Binding("slash", "search", t("key.search"), id="search"),
        Binding("s", "split", t("key.split"), id="group.split"),
        Binding("p", "present", t("key.present"), id="present"),
        Binding("c", "toggle_chatter", t("key.chatter"), id="view.chatter"),
        Binding("h", "activity", t("key.activity"), show=False, id="view.activity"),
        Binding("n", "manual", t("key.manual"), id="manual"),
        Binding("e", "answer", t("key.answer"), id="answer"),
        Binding("t", "edit_title", t("key.title"), show=False, id="title"),
        Binding("x", "toggle_kind", t("key.kind"), show=False, id="kind"),
        Binding("shift+up,plus", "reorder(-1)", t("key.up"), show=False, id="queue.up"),
        Binding("shift+down,minus", "reorder(1)", t("key.down"), show=False, id="queue.down"),
        Binding("f", "filter_project", t("key.filter_project"), show=False, id="filter.project"),
        Binding("f2", "view('inbox')", t("key.view_inbox"), show=False, id="view.inbox"),
        Binding("f3", "view('later')", t("key.view_later"), show=False, id="view.later"),
        Binding("f4", "view('answered')", t("key.view_answered"), show=False, id="view.answered"),
        Binding(
            "f5", "view('dismissed')", t("key.view_dismissed"), show=False, id="view.dismissed"
        ),
        Binding("f6", "view('all')", t("key.view_all"), show=False, id="view.all"),
        Binding("v", "next_view", t("key.view_next"), show=False, id="view.next"),
        Binding("w", "switch_pane", t("key.focus_live"), show=False, id="focus.switch"),
        Binding("i", "focus_detail", t("key.focus_detail"), show=False, id="focus.detail"),
        Binding(
            "ctrl+down", "scroll_detail(3)", t("key.scroll_down"), show=False, id="detail.down"
        ),
        Binding("ctrl+up", "scroll_detail(-3)", t("key.scroll_up"), show=False, id="detail.up"),
        *tag_keys,
        # Textual's own quit and command palette keys, here again with our words (the
        # footer's palette key and the help read them from here).
        Binding("ctrl+q", "app.quit", t("key.quit"), show=False, priority=True, id="app.quit"),
        Binding(
            "ctrl+p",
            "app.command_palette",
            t("key.palette"),
            show=False,
            priority=True,
            id="app.palette",
        ),
    ]
