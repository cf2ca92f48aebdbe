"""The detail pane: full text, every wording and asker, duplicates, answer, history.

The pane has a fixed size and draws its own lines (Line API) with its own scroll offset,
so showing another question re-wraps a few dozen lines and repaints the pane, without a
layout pass of the whole screen (which is what made cursor moves slow with 10k questions).
Showing the same question again (it changed, or only the "vor 3 s" of its history did)
repaints only the lines that differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import MouseScrollDown, MouseScrollUp
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from moderator.domain.models import Action, Group, Message, Project, Suggestion
from moderator.domain.queues import effective_project, is_confirmed
from moderator.ui.i18n import CHANNEL_ICONS, Strings
from moderator.ui.text import clock_time, literal, one_line
from moderator.ui.wording import ago, what_was_done

THUMB = "▐"


class DetailPane(Widget, can_focus=True):
    """Shows what it is given (`show_group`, `show_chatter`); reports nothing.

    Focus it (`i` on the main screen) or use ctrl+up/down to scroll it by keyboard.
    """

    DEFAULT_CSS = """
    DetailPane {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding("up,k", "scroll_by(-1)", "Up", show=False),
        Binding("down,j", "scroll_by(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("home", "scroll_by(-1000000)", "Top", show=False),
        Binding("end", "scroll_by(1000000)", "Bottom", show=False),
    ]

    def __init__(
        self,
        strings: Strings,
        projects: Sequence[Project],
        tz: tzinfo | None,
        *,
        clock: Callable[[], datetime] | None = None,
        **kw,
    ) -> None:
        super().__init__(**kw)
        self.t = strings
        self.projects = {p.key: p for p in projects}
        self.tz = tz
        self.clock = clock
        self.content: RenderableType = Text(strings("detail.none"), style="dim")
        self.group_id: int | None = None
        self.top = 0
        self._strips: list[Strip] = []
        self._wrapped_width = -1
        self._base: Style | None = None  # the pane's style, while a frame is painted

    # ------------------------------------------------------------------ content
    def clear(self) -> None:
        self.group_id = None
        self._set(Text(self.t("detail.none"), style="dim"))

    def show_chatter(self, message: Message) -> None:
        self.group_id = None
        text = Text()
        text.append(self.t("detail.chatter") + "\n\n", style="bold")
        text.append(f"{CHANNEL_ICONS.get(message.channel, '?')} ")
        text.append(f"{clock_time(message.received_at, self.tz)} ")
        text.append_text(literal(message.author or self.t("detail.anonymous"), "italic"))
        text.append("\n")
        text.append_text(literal(message.text, keep_newlines=True))
        self._set(text)

    def show_group(
        self,
        group: Group,
        history: Sequence[Action],
        maybe: Sequence[Suggestion] = (),
    ) -> None:
        """`maybe`: weaker duplicate candidates, listed below the confident ones."""
        t = self.t
        head = Text()
        head.append(f"#{group.id} ", style="bold")
        head.append(f"· {t.state(group.state)} · ", style="italic")
        project = self.projects.get(effective_project(group) or "")
        head.append(f"{t('detail.project')}: ")
        if project is None:
            head.append(t("detail.no_project"), style="dim")
        else:
            head.append(f"{project.hotkey} {project.name}", style="bold")
            if not is_confirmed(group):
                pct = round(group.suggested_confidence * 100)
                head.append(f" ({t('detail.suggested', pct=pct)})", style="italic")
        head.append(f" · {t('detail.votes', n=group.votes)}\n\n")
        head.append_text(literal(group.title, "bold", keep_newlines=True))
        head.append("\n")

        parts: list[Text] = [head, self._members(group), self._suggestions(group, maybe)]
        parts.append(self._answer(group))
        parts.append(self._history(history))
        keep = self.top if group.id == self.group_id else 0  # a refresh keeps the position
        self.group_id = group.id
        self._set(RichGroup(*parts), top=keep)

    def _section(self, title: str) -> Text:
        text = Text("\n")
        text.append(title, style="bold underline")
        text.append("\n")
        return text

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

    def _suggestions(self, group: Group, maybe: Sequence[Suggestion]) -> Text:
        text = self._section(self.t("detail.suggestions"))
        confident = list(group.suggestions[:5])
        shown = {s.group_id for s in confident}
        weaker = [s for s in maybe if s.group_id not in shown][:5]
        if not confident and not weaker:
            text.append(f" {self.t('detail.no_suggestions')}\n", style="dim")
        for s in confident:
            text.append(f" {round(s.score):>3}% #{s.group_id}: ", style="bold")
            text.append_text(literal(one_line(s.text)[:200]))
            text.append("\n")
        for s in weaker:
            text.append(f" {round(s.score):>3}% #{s.group_id} ", style="dim")
            tier = self.t("detail.nearest" if s.nearest else "detail.maybe")
            text.append(f"({tier}): ", style="italic dim")
            text.append_text(literal(one_line(s.text)[:200], "dim"))
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
        if not history:
            text.append(f" {self.t('detail.no_history')}\n", style="dim")
        now = self.clock() if self.clock else None
        for action in history[:15]:
            text.append(f" {clock_time(action.at, self.tz)} ", style="dim")
            text.append_text(literal(action.moderator, "bold"))
            if now is not None:
                text.append(f" ({ago(action.at, now, lang=self.t.language)})", style="dim")
            text.append(": ")
            done = what_was_done(action, lang=self.t.language)
            text.append_text(literal(done, "strike" if action.undone else ""))
            text.append("\n")
        return text

    # ------------------------------------------------------------------ drawing
    @property
    def lines(self) -> int:
        return len(self._strips)

    def _set(self, renderable: RenderableType, *, top: int = 0) -> None:
        width, height = self.size
        shown = self._shown() if self._wrapped_width == width > 0 else None
        self.content = renderable
        self._wrapped_width = -1
        self.top = top
        if width > 0:
            self._wrap()
        if shown is None:
            self.refresh()
            return
        now = self._shown()
        start = None
        for y in range(height + 1):
            if y < height and now[y] != shown[y]:
                start = y if start is None else start
            elif start is not None:
                self.refresh(Region(0, start, width, y - start))
                start = None

    def _shown(self) -> list[tuple[Strip, bool]]:
        """Each screen line's text and whether it shows the scroll thumb."""
        return [self._line(y) for y in range(self.size.height)]

    def _line(self, y: int) -> tuple[Strip, bool]:
        width, height = self.size
        index = self.top + y
        line = self._strips[index] if index < self.lines else Strip.blank(width - 1)
        thumb = False
        if self.lines > height > 0:
            start = self.top * height // self.lines
            size = max(1, height * height // self.lines)
            thumb = start <= y < start + size or (
                y == height - 1 and self.top + height >= self.lines
            )
        return line, thumb

    def _wrap(self) -> None:
        width = max(1, self.size.width - 1)  # the last column shows the scroll position
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False)
        lines = console.render_lines(self.content, options, pad=True, new_lines=False)
        self._strips = [Strip(line).crop_extend(0, width, None) for line in lines]
        self._wrapped_width = self.size.width
        self.top = max(0, min(self.top, self.lines - self.size.height))

    def on_resize(self) -> None:
        self._wrapped_width = -1
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style  # once per frame, not once per line
        try:
            return super().render_lines(crop)
        finally:
            self._base = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self._wrapped_width != width:
            self._wrap()
        base = self.rich_style if self._base is None else self._base
        line, thumb = self._line(y)
        strip = Strip.join([line, Strip([Segment(THUMB if thumb else " ")], 1)])
        return strip.crop_extend(0, width, base).apply_style(base)

    # ------------------------------------------------------------------ scrolling
    def scroll_lines(self, delta: int) -> None:
        height = max(1, self.size.height)
        top = max(0, min(self.top + delta, self.lines - height))
        if top != self.top:
            self.top = top
            self.refresh()

    def action_scroll_by(self, delta: int) -> None:
        self.scroll_lines(delta)

    def action_page(self, direction: int) -> None:
        self.scroll_lines(direction * max(1, self.size.height - 1))

    def on_mouse_scroll_down(self, event: MouseScrollDown) -> None:
        event.stop()
        self.scroll_lines(3)

    def on_mouse_scroll_up(self, event: MouseScrollUp) -> None:
        event.stop()
        self.scroll_lines(-3)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
