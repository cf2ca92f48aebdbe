"""What the speakers and the stream see: the question on air, the next two of the live
queue, and the presented project, which the team shares (stored with the event, chosen with
`p` in any console) and which orders the live queue the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from moderator.domain.actions import Verb
from moderator.domain.models import Group, GroupSummary, Project
from moderator.domain.queues import shown_order_key
from moderator.services.base import ServiceBase
from moderator.services.errors import ServiceError
from moderator.storage.repository import Repository

STAGE_NEXT = 2  # questions shown after the one on air


@dataclass(frozen=True, slots=True)
class StageData:
    on_air: Group | None
    next: tuple[GroupSummary, ...]
    presenting: Project | None = None
    seq: int = 0  # the event's change counter when this was read


class StageMixin(ServiceBase):
    def presenting(self) -> str | None:
        """The key of the project presented now (None: none), as the team chose it."""
        with self._reading() as session:
            return Repository(session).event(self.event_id).presented_project

    def present(self, project_key: str | None) -> str | None:
        """Make `project_key` (None: none) the presented project for everyone: one write
        with a "present" log entry, so every console, the stage and the web pages follow.
        Returns the key stored."""
        project = self.project(project_key) if project_key is not None else None
        if project_key is not None and project is None:
            raise ServiceError(key="unknown_project", project=project_key)
        with self._write() as repo:
            row = repo.event(self.event_id)
            before = row.presented_project
            row.presented_project = project_key
            summary = f"presents {project.name}" if project else "presents no project"
            self._log(
                repo,
                Verb.PRESENT,
                None,
                summary,
                {"project": before},
                {"project": project_key, "name": project.name if project else None},
            )
        return project_key

    def stage(self) -> StageData:
        """The question on air, the next `STAGE_NEXT` in the shown order, the presented
        project and the change counter, in one read."""
        with self._reading() as session:
            repo = Repository(session)
            event = repo.event(self.event_id)
            seq, presenting = event.change_seq, event.presented_project
            on_air = repo.on_air(self.event_id)
            current = repo.to_group(on_air[0], with_suggestions=False) if on_air else None
            live = sorted(repo.live_order(self.event_id), key=shown_order_key(presenting))
            ids = [g.id for g in live[:STAGE_NEXT]]
            upcoming = repo.summaries(self.event_id, group_ids=ids) if ids else []
        upcoming.sort(key=lambda g: ids.index(g.id))
        return StageData(current, tuple(upcoming), self.project(presenting), seq)
