"""Export use cases: gather plain objects from storage, hand them to an exporter."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from moderator.domain.models import Group, Kind, Message, QueueState
from moderator.domain.queues import EXPORT_DEFAULT_STATES
from moderator.export.json_export import build_json, render_json
from moderator.services.console import EventService
from moderator.services.errors import ServiceError
from moderator.storage.repository import Repository

ALL = "all"


def parse_status(value: str | None) -> frozenset[QueueState] | None:
    """`None`/"" → the default (answer later + untouched), "all" → everything, else a list."""
    if not value:
        return EXPORT_DEFAULT_STATES
    if value == ALL:
        return None
    states = set()
    for part in value.split(","):
        part = part.strip().replace("-", "_")
        try:
            states.add(QueueState(part))
        except ValueError:
            names = ", ".join(s.value for s in QueueState)
            raise ServiceError(f"unknown status {part!r}; use all or some of: {names}") from None
    return frozenset(states)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything an export needs, read in one transaction."""

    groups: tuple[Group, ...]
    messages: tuple[Message, ...]
    suggestions: dict[int, list[tuple[int, float]]]


def snapshot(
    service: EventService,
    *,
    states: Collection[QueueState] | None,
    project: str | None = None,
    include_merged: bool = False,
) -> Snapshot:
    if project is not None and service.project(project) is None:
        keys = ", ".join(p.key for p in service.projects)
        raise ServiceError(f"unknown project {project!r}; the event has: {keys}")
    with service.db.reading() as session:
        repo = Repository(session)
        groups = repo.full_groups(
            service.event_id, include_merged=include_merged, with_suggestions=True
        )
        messages = repo.messages(service.event_id)
        suggestions = repo.all_suggestions(service.event_id)
    general = service.general_key
    selected = []
    for group in groups:
        if not group.members and group.merged_into is None:
            continue  # emptied by a reclassification: nothing to show
        if states is not None and group.state not in states:
            continue
        if project is not None and (group.effective_project or general) != project:
            continue
        selected.append(group)
    return Snapshot(tuple(selected), tuple(messages), suggestions)


def export_json(
    service: EventService,
    *,
    states: Collection[QueueState] | None = None,
    project: str | None = None,
    include_askers: bool = False,
    generated_at: datetime | None = None,
) -> str:
    """The complete JSON document; with default arguments every group and message."""
    snap = snapshot(
        service, states=states, project=project, include_merged=states is None and project is None
    )
    if states is None and project is None:
        messages = snap.messages
    else:
        wanted = {g.id for g in snap.groups}
        member_ids = {m.id for g in snap.groups for m in g.members}
        messages = tuple(
            m
            for m in snap.messages
            if m.group_id in wanted or (m.kind == Kind.VOTE and m.vote_for_id in member_ids)
        )
    document = build_json(
        event=service.event,
        projects=service.projects,
        groups=snap.groups,
        messages=messages,
        suggestions=snap.suggestions,
        include_askers=include_askers,
        generated_at=generated_at or service.clock(),
        filters={
            "status": sorted(s.value for s in states) if states is not None else "all",
            "project": project,
        },
    )
    return render_json(document)
