"""The status bar: event, counts per state and per project, presented project, time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.widgets import Static

from moderator.domain.models import Project, QueueState
from moderator.ui.i18n import Strings
from moderator.ui.text import duration, one_line

S = QueueState
SHOWN = (S.NEW, S.LIVE, S.ON_AIR, S.LATER, S.ANSWERED_LIVE, S.ANSWERED_WRITING, S.DISMISSED)


class StatusBar(Static):
    """Two lines of plain facts; shows what it is given.

    It is given them with every change the console reads (several times a second under
    load) and every second; it repaints only when its text changed.
    """

    _shown: Text | None = None

    def show(
        self,
        *,
        title: str,
        counts: Mapping[QueueState, int],
        projects: Mapping[str, int],
        chatter: int,
        elapsed: float,
        presenting: str | None,
        strings: Strings,
        all_projects: Sequence[Project],
        meaning: tuple[int, int] | None = None,
    ) -> None:
        t = strings
        width = max(20, self.size.width - 2)  # each line is cut, never wrapped
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(one_line(title), style="bold")
        line.append(f"  ⏱ {t('status.since', time=duration(elapsed))}")
        line.append("  │ ")
        for project in all_projects:
            line.append(f"{project.hotkey}:", style="dim")
            line.append(f"{projects.get(project.key, 0)} ", style="bold")
        if presenting:
            line.append(" ")
            line.append(f" ★ {t('status.presenting', name=presenting)} ", style="bold reverse")
        line.truncate(width, overflow="ellipsis")
        second = Text(no_wrap=True, overflow="ellipsis")
        for state in SHOWN:
            second.append(f"{t.state(state)} ", style="dim")
            second.append(f"{counts.get(state, 0)}", style="bold")
            second.append("  ")
        second.append(t("status.chatter", n=chatter), style="dim")
        if meaning is not None:
            done, total = meaning
            second.append("  ")
            second.append(t("status.meaning", done=done, total=total), style="italic")
        second.truncate(width, overflow="ellipsis")
        line.append("\n")
        line.append_text(second)
        if line != self._shown:
            self._shown = line
            self.update(line, layout=False)
