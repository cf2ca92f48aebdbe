"""What the pages show, as the JSON of /api/state (documented in docs/web-api.md).

Privacy: unless the event configuration opts in (`[overlay] show_names = true`) no name or
address leaves the server: the askers are counted, never named, and e-mail addresses,
phone numbers and the askers' names are masked in the question text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from moderator.domain.models import Group, GroupSummary, Project
from moderator.domain.personal import mask_contacts, mask_names, name_patterns
from moderator.services.stage import StageData

API_VERSION = 1


def _project(project: Project | None) -> dict[str, str] | None:
    return {"key": project.key, "name": project.name} if project is not None else None


def _text(title: str, names: Sequence[str], show_names: bool) -> str:
    if show_names:
        return title
    masked, _ = mask_contacts(title)
    return mask_names(masked, name_patterns(names))


def state_of(
    data: StageData,
    projects: Sequence[Project],
    *,
    language: str,
    show_names: bool = False,
    connected: bool = True,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The JSON document of /api/state for one reading of the stage."""
    by_key = {p.key: p for p in projects}

    def question(g: Group | GroupSummary, names: Sequence[str]) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": g.id,
            "text": _text(g.title, names, show_names),
            "project": _project(by_key.get(g.effective_project or "")),
            "askers": g.votes,
        }
        if show_names:
            item["names"] = list(names)
        return item

    on_air = None
    if data.on_air is not None:
        on_air = question(data.on_air, data.on_air.askers)
    upcoming = []
    for g in data.next:
        item = question(g, [g.author] if g.author else [])
        item["position"] = g.position
        if show_names:  # a summary knows its first asker only
            item["names"] = [g.author] if g.author else []
        upcoming.append(item)
    return {
        "version": API_VERSION,
        "seq": data.seq,
        "language": language,
        "on_air": on_air,
        "next": upcoming,
        "presenting": _project(data.presenting),
        "connected": connected,
        "read_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
