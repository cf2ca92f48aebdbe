"""The status bar: event, counts per state and per project, presented project, time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from moderator.domain.models import Project, QueueState
from moderator.ui.i18n import Strings
from moderator.ui.text import duration, one_line

S = QueueState
MIN_TITLE = 16  # cells of the event title kept when the status line is narrow
WANTED_TITLE = 32  # ... and before the time drops its words
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
        width = max(20, self.size.width - 2)  # each line fits, never wraps
        line = self._first_line(title, elapsed, projects, presenting, t, all_projects, width)
        second = self._second_line(counts, chatter, meaning, t, width)
        line.append("\n")
        line.append_text(second)
        if line != self._shown:
            self._shown = line
            self.update(line, layout=False)

    @staticmethod
    def _first_line(
        title: str,
        elapsed: float,
        projects: Mapping[str, int],
        presenting: str | None,
        t: Strings,
        all_projects: Sequence[Project],
        width: int,
    ) -> Text:
        """Event title, time and open questions per project; the title gives way first."""
        facts = Text(no_wrap=True)
        for project in all_projects:
            facts.append(f"{project.hotkey}:", style="dim")
            facts.append(f"{projects.get(project.key, 0)} ", style="bold")
        if presenting:
            facts.append(" ")
            facts.append(f" ★ {t('status.presenting', name=presenting)} ", style="bold reverse")
        since = t("status.since", time=duration(elapsed))
        title = one_line(title)
        # The long form while the title keeps WANTED_TITLE cells, else the short time.
        clock = f"  ⏱ {since}  │ "
        if width - cell_len(clock) - facts.cell_len < min(WANTED_TITLE, cell_len(title)):
            clock = f" ⏱ {duration(elapsed)} │ "
        room = max(MIN_TITLE, width - cell_len(clock) - facts.cell_len)
        line = Text(no_wrap=True, overflow="ellipsis")
        shown = Text(title, style="bold")
        shown.truncate(room, overflow="ellipsis")
        line.append_text(shown)
        line.append(clock)
        line.append_text(facts)
        line.truncate(width, overflow="ellipsis")
        return line

    @staticmethod
    def _second_line(
        counts: Mapping[QueueState, int],
        chatter: int,
        meaning: tuple[int, int] | None,
        t: Strings,
        width: int,
    ) -> Text:
        """Counts per state: the long words where they fit, else the short ones (80
        columns), else with one space between them."""
        second = Text()
        for short, gap in ((False, "  "), (True, "  "), (True, " ")):
            second = Text(no_wrap=True, overflow="ellipsis")
            for state in SHOWN:
                label = t(f"state_short.{state.value}") if short else t.state(state)
                second.append(f"{label} ", style="dim")
                second.append(f"{counts.get(state, 0)}", style="bold")
                second.append(gap)
            key = "status.chatter_short" if short else "status.chatter"
            second.append(t(key, n=chatter), style="dim")
            if second.cell_len <= width:
                break
        if meaning is not None:
            done, total = meaning
            second.append("  ")
            second.append(t("status.meaning", done=done, total=total), style="italic")
        second.truncate(width, overflow="ellipsis")
        return second
