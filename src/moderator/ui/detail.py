"""The detail pane: full text, every wording and asker, duplicates, answer, history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich.console import Group as RichGroup
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from moderator.domain.models import Action, Group, Message, Project
from moderator.ui.i18n import CHANNEL_ICONS, Strings
from moderator.ui.text import clock_time, literal, one_line


class DetailPane(VerticalScroll, can_focus=False):
    """Shows what it is given (`show_group`, `show_chatter`); reports nothing."""

    def __init__(
        self, strings: Strings, projects: Sequence[Project], tz: tzinfo | None, **kw
    ) -> None:
        super().__init__(**kw)
        self.t = strings
        self.projects = {p.key: p for p in projects}
        self.tz = tz
        self._body = Static(Text(strings("detail.none")), id="detail-body")

    def compose(self):
        yield self._body

    def clear(self) -> None:
        self._body.update(Text(self.t("detail.none"), style="dim"))

    def show_chatter(self, message: Message) -> None:
        text = Text()
        text.append(self.t("detail.chatter") + "\n\n", style="bold")
        text.append(f"{CHANNEL_ICONS.get(message.channel, '?')} ")
        text.append(f"{clock_time(message.received_at, self.tz)} ")
        text.append_text(literal(message.author or self.t("detail.anonymous"), "italic"))
        text.append("\n")
        text.append_text(literal(message.text, keep_newlines=True))
        self._body.update(text)

    def show_group(self, group: Group, history: Sequence[Action]) -> None:
        t = self.t
        head = Text()
        head.append(f"#{group.id} ", style="bold")
        head.append(f"· {t.state(group.state)} · ", style="italic")
        key = group.project_key or group.suggested_project
        project = self.projects.get(key or "")
        head.append(f"{t('detail.project')}: ")
        if project is None:
            head.append(t("detail.no_project"), style="dim")
        else:
            head.append(f"{project.hotkey} {project.name}", style="bold")
            if not group.project_key:
                pct = round(group.suggested_confidence * 100)
                head.append(f" ({t('detail.suggested', pct=pct)})", style="italic")
        head.append(f" · {t('detail.votes', n=group.votes)}\n\n")
        head.append_text(literal(group.title, "bold", keep_newlines=True))
        head.append("\n")

        parts: list[Text] = [head, self._members(group), self._suggestions(group)]
        parts.append(self._answer(group))
        parts.append(self._history(history))
        self._body.update(RichGroup(*parts))
        self.scroll_home(animate=False)

    def _section(self, title: str) -> Text:
        return Text(f"\n{title}\n", style="bold underline")

    def _members(self, group: Group) -> Text:
        text = self._section(self.t("detail.members", n=len(group.members)))
        for member in group.members:
            text.append(f" {CHANNEL_ICONS.get(member.channel, '?')} ")
            text.append(f"{clock_time(member.received_at, self.tz)} ", style="dim")
            text.append_text(literal(member.author or self.t("detail.anonymous"), "italic"))
            text.append(f" [{member.id}]: ", style="dim")
            text.append_text(literal(member.text))
            text.append("\n")
        return text

    def _suggestions(self, group: Group) -> Text:
        text = self._section(self.t("detail.suggestions"))
        if not group.suggestions:
            text.append(f" {self.t('detail.no_suggestions')}\n", style="dim")
        for s in group.suggestions[:5]:
            text.append(f" {round(s.score):>3}% #{s.group_id}: ", style="bold")
            text.append(one_line(s.text)[:200])
            text.append("\n")
        return text

    def _answer(self, group: Group) -> Text:
        text = self._section(self.t("detail.answer"))
        if group.answer.strip():
            text.append_text(literal(group.answer, keep_newlines=True))
            text.append("\n")
        else:
            text.append(f" {self.t('detail.no_answer')}\n", style="dim")
        return text

    def _history(self, history: Sequence[Action]) -> Text:
        text = self._section(self.t("detail.history"))
        for action in history[:15]:
            text.append(f" {clock_time(action.at, self.tz)} ", style="dim")
            text.append_text(literal(action.moderator, "italic"))
            text.append(": ")
            text.append_text(literal(action.summary, "strike" if action.undone else ""))
            text.append("\n")
        return text
