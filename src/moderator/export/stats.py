"""Event statistics: counts per project, channel and state, and a bar chart of them.

`stats_svg` draws the chart as a small standalone inline SVG (for the HTML page);
`render_stats_rich` gives the same numbers as a Rich renderable for the terminal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

from moderator.domain.language import channel_name, state_name
from moderator.domain.models import Channel, Group, Kind, Message, Project, QueueState
from moderator.export.base import effective_project, ordered_projects, text_lines

if TYPE_CHECKING:
    from rich.console import RenderableType

CHANNEL_LABELS = {
    Channel.CHAT: "Chat",
    Channel.EMAIL: "E-Mail",
    Channel.PHONE: "Telefon",
    Channel.MANUAL: "Manuell",
    Channel.IMPORT: "Import",
}

STATE_LABELS = {
    QueueState.NEW: "Neu",
    QueueState.LIVE: "Live-Warteschlange",
    QueueState.ON_AIR: "Gerade live",
    QueueState.LATER: "Später schriftlich",
    QueueState.ANSWERED_LIVE: "Live beantwortet",
    QueueState.ANSWERED_WRITING: "Schriftlich beantwortet",
    QueueState.DISMISSED: "Verworfen",
}


@dataclass(frozen=True, slots=True)
class ProjectCount:
    key: str
    name: str
    groups: int
    questions: int


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts for one event (or one filtered set of groups).

    * `per_project`: every configured project in order (general last), zero counts included;
      `groups` = question groups, `questions` = member wordings.
    * `per_channel`: question messages by channel; `per_state`: groups by queue state
      (every state listed, in the order of `QueueState`).
    * `duplicates_merged`: members beyond the first of each group.
    * `total_messages`, `chatter`, `votes`: over all messages passed in; `group_votes` is the
      sum of the groups' vote counts.
    """

    per_project: tuple[ProjectCount, ...]
    per_channel: tuple[tuple[Channel, int], ...]
    per_state: tuple[tuple[QueueState, int], ...]
    groups: int
    questions: int
    answered_live: int
    answered_writing: int
    duplicates_merged: int
    total_messages: int
    chatter: int
    votes: int
    group_votes: int


def compute_stats(
    groups: Iterable[Group], messages: Iterable[Message], projects: Iterable[Project]
) -> Stats:
    """Count groups, wordings, channels and states; `messages` are all messages of the event."""
    groups = list(groups)
    project_list = ordered_projects(list(projects))
    general = project_list[-1]
    known = {p.key for p in project_list}
    group_count: Counter[str] = Counter()
    question_count: Counter[str] = Counter()
    state_count: Counter[QueueState] = Counter()
    duplicates = 0
    for group in groups:
        key = effective_project(group)
        if key not in known:
            key = general.key
        group_count[key] += 1
        question_count[key] += max(1, len(group.members))
        state_count[group.state] += 1
        duplicates += max(0, len(group.members) - 1)

    channel_count: Counter[Channel] = Counter()
    kinds: Counter[Kind] = Counter()
    total = 0
    for message in messages:
        total += 1
        kinds[message.kind] += 1
        if message.kind == Kind.QUESTION:
            channel_count[message.channel] += 1

    return Stats(
        per_project=tuple(
            ProjectCount(p.key, p.name, group_count[p.key], question_count[p.key])
            for p in project_list
        ),
        per_channel=tuple((c, channel_count[c]) for c in Channel if channel_count[c]),
        per_state=tuple((s, state_count[s]) for s in QueueState),
        groups=len(groups),
        questions=sum(question_count.values()),
        answered_live=state_count[QueueState.ANSWERED_LIVE],
        answered_writing=state_count[QueueState.ANSWERED_WRITING],
        duplicates_merged=duplicates,
        total_messages=total,
        chatter=kinds[Kind.CHATTER],
        votes=kinds[Kind.VOTE],
        group_votes=sum(g.votes for g in groups),
    )


_LABEL_MAX = 44


def _short(label: str) -> str:
    label = " ".join(text_lines(label))
    return label if len(label) <= _LABEL_MAX else label[: _LABEL_MAX - 1].rstrip() + "…"


def stats_svg(stats: Stats, *, title: str = "Fragen je Projekt") -> str:
    """A horizontal bar chart of question groups per project as inline SVG (labels escaped)."""
    rows = stats.per_project
    label_width, bar_width, row_height, top = 330, 300, 30, 40
    width = label_width + bar_width + 60
    height = top + row_height * len(rows) + 10
    peak = max((r.groups for r in rows), default=0) or 1
    esc = xml_escape
    desc = "; ".join(f"{' '.join(text_lines(r.name))}: {r.groups}" for r in rows)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{esc(title)}</title>',
        f'<desc id="chart-desc">{esc(desc)}</desc>',
        f'<text x="0" y="20" class="chart-heading" font-size="15" font-weight="bold" '
        f'fill="#1d2b36">{esc(title)}</text>',
    ]
    for index, row in enumerate(rows):
        y = top + index * row_height
        length = round(bar_width * row.groups / peak) if row.groups else 0
        out.append(
            f'<text x="{label_width - 10}" y="{y + 19}" text-anchor="end" font-size="13" '
            f'fill="#1d2b36">{esc(_short(row.name))}</text>'
        )
        out.append(
            f'<rect x="{label_width}" y="{y + 5}" width="{max(length, 1)}" height="20" '
            f'rx="2" fill="{"#7a8b99" if index == len(rows) - 1 else "#b5123e"}"/>'
        )
        out.append(
            f'<text x="{label_width + max(length, 1) + 8}" y="{y + 19}" font-size="13" '
            f'fill="#1d2b36">{row.groups}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


#: The terminal statistics' words (`moderator stats`), German and English.
STATS_TEXT: dict[str, dict[str, str]] = {
    "de": {
        "per_project": "Fragen je Projekt",
        "project": "Projekt",
        "groups": "Gruppen",
        "wordings": "Wortlaute",
        "overview": "Überblick",
        "messages": "Nachrichten gesamt",
        "questions": "Fragen (Wortlaute)",
        "question_groups": "Fragegruppen",
        "merged": "Zusammengeführte Duplikate",
        "chatter": "Plauderei",
        "votes": "+1-Stimmen",
        "answered_live": "Live beantwortet",
        "answered_writing": "Schriftlich beantwortet",
        "channel": "Kanal {name}",
        "state": "Status {name}",
    },
    "en": {
        "per_project": "Questions per project",
        "project": "Project",
        "groups": "Groups",
        "wordings": "Wordings",
        "overview": "Overview",
        "messages": "Messages in all",
        "questions": "Questions (wordings)",
        "question_groups": "Question groups",
        "merged": "Duplicates merged",
        "chatter": "Chatter",
        "votes": "+1 votes",
        "answered_live": "Answered live",
        "answered_writing": "Answered in writing",
        "channel": "Channel {name}",
        "state": "State {name}",
    },
}


def render_stats_rich(stats: Stats, language: str = "de") -> RenderableType:
    """The statistics as a Rich renderable (tables with bars) for the terminal."""
    from rich.console import Group as RichGroup
    from rich.table import Table
    from rich.text import Text

    words = STATS_TEXT["en" if language == "en" else "de"]
    peak = max((r.groups for r in stats.per_project), default=0) or 1
    projects = Table(title=words["per_project"], show_edge=False)
    projects.add_column(words["project"])
    projects.add_column(words["groups"], justify="right")
    projects.add_column(words["wordings"], justify="right")
    projects.add_column("")
    for row in stats.per_project:
        bar = "█" * round(30 * row.groups / peak)
        projects.add_row(Text(_short(row.name)), str(row.groups), str(row.questions), bar)

    totals = Table(title=words["overview"], show_edge=False, show_header=False)
    totals.add_column("")
    totals.add_column("", justify="right")
    for label, value in (
        (words["messages"], stats.total_messages),
        (words["questions"], stats.questions),
        (words["question_groups"], stats.groups),
        (words["merged"], stats.duplicates_merged),
        (words["chatter"], stats.chatter),
        (words["votes"], stats.votes),
        (words["answered_live"], stats.answered_live),
        (words["answered_writing"], stats.answered_writing),
    ):
        totals.add_row(label, str(value))
    for channel, count in stats.per_channel:
        name = CHANNEL_LABELS[channel] if language != "en" else channel_name(channel, "en")
        totals.add_row(words["channel"].format(name=name), str(count))
    for state, count in stats.per_state:
        if count:
            name = STATE_LABELS[state] if language != "en" else state_name(state, "en")
            totals.add_row(words["state"].format(name=name), str(count))
    return RichGroup(projects, totals)
