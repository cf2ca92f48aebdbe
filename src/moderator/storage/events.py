"""Events and their projects, and the lock under which an event is found or created. A
mixin of `Repository`, on its Session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderator.domain.models import Event, Project
from moderator.storage.convert import to_event
from moderator.storage.db import EVENTS_LOCK
from moderator.storage.rows import EventRow, ProjectRow


class Events:
    """Finding, creating and configuring events."""

    s: Session

    def event_by_slug(self, slug: str) -> EventRow | None:
        return self.s.scalar(select(EventRow).where(EventRow.slug == slug))

    def event(self, event_id: int) -> EventRow:
        row = self.s.get(EventRow, event_id)
        if row is None:
            raise LookupError(f"no event with id {event_id}")
        return row

    def events(self) -> list[Event]:
        rows = self.s.scalars(
            select(EventRow).order_by(EventRow.created_at.desc(), EventRow.id.desc())
        )
        return [to_event(r) for r in rows]

    def add_event(
        self, *, slug: str, title: str, starts_at: datetime | None, config_toml: str, now: datetime
    ) -> EventRow:
        row = EventRow(
            slug=slug,
            title=title,
            starts_at=starts_at,
            config_toml=config_toml,
            created_at=now,
            change_seq=0,
        )
        self.s.add(row)
        self.s.flush()
        return row

    def replace_projects(self, event_id: int, projects: Sequence[Project]) -> None:
        existing = {
            p.key: p
            for p in self.s.scalars(select(ProjectRow).where(ProjectRow.event_id == event_id))
        }
        for position, project in enumerate(projects, start=1):
            row = existing.pop(project.key, None) or ProjectRow(event_id=event_id, key=project.key)
            row.name = project.name
            row.hotkey = project.hotkey
            row.position = position
            row.general = project.general
            row.keywords = "\n".join(project.keywords)
            row.aliases = "\n".join(project.aliases)
            row.description = project.description
            self.s.add(row)
        for row in existing.values():
            self.s.delete(row)
        self.s.flush()

    def projects(self, event_id: int) -> list[Project]:
        rows = self.s.scalars(
            select(ProjectRow).where(ProjectRow.event_id == event_id).order_by(ProjectRow.position)
        )
        return [
            Project(
                key=r.key,
                name=r.name,
                hotkey=r.hotkey,
                order=r.position,
                keywords=tuple(filter(None, r.keywords.split("\n"))),
                aliases=tuple(filter(None, r.aliases.split("\n"))),
                description=r.description,
                general=r.general,
            )
            for r in rows
        ]

    def lock_events(self) -> None:
        """Until the transaction ends, be the only one finding or creating an event, so
        processes started together create it once. SQLite writers take turns anyway."""
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.execute(select(func.pg_advisory_xact_lock(EVENTS_LOCK)))
