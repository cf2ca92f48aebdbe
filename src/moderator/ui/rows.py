"""One line per question or chatter message, as rich `Text` (user text stays literal)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich.text import Text

from moderator.domain.models import GroupSummary, Message, Project, QueueState
from moderator.domain.queues import effective_project, is_confirmed
from moderator.ui.i18n import CHANNEL_ICONS, Strings
from moderator.ui.model import Pending
from moderator.ui.text import clock_time, one_line

S = QueueState
PENDING_MARK = "*"  # in the state column: a write of this row is not saved yet
PENDING_STYLE = "dim italic"
LIVE_NARROW = 60  # cells of the live queue below which its rows go short
TITLE_ROOM_BEFORE_AUTHOR = 60  # the asker's name is shown only when the text keeps this much
STATE_MARK = {
    S.NEW: " ",
    S.LIVE: "L",
    S.ON_AIR: "▶",
    S.LATER: "…",
    S.ANSWERED_LIVE: "✓",
    S.ANSWERED_WRITING: "✎",
    S.DISMISSED: "✗",
}


def project_label(
    projects: dict[str, Project], group: GroupSummary, width: int = 12, general: str = ""
) -> Text:
    """`2 logistik` when confirmed (bold), `2?logistik` when only suggested (dim).

    A project is named by its key, which the organiser chose in the event's language; the
    general block, which every event has, by `general` (the console's word for it, e.g.
    "allgemein") where one is given."""
    project = projects.get(effective_project(group) or "")
    if project is None:
        return Text("-".ljust(width), style="dim")
    confirmed = is_confirmed(group)
    sep = " " if confirmed else "?"
    name = general if project.general and general else project.key
    label = f"{project.hotkey}{sep}{name}"[:width].ljust(width)
    return Text(label, style="bold" if confirmed else "italic dim")


class RowPainter:
    """Renders rows for the lists; holds the context they depend on."""

    def __init__(self, strings: Strings, projects: Sequence[Project], tz: tzinfo | None) -> None:
        self.t = strings
        self.projects = {p.key: p for p in projects}
        self.tz = tz
        self.presenting: str | None = None
        self._general = strings("row.general")

    def group(self, g: GroupSummary, width: int) -> Text:
        """The question text gets the room: time, project and asker shrink or go first."""
        text = Text(no_wrap=True, end="")
        saving = isinstance(g, Pending)
        text.append(PENDING_MARK if saving else STATE_MARK.get(g.state, " "), style="bold")
        text.append(CHANNEL_ICONS.get(g.channel, "?"))
        if width >= 70:
            text.append(f" {clock_time(g.first_at, self.tz)}", style="dim")
        text.append(f" #{g.id:<4} ", style="bold")
        votes = f"{g.votes}▲" if g.votes > 1 else ""
        text.append(f"{votes:>3} ", style="bold")
        text.append_text(project_label(self.projects, g, 9 if width >= 80 else 2, self._general))
        text.append(" ")
        if self.presenting and g.effective_project == self.presenting:
            text.append("★", style="bold")
        hint = ""
        if g.top_match_group is not None and g.top_match_score > 0:
            hint = " " + self.t("row.like", score=round(g.top_match_score), id=g.top_match_group)
        room = max(8, width - text.cell_len - len(hint))
        author = one_line(g.author or "")[:10]
        if author and room - len(author) - 3 >= TITLE_ROOM_BEFORE_AUTHOR:
            room -= len(author) + 3
        else:
            author = ""  # the detail shows every asker
        title = one_line(g.title)
        if len(title) > room:
            title = title[: room - 1] + "…"
        text.append(title.ljust(room))
        if author:
            text.append(f" · {author}", style="italic dim")
        if hint:
            text.append(hint, style="bold reverse" if g.top_match_score >= 90 else "bold")
        if saving:
            text.stylize(PENDING_STYLE)
        return text

    def live(self, g: GroupSummary, width: int) -> Text:
        """Place, number, votes, project, title; below LIVE_NARROW cells (80 columns) the
        project shrinks to its digit so the title keeps the room."""
        narrow = width < LIVE_NARROW
        text = Text(no_wrap=True, end="")
        on_air = g.state == S.ON_AIR
        saving = isinstance(g, Pending)
        place = f"{PENDING_MARK if saving else ''}{g.position or 0}"
        text.append("▶ " if on_air else f"{place:>2}", style="bold reverse" if on_air else "")
        text.append(f" #{g.id:<4}", style="bold")
        votes = f"{g.votes}▲" if g.votes > 1 else ""
        if narrow:  # the votes go before the title, and only where there are some
            text.append_text(project_label(self.projects, g, 2, self._general))
            text.append(f" {votes} " if votes else " ")
        else:
            text.append(f"{votes:>4} ")
            text.append_text(project_label(self.projects, g, 10, self._general))
            text.append(" ")
        room = max(4, width - text.cell_len)
        title = one_line(g.title)
        if len(title) > room:
            title = title[: room - 1].rstrip() + "…"
        text.append(title, style="bold" if on_air else "")
        if saving:
            text.stylize(PENDING_STYLE)
        return text

    def chatter(self, m: Message, width: int) -> Text:
        text = Text(no_wrap=True, end="")
        text.append(" " + CHANNEL_ICONS.get(m.channel, "?"))
        text.append(f" {clock_time(m.received_at, self.tz)} ", style="dim")
        text.append(f"{one_line(m.author or '')[:14]:<14} ", style="italic")
        text.append(one_line(m.text), style="dim")
        return text
