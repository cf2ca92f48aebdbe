"""The import pipeline: judge a batch (kind, suggested project), store it with bulk
statements (groups, messages, then their links), suggest duplicates, divide listed mails,
and log it, one transaction per batch; also a question typed in by hand and a watched
source's polls. The rooms beside it: `batches` (sizing), `linking` (replies and votes),
`duplicates` (suggestions and auto-merges), `divide_mails`, `summary`."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from moderator.domain.actions import Verb
from moderator.domain.classify import classify, is_host
from moderator.domain.fit import fit_message, fit_messages
from moderator.domain.language import Sentence, error_text
from moderator.domain.models import (
    Channel,
    Group,
    IncomingMessage,
    Kind,
)
from moderator.domain.tagging import TagSuggestion
from moderator.services.base import (
    IMPORT,
    MAX_TEXT,
    QUEUE,
    STATISTICS_BATCH,
    S,
    in_zone,
    title_of,
)
from moderator.services.errors import (
    ConflictError,
    ServiceError,
)
from moderator.services.importing.batches import BATCH_FIRST, batches, next_size
from moderator.services.importing.divide_mails import ImportDividingMixin
from moderator.services.importing.duplicates import ImportDuplicatesMixin
from moderator.services.importing.duplicates import Progress as MatchProgress
from moderator.services.importing.linking import link_replies_and_votes
from moderator.services.importing.summary import ImportBatch, ImportSummary, Progress
from moderator.storage.repository import (
    GroupRow,
    Repository,
)

# Questions typed in by hand carry no time of their own: they were asked when typed in.
TYPED_IN = (Channel.PHONE, Channel.MANUAL)
IMPORT_ATTEMPTS = 3  # an import that collided with a moderator's decision is tried again
_T = TypeVar("_T")


class ImportingMixin(ImportDuplicatesMixin, ImportDividingMixin):
    # ------------------------------------------------------------------ importing
    def import_messages(
        self,
        incoming: Iterable[IncomingMessage],
        *,
        source: str = "",
        problems: Sequence[object] = (),
        progress: Progress | None = None,
        batch_size: int | None = None,
        matching: MatchProgress | None = None,
    ) -> ImportSummary:
        """Store new messages (known source keys are skipped), a batch per transaction;
        the questions of the first batch are compared with the earlier ones at once, those
        of later batches once all are stored (`match_pending`), so they show sooner.

        `incoming` is read lazily, one batch at a time. `problems` is read at the end (a
        streaming parser fills it while it is read). `batch_size` fixes the batch size;
        by default batches are sized to take about `BATCH_SECONDS` each. `progress` is
        called after each committed batch, `matching(compared, to compare)` after each
        chunk of the comparison.
        """
        total = ImportSummary(source=source)
        size = [batch_size or BATCH_FIRST]
        read = 0
        notes: list[Sentence] = []  # what had to be cut or replaced to fit (`fit_messages`)
        fitted = fit_messages(incoming, notes)
        for number, (batch, repeated) in enumerate(batches(fitted, size), start=1):
            read += len(batch) + repeated
            # The first batch is compared in its own transaction (a small import is then
            # done at once); the questions of later ones are shown first, compared after.
            part, question_ids, seconds = self._import_one_batch(batch, source, match=number == 1)
            part.already_imported += repeated
            total.merge(part)
            if batch_size is None:
                size[0] = next_size(size[0], seconds)
            report = ImportBatch(source, number, read, part, tuple(question_ids))
            self._after_import_batch(report)
            if progress is not None:
                progress(report)
        # Stored and shown; now each question against the ones before it.
        self.match_pending(total, progress=matching)
        if total.new >= STATISTICS_BATCH:
            self._imported(0, whole=total.new)
        total.skipped = [str(p) for p in problems]
        total.notes = [error_text(note, self.language) for note in notes]
        return total

    def _import_one_batch(
        self, batch: list[IncomingMessage], source: str, *, match: bool = True
    ) -> tuple[ImportSummary, list[int], float]:
        """Store one batch in one transaction (tried again after a collision); returns its
        summary, the message ids of the questions it stored and the seconds it took to
        store them (the lock wait included, the judging before it not). Without `match`
        its questions are stored as not compared yet (`match_pending` compares them)."""
        if not batch:
            return ImportSummary(source=source), [], 0.0
        judged = self._judge(batch)  # pure work, done before taking the event's write lock

        def store(*locks: str) -> tuple[ImportSummary, list[int]]:
            summary = ImportSummary(source=source)
            with self._write(*locks) as repo:
                question_ids = self._import_batch(repo, batch, summary, judged, match=match)
                if summary.new:
                    self._log(
                        repo,
                        Verb.IMPORT,
                        None,
                        f"imported {summary.new} messages ({summary.questions} questions)"
                        + (f" from {source}" if source else ""),
                        {},
                        self._import_log(source, summary),
                    )
                self._log_divides(repo, summary.divide_log)
                summary.divide_log = []
            return summary, question_ids

        started = time.perf_counter()
        summary, question_ids = self._store_import(store)
        seconds = time.perf_counter() - started
        self._imported(summary.new)
        return summary, question_ids, seconds

    def _after_import_batch(self, batch: ImportBatch) -> None:
        """Runs after each committed import batch, before the caller's progress report:
        the hook for follow-up work on the batch's new questions (`batch.question_ids`).
        Nothing yet."""

    @staticmethod
    def _import_log(source: str, summary: ImportSummary) -> dict[str, Any]:
        """The `after` of an import's log entry: new groups, and for auto-merges the
        groups (the new one, now a tombstone, and the one it joined) and the messages."""
        return {
            "source": source,
            "new": summary.new,
            "questions": summary.questions,
            "groups": summary.group_ids,
            "merged": [g for _, own, target in summary.merges for g in (own, target)],
            "moved": [message for message, _, _ in summary.merges],
        }

    def _store_import(self, store: Callable[..., _T]) -> _T:
        """Run an import transaction, `store(*locks)`. Importers do not wait for moderators
        (see `_write`), so an import can collide with a moderator's decision on the same
        group (only an auto-merge changes an existing group): then it is tried again, the
        last time under the moderators' lock as well, where nobody can collide with it."""
        for attempt in range(1, IMPORT_ATTEMPTS + 1):
            self._catch_up_index()  # before the lock: the lock then covers only a few rows
            try:
                return store(IMPORT) if attempt < IMPORT_ATTEMPTS else store(IMPORT, QUEUE)
            except ConflictError:
                if attempt == IMPORT_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _judge(self, batch: Sequence[IncomingMessage]) -> dict[str, tuple[Kind, Any]]:
        """Kind and suggested project of each message (no database, no lock needed)."""
        kinds = [m.kind_hint or self._classify(m) for m in batch]
        questions = [m for m, k in zip(batch, kinds, strict=True) if k == Kind.QUESTION]
        tags = iter(self._tagger.suggest_many([m.text[:MAX_TEXT] for m in questions]))
        return {
            m.source_key: (k, next(tags) if k == Kind.QUESTION else None)
            for m, k in zip(batch, kinds, strict=True)
        }

    def _import_batch(
        self,
        repo: Repository,
        batch: list[IncomingMessage],
        summary: ImportSummary,
        judged: dict[str, tuple[Kind, Any]] | None = None,
        *,
        divide: bool = True,
        match: bool = True,
    ) -> list[int]:
        """Store new messages with bulk statements: groups first, then messages, then links;
        then (`match`) duplicates are suggested, else the questions are stored as not
        compared yet; then (`divide`) mails asking several listed questions are divided.
        Returns the message ids of the new questions."""
        self._sync_index(repo)  # under the import lock: no other importer's question is missed
        known = repo.known_keys(self.event_id, [m.source_key for m in batch])
        now = self.clock()
        new = [m for m in batch if m.source_key not in known]
        summary.already_imported += len(batch) - len(new)
        if not new:
            return []
        judged = judged if judged is not None else self._judge(new)
        fresh = [(m, judged[m.source_key][0]) for m in new]
        # One group per question, with its suggested project.
        asked = [m for m, k in fresh if k == Kind.QUESTION]
        tags = [judged[m.source_key][1] for m in asked]
        group_ids = repo.insert_groups(
            [self._group_values(m.text, tag, now) for m, tag in zip(asked, tags, strict=True)]
        )
        group_of_key = {m.source_key: gid for m, gid in zip(asked, group_ids, strict=True)}
        for tag in tags:
            summary.projects[tag.project_key] += 1
        message_ids = repo.insert_messages(
            [
                {
                    "event_id": self.event_id,
                    "source_key": m.source_key,
                    "channel": m.channel.value,
                    "kind": k.value,
                    "kind_overridden": False,
                    "text": m.text[:MAX_TEXT],
                    "original": m.original or m.text,
                    "author": m.author,
                    "author_email": m.author_email,
                    "received_at": in_zone(m.received_at, self.timezone)
                    or (now if m.channel in TYPED_IN else None),
                    "imported_at": now,
                    "private": m.private,
                    "source_name": m.source_name,
                    "source_line": m.source_line,
                    "group_id": group_of_key.get(m.source_key),
                    "origin_group_id": group_of_key.get(m.source_key),
                    "matched": match or k != Kind.QUESTION,
                }
                for m, k in fresh
            ]
        )
        ids = dict(known)
        ids.update({m.source_key: mid for (m, _), mid in zip(fresh, message_ids, strict=True)})
        link_replies_and_votes(repo, self.event_id, fresh, message_ids, ids)
        question_ids = [ids[m.source_key] for m in asked]
        if match:
            merged = self._suggest_duplicates(repo, asked, question_ids, group_ids, summary)
        else:
            self._leave_for_later(question_ids)
            merged = set()
        summary.count(k for _, k in fresh)
        summary.group_ids.extend(g for g in group_ids if g not in merged)
        if divide:
            question_ids += self._divide_on_import(repo, asked, question_ids, summary)
        return question_ids

    def _classify(self, message: IncomingMessage) -> Kind:
        """Question, chatter or vote; what the host posts in the chat is announcement."""
        if message.channel == Channel.CHAT and is_host(message.author, self.hosts):
            return Kind.CHATTER
        return classify(message.text, self.language)

    def _group_values(
        self,
        text: str,
        tag: TagSuggestion,
        now: datetime,
        *,
        project_key: str | None = None,
        project_confirmed: bool = False,
    ) -> dict[str, Any]:
        """Column values of a new group for the question `text`."""
        return {
            "event_id": self.event_id,
            "title": title_of(text),
            "title_edited": False,
            "state": S.NEW.value,
            "position": None,
            "project_key": project_key,
            "project_confirmed": project_confirmed,
            "suggested_project": tag.project_key,
            "suggested_confidence": tag.confidence,
            "runner_up_project": tag.runner_up,
            "answer": "",
            "auto_merged": False,
            "merged_into_id": None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }

    def _create_group(self, repo: Repository, text: str, **kw: Any) -> GroupRow:
        values = self._group_values(text, self._tagger.suggest(text), self.clock(), **kw)
        (group_id,) = repo.insert_groups([values])
        return repo.group(group_id)

    def add_manual(
        self, text: str, *, author: str | None = None, channel: Channel = Channel.MANUAL
    ) -> Group:
        """A question typed in by the moderator (phone participant, hallway)."""
        text = text.strip()
        if not text:
            raise ServiceError(key="empty_question")
        message = fit_message(
            IncomingMessage(
                source_key=f"manual:{uuid.uuid4().hex}",
                channel=channel,
                text=text,
                author=author or None,
                received_at=self.clock(),
                kind_hint=Kind.QUESTION,
                source_name="manual entry",
            )
        ).message

        def store(*locks: str) -> Group:
            summary = ImportSummary(source="manual")
            with self._write(*locks) as repo:
                self._import_batch(repo, [message], summary, divide=False)
                # Its new group, or the existing one it was auto-merged into.
                group_id = summary.group_ids[0] if summary.group_ids else summary.merges[0][2]
                self._log(
                    repo,
                    Verb.MANUAL,
                    group_id,
                    f"added #{group_id} by hand ({channel.value})",
                    {},
                    {"group": group_id, "channel": channel.value}
                    | self._import_log("manual", summary),
                )
                return repo.to_group(repo.group(group_id))

        group = self._store_import(store)
        self._imported(1)
        return group

    # ------------------------------------------------------------------ watched sources
    def source_state(self, source: str) -> dict[str, Any] | None:
        with self._reading() as session:
            return Repository(session).source_state(self.event_id, source)

    def import_with_state(
        self,
        incoming: Iterable[IncomingMessage],
        *,
        source: str,
        state: dict[str, Any],
        problems: Sequence[object] = (),
    ) -> ImportSummary:
        """Import and remember where a watched source stopped, in one transaction."""
        notes: list[Sentence] = []
        batch = list(fit_messages(incoming, notes))
        judged = self._judge(batch)

        def store(*locks: str) -> ImportSummary:
            summary = ImportSummary(
                source=source,
                skipped=[str(p) for p in problems],
                notes=[error_text(note, self.language) for note in notes],
            )
            with self._write(*locks) as repo:
                if batch:
                    self._import_batch(repo, batch, summary, judged)
                    if summary.new:
                        self._log(
                            repo,
                            Verb.IMPORT,
                            None,
                            f"imported {summary.new} messages from {source}",
                            {},
                            self._import_log(source, summary),
                        )
                    self._log_divides(repo, summary.divide_log)
                    summary.divide_log = []
                repo.set_source_state(self.event_id, source, state)
            return summary

        summary = self._store_import(store)
        self._imported(summary.new)
        return summary
