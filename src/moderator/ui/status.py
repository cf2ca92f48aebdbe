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
    """Two lines of plain facts; shows what it is given."""

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
    ) -> None:
        t = strings
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
        line.append("\n")
        for state in SHOWN:
            line.append(f"{t.state(state)} ", style="dim")
            line.append(f"{counts.get(state, 0)}", style="bold")
            line.append("  ")
        line.append(t("status.chatter", n=chatter), style="dim")
        self.update(line)
