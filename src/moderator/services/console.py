"""The moderator's use cases on one event.

Every public method that changes something is one short write transaction: it takes one of
the event's write locks (moderators' decisions queue behind each other, imports behind each
other, not behind decisions), checks the rules, changes rows, writes one action-log entry
and commits before returning. Reads use their own short transactions. Nothing returned is
an ORM row.
"""

from __future__ import annotations

from dataclasses import dataclass

from moderator.config import EventConfig
from moderator.domain.actions import Verb
from moderator.domain.fit import clean
from moderator.domain.models import (
    GroupSummary,
    Kind,
    Message,
    WriteResult,
)
from moderator.export.tabular import as_exported
from moderator.services.base import IMPORT, QUEUE, Clock, EmbedderProvider, S, utcnow
from moderator.services.dividing import DividingMixin
from moderator.services.errors import (
    ConnectionLostError,
    NotFoundError,
    ServiceError,
)
from moderator.services.grouping import GroupingMixin
from moderator.services.importing import ImportingMixin, ImportSummary
from moderator.services.meaning import MeaningMixin
from moderator.services.queues import QueueMixin
from moderator.services.reading import Counts, Detail, ReadingMixin
from moderator.services.stage import StageData, StageMixin
from moderator.services.undo import UndoMixin
from moderator.storage.db import Database, DatabaseUnavailable, StorageError
from moderator.storage.purge import PURGED_TABLES
from moderator.storage.repository import (
    MessageRow,
    Repository,
    to_message,
)

__all__ = [
    "Counts",
    "Detail",
    "EventService",
    "GroupSummary",
    "ImportSummary",
    "StageData",
    "open_event",
    "utcnow",
]


def open_event(
    db: Database,
    config: EventConfig,
    *,
    moderator: str,
    clock: Clock = utcnow,
    update_config: bool = True,
    embedder: EmbedderProvider | None = None,
) -> EventService:
    """Find or create the event of `config` in the database and return its service.

    `embedder` gives the sentence encoder when first needed (`moderator.meaning.load_embedder`
    in the product); without one, duplicates are matched by their words alone.

    Only reads when the event is there and its configuration stays (`stats`, `export`):
    a reader never waits for a writer, such as a long import.
    """
    with db.reading() as session:
        row = Repository(session).event_by_slug(config.slug)
        found = None if row is None or update_config else row.id
    if found is not None:
        return _service(db, found, config, moderator, clock, embedder)
    with db.writing() as session:
        repo = Repository(session)
        repo.lock_events()
        row = repo.event_by_slug(config.slug)
        if row is None:
            row = repo.add_event(
                slug=config.slug,
                title=config.title,
                starts_at=config.starts_at,
                config_toml=config.source_text,
                now=clock(),
            )
            repo.replace_projects(row.id, config.projects)
        elif update_config:
            row.title = config.title
            row.starts_at = config.starts_at
            row.config_toml = config.source_text
            repo.replace_projects(row.id, config.projects)
        event_id = row.id
    return _service(db, event_id, config, moderator, clock, embedder)


def _service(
    db: Database,
    event_id: int,
    config: EventConfig,
    moderator: str,
    clock: Clock,
    embedder: EmbedderProvider | None,
) -> EventService:
    db.refresh_statistics()  # a database filled by someone else may never have been analysed
    return EventService(
        db,
        event_id,
        moderator=moderator,
        clock=clock,
        matching=config.matching,
        hosts=config.hosts,
        agenda=config.agenda,
        embedder=embedder,
        language=config.language,
        timezone=config.timezone,
    )


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """`messages`: how many had a name or address; `compacted`: what freed the old text's
    space in the database files (e.g. "VACUUM"), or why that failed; `complete`: the old
    text is gone from the files too (else running the purge again later finishes it)."""

    messages: int
    compacted: str
    complete: bool = True


class EventService(
    ReadingMixin,
    ImportingMixin,
    QueueMixin,
    GroupingMixin,
    DividingMixin,
    UndoMixin,
    MeaningMixin,
    StageMixin,
):
    """Use cases on one event, for one moderator. Thread-safe: the UI calls it from workers."""

    # ------------------------------------------------------------------ reading
    def search(self, text: str) -> frozenset[int]:
        """Open question groups found by the console's `/` search: by their words and by
        meaning ("Paketboxen" finds the questions on "Paketstationen")."""
        found = {g.id for g in self.summaries(search=text)}
        hits = self._meaning_hits(text)
        if hits:
            with self._reading() as session:
                groups = {g for g in Repository(session).group_of_messages(hits).values() if g}
            found.update(g.id for g in self.summaries(group_ids=list(groups)))
        return frozenset(found)

    # ------------------------------------------------------------------ tagging
    def tag(
        self, group_id: int, project_key: str | None = None, *, expected_version: int | None = None
    ) -> WriteResult:
        """Confirm the suggested project (key None) or set another one."""
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            learned = self._set_project(repo, row, project_key)
            result = self._result(repo, row)
        self._learn(learned)
        return result

    def set_answer(
        self,
        group_id: int,
        answer: str,
        *,
        expected_version: int | None = None,
        mark_answered: bool = False,
    ) -> WriteResult:
        answer = clean(answer)  # no NUL: PostgreSQL refuses it, so no backend stores it
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            before = {"answer": row.answer, "state": row.state, "position": row.position}
            row.answer = answer
            repo.drop_answer_draft(row.id, self.moderator)  # saved: the draft is done
            if mark_answered and answer.strip():
                self._move(repo, row, S.ANSWERED_WRITING)
            row.updated_at = self.clock()
            self._log(
                repo,
                Verb.ANSWER,
                row.id,
                f"wrote the answer of #{row.id}",
                before,
                {"answer": answer, "state": row.state, "position": row.position},
            )
            return self._result(repo, row)

    def answer_draft(self, group_id: int) -> str | None:
        """The answer this moderator began for the question and left unsaved, if any."""
        with self._reading() as session:
            return Repository(session).answer_draft(group_id, self.moderator)

    def keep_answer_draft(self, group_id: int, text: str) -> None:
        """Store this moderator's unsaved answer (an empty text forgets it).

        A draft is no decision: no log entry, no change counter, no queue lock; nobody
        else sees it, and `set_answer` forgets it in the answer's own transaction.
        """
        text = clean(text)  # no NUL (a pasted one): PostgreSQL refuses it
        try:
            with self.db.writing() as session:
                repo = Repository(session)
                if text.strip():
                    at = self.clock()
                    repo.set_answer_draft(self.event_id, group_id, self.moderator, text, at)
                else:
                    repo.drop_answer_draft(group_id, self.moderator)
        except DatabaseUnavailable as exc:
            raise ConnectionLostError(str(exc), committed=exc.committed) from exc

    def import_answers(self, answers: dict[int, str]) -> tuple[list[int], list[int]]:
        """Store written answers by group id; returns (updated ids, unknown ids)."""
        updated, unknown = [], []
        with self._write() as repo:
            for group_id, read in answers.items():
                answer = clean(read)  # a NUL in the file: removed, as in a typed answer
                try:
                    row = repo.group(group_id)
                except LookupError:
                    unknown.append(group_id)
                    continue
                if row.event_id != self.event_id or row.merged_into_id is not None:
                    unknown.append(group_id)
                    continue
                if row.answer == answer or as_exported(row.answer, answer):
                    continue  # not edited since the export (see `as_exported`)
                before = {"answer": row.answer, "state": row.state, "position": row.position}
                row.answer = answer
                row.updated_at = self.clock()
                self._log(
                    repo,
                    Verb.ANSWER,
                    row.id,
                    f"imported the answer of #{row.id}",
                    before,
                    {"answer": answer, "state": row.state, "position": row.position},
                )
                updated.append(group_id)
        return updated, unknown

    def set_kind(
        self, message_id: int | None, kind: Kind, *, group_id: int | None = None
    ) -> Message:
        """Override the question / chatter / vote judgement of a message: `message_id`,
        or the only wording of question `group_id` (looked up in the same write, so `x`
        on a question the detail has not read yet is one call)."""
        with self._write(index=True) as repo:  # a new question joins the index
            if message_id is None:
                members = repo.members(self._group(repo, group_id or 0).id)
                if len(members) != 1:
                    raise ServiceError(key="more_wordings", id=group_id)
                message_id = members[0].id
            row = repo.message(message_id)
            if row.event_id != self.event_id:
                raise NotFoundError(key="no_message", msg=message_id)
            before = {
                "kind": row.kind,
                "group_id": row.group_id,
                "vote_for_id": row.vote_for_id,
                "kind_overridden": row.kind_overridden,
            }
            old_group = row.group_id
            if old_group is not None:
                group = repo.group(old_group)
                before["group_state"] = group.state
                before["group_position"] = group.position
            self._apply_kind(repo, row, Kind(kind))
            repo.flush()
            if old_group is not None and row.group_id != old_group and not repo.members(old_group):
                # An emptied group leaves the queues, so positions stay contiguous and
                # nothing invisible is on air; undo puts it back.
                emptied = repo.group(old_group)
                if S(emptied.state) in (S.LIVE, S.ON_AIR):
                    self._force_state(repo, emptied, S.NEW, None)
            self._log(
                repo,
                Verb.KIND,
                row.group_id or old_group,
                f"marked message {row.id} as {Kind(kind).value}",
                before,
                {
                    "kind": row.kind,
                    "group_id": row.group_id,
                    "vote_for_id": row.vote_for_id,
                    "message": row.id,
                },
            )
            repo.flush()
            return to_message(row)

    def _apply_kind(
        self,
        repo: Repository,
        row: MessageRow,
        kind: Kind,
        group_id: int | None = None,
        vote_for_id: int | None = None,
    ) -> None:
        if row.kind == kind.value and group_id is None:
            return
        if row.group_id is not None and kind != Kind.QUESTION:
            row.group_id = None
        row.kind = kind.value
        row.kind_overridden = True
        if kind == Kind.QUESTION:
            row.vote_for_id = None
            if group_id is not None:
                row.group_id = group_id
                target = repo.group(group_id)
                if target.merged_into_id is not None:
                    target.merged_into_id = None
            elif row.origin_group_id is not None:
                origin = repo.group(row.origin_group_id)
                row.group_id = origin.id
                if origin.merged_into_id is not None:
                    self._revive(repo, origin)
            else:
                group = self._create_group(repo, row.text)
                row.group_id = row.origin_group_id = group.id
            self._index.add(row.id, row.text)
        elif kind == Kind.VOTE:
            row.vote_for_id = vote_for_id or repo.latest_question_id(
                self.event_id, before_id=row.id
            )
        else:
            row.vote_for_id = None

    def purge_personal_data(self, *, reclaim: bool = True) -> PurgeResult:
        """Remove the askers' personal data (see `storage.purge`). With `reclaim`, the
        database is compacted afterwards, so the old text is gone from its files too
        (`Database.reclaim_space`)."""
        with self._write(IMPORT, QUEUE, index=True) as repo:
            count = repo.purge_personal_data(self.event_id)
            self._log(
                repo,
                Verb.PURGE,
                None,
                f"removed names and addresses from {count} messages",
                {},
                {"messages": count},
            )
            # The duplicate index holds the old texts (and their vectors, which the purge
            # dropped): it is built again from the new ones, the meaning pass encodes again.
            self._index, self._indexed_upto = self._new_index(), 0
            self._index_ready = False
        if not reclaim:
            return PurgeResult(messages=count, compacted="", complete=False)
        self.db.dispose()  # no pooled connection may hold an old snapshot
        try:
            compacted = self.db.reclaim_space(PURGED_TABLES)
        except StorageError as exc:  # the purge itself is committed: say what is left
            return PurgeResult(messages=count, compacted=str(exc), complete=False)
        return PurgeResult(
            messages=count, compacted=compacted, complete="may remain" not in compacted
        )
