"""Dividing on import: a mail asking a bulleted or numbered list of questions becomes one
question per item (`domain.dividing`), each divide one undoable log entry."""

from __future__ import annotations

from collections.abc import Sequence

from moderator.domain.dividing import plan_divide, question_parts
from moderator.domain.models import Channel, IncomingMessage
from moderator.services.base import MAX_TEXT, ServiceBase
from moderator.services.importing.summary import ImportSummary
from moderator.storage.repository import Repository

# Mails asking a bulleted or numbered list of questions are divided on import.
DIVIDED_ON_IMPORT = frozenset({Channel.EMAIL})


class ImportDividingMixin(ServiceBase):
    def _divide_on_import(
        self,
        repo: Repository,
        questions: Sequence[IncomingMessage],
        question_ids: Sequence[int],
        summary: ImportSummary,
    ) -> list[int]:
        """Divide the new `questions` (stored as `question_ids`) that list several
        questions. Returns the message ids of the new parts."""
        added: list[int] = []
        for message, mid in zip(questions, question_ids, strict=True):
            if message.channel not in DIVIDED_ON_IMPORT:
                continue
            parts = question_parts(message.text[:MAX_TEXT])
            if len(parts) < 2:
                continue
            groups = self._divide_rows(
                repo, repo.message(mid), plan_divide(parts), summary.divide_log
            )
            repo.flush()
            added += [m.id for g in groups[1:] for m in repo.members(g)]
            summary.questions += len(groups) - 1
            summary.divided += 1
            summary.group_ids.extend(groups[1:])
            for g in groups[1:]:
                suggested = repo.group(g).suggested_project
                if suggested:
                    summary.projects[suggested] += 1
        return added
