"""Inputs, ordering and text helpers shared by every export format.

Exports render plain domain objects: the caller (the service) loads and filters the groups
and hands them over as `ExportData`. Nothing here touches the database or the UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from moderator.domain.models import GENERAL_KEY, Event, Group, Project, QueueState
from moderator.domain.models import effective_project as effective

GENERAL_NAME = "Allgemeine Fragen"

GERMAN_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How an export looks. Personal data (asker names, e-mails) is out unless asked for."""

    include_askers: bool = False
    show_counts: bool = True
    title: str | None = None
    generated_at: datetime | None = None
    chart: bool = False
    #: Header rows and state/channel values of the tabular exports ("de" or "en").
    language: str = "en"


@dataclass(frozen=True, slots=True)
class ExportData:
    """What to export.

    `projects` in configured order (the general one has `general=True` and goes last);
    `groups` already filtered by the caller, each with its members and votes.
    """

    event: Event
    projects: tuple[Project, ...]
    groups: tuple[Group, ...]


def effective_project(group: Group) -> str:
    """The project a group is shown under: confirmed/set key, else the suggestion, else general."""
    return effective(group, GENERAL_KEY) or GENERAL_KEY


def ordered_projects(projects: tuple[Project, ...] | list[Project]) -> list[Project]:
    """Projects in configured order with exactly one general block at the end.

    When the configuration has no general project, a default "Allgemeine Fragen" is added.
    """
    regular = [p for p in projects if not p.general]
    general = next((p for p in projects if p.general), None)
    if general is None:
        order = max((p.order for p in projects), default=0) + 1
        general = Project(key=GENERAL_KEY, name=GENERAL_NAME, hotkey="0", order=order, general=True)
    return [*regular, general]


def _timestamp(value: datetime) -> float:
    """Comparable number for aware and naive datetimes alike (naive taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def first_asked(group: Group) -> datetime | None:
    """Earliest `received_at` of the members; tolerant of mixing aware and naive times."""
    times = [m.received_at for m in group.members if m.received_at is not None]
    return min(times, key=_timestamp) if times else None


def group_sort_key(group: Group) -> tuple[int, int, float, int]:
    """Votes descending, then first asked (unknown times last), then id."""
    asked = first_asked(group)
    if asked is None:
        return (-group.votes, 1, 0.0, group.id)
    return (-group.votes, 0, _timestamp(asked), group.id)


def sections(data: ExportData) -> list[tuple[Project, list[Group]]]:
    """Sections in project order, general last, projects without questions left out.

    Groups whose project is unknown to the configuration go to the general block.
    """
    projects = ordered_projects(data.projects)
    general = projects[-1]
    by_key: dict[str, list[Group]] = {p.key: [] for p in projects}
    for group in data.groups:
        key = effective_project(group)
        if key not in by_key or key == GENERAL_KEY:
            key = general.key
        by_key[key].append(group)
    result: list[tuple[Project, list[Group]]] = []
    for project in projects:
        groups = by_key[project.key]
        if groups:
            result.append((project, sorted(groups, key=group_sort_key)))
    return result


# --------------------------------------------------------------------------- text helpers

_NEWLINES = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
# C0 controls except tab/newline/CR, DEL, C1 controls, lone surrogates, XML non-characters.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␀ ␛ …
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def visible_controls(text: str) -> str:
    """Replace control characters by visible stand-ins (␀, ␛, U+FFFD); keeps tab, LF and CR.

    Escape sequences such as ``ESC[2J`` thereby come out as text and never act on a terminal,
    and every output (XML inside XLSX included) stays valid.
    """
    return _CONTROLS.sub(_visible, text)


def clean_text(text: str) -> str:
    """Text for the publishable page: unified newlines, visible controls, tabs as spaces."""
    text = _NEWLINES.sub("\n", text or "")
    return visible_controls(text).replace("\t", " ").replace("\r", "\n")


def text_lines(text: str) -> list[str]:
    """Non-empty, stripped lines of a question: newlines become line breaks, never blocks."""
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


def text_paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (split at blank lines) of stripped lines, for answers."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in clean_text(text).split("\n"):
        line = line.strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


URL_RE = re.compile(r"https?://[^\s<>\"'`\\\x00-\x1f\x7f]+")
_URL_TRAILING = ".,;:!?)]}»“”’"


def split_urls(text: str) -> list[tuple[str, bool]]:
    """Split a line into (piece, is_url) parts; trailing punctuation stays outside the URL."""
    parts: list[tuple[str, bool]] = []
    pos = 0
    for match in URL_RE.finditer(text):
        url = match.group()
        stripped = url.rstrip(_URL_TRAILING)
        # keep a closing bracket that belongs to the URL, e.g. Wikipedia links "(Stadt)"
        while stripped.count("(") > stripped.count(")") and len(stripped) < len(url):
            stripped = url[: len(stripped) + 1]
        if len(stripped) <= len("https://"):
            continue
        start = match.start()
        if start > pos:
            parts.append((text[pos:start], False))
        parts.append((stripped, True))
        pos = start + len(stripped)
    if pos < len(text):
        parts.append((text[pos:], False))
    return parts


def german_date(value: datetime) -> str:
    """`5. März 2025`."""
    return f"{value.day}. {GERMAN_MONTHS[value.month - 1]} {value.year}"


def generated_at(options: ExportOptions) -> datetime:
    return options.generated_at or datetime.now().astimezone()


def count_label(group: Group) -> str | None:
    """ "3 Personen haben das gefragt" plus the supporters ("+1"s, reactions) beyond them.

    `group.votes` counts the askers too; only `extra_votes` are further people. None for a
    single asker without supporters.
    """
    askers = len(group.members)
    supporters = group.extra_votes
    parts: list[str] = []
    if askers > 1:
        parts.append(f"{askers} Personen haben das gefragt")
    if supporters == 1:
        parts.append("1 weitere Person unterstützt die Frage")
    elif supporters > 1:
        parts.append(f"{supporters} weitere Personen unterstützen die Frage")
    return ", ".join(parts) if parts else None


def asker_names(group: Group) -> list[str]:
    """Distinct asker names in the order they asked (only used when include_askers is set)."""
    return [" ".join(text_lines(name)) for name in group.askers if text_lines(name)]


OPEN_ANSWER = "Antwort folgt."
LIVE_ANSWER = "Im Web-Seminar live beantwortet."


def missing_answer_text(group: Group) -> str:
    """What stands in place of an empty written answer."""
    if group.state == QueueState.ANSWERED_LIVE:
        return LIVE_ANSWER
    return OPEN_ANSWER


def question_count_text(count: int) -> str:
    return "1 Frage" if count == 1 else f"{count} Fragen"
