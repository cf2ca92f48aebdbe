"""Importing messages: classification, grouping, tagging and duplicate suggestions,
stored with bulk statements in one transaction per batch.

An import streams: it reads the messages lazily, a batch at a time, and commits each batch
in its own short transaction, so a long import never holds the database for long (a
moderator's decision waits for one batch at most), keeps only one batch in memory, and an
interrupted import keeps every batch it committed: run again, it adds exactly what is
missing (known source keys are skipped). After each committed batch `_after_import_batch`
runs (the place for follow-up work on the new questions), then the caller's `progress`.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from moderator.domain.actions import Verb
from moderator.domain.classify import classify, is_host
from moderator.domain.dividing import plan_divide, question_parts
from moderator.domain.fit import fit_message, fit_messages
from moderator.domain.language import Sentence, error_text
from moderator.domain.models import (
    Action,
    Channel,
    Group,
    IncomingMessage,
    Kind,
)
from moderator.domain.similarity import SUGGESTIONS_KEPT, best_groups
from moderator.domain.tagging import TagSuggestion
from moderator.services.base import (
    IMPORT,
    MAX_TEXT,
    QUEUE,
    STATISTICS_BATCH,
    S,
    ServiceBase,
    in_zone,
    title_of,
)
from moderator.services.dividing import DivideEntry
from moderator.services.errors import (
    ConflictError,
    ServiceError,
)
from moderator.storage.repository import (
    GroupRow,
    Repository,
)

# Questions typed in by hand carry no time of their own: they were asked when typed in.
# Mails asking a bulleted or numbered list of questions are divided on import.
DIVIDED_ON_IMPORT = frozenset({Channel.EMAIL})
TYPED_IN = (Channel.PHONE, Channel.MANUAL)
IMPORT_ATTEMPTS = 3  # an import that collided with a moderator's decision is tried again
# Batches: the first has `BATCH_FIRST` messages; later ones are sized so that a batch's
# transaction takes about `BATCH_SECONDS` (a moderator's write waits for at most one of
# them), within `BATCH_MIN`..`BATCH_MAX` messages.
BATCH_FIRST = 200
BATCH_MIN, BATCH_MAX = 20, 2000
BATCH_SECONDS = 0.08
_T = TypeVar("_T")


@dataclass(slots=True)
class ImportSummary:
    """What one import did. `skipped` holds one line per problem (file and line)."""

    source: str
    new: int = 0
    already_imported: int = 0
    questions: int = 0
    chatter: int = 0
    votes: int = 0
    with_suggestion: int = 0
    auto_merged: int = 0
    divided: int = 0  # mails divided into one question per listed question
    # The log entries of those divides, written after the import's own entry (`_log_divides`).
    divide_log: list[DivideEntry] = field(default_factory=list, repr=False)
    skipped: list[str] = field(default_factory=list)
    # What was changed to fit the database (NUL removed, a long name cut; `domain.fit`) or
    # assumed (the day of a chat whose path has no date).
    notes: list[str] = field(default_factory=list)
    projects: Counter[str] = field(default_factory=Counter)
    group_ids: list[int] = field(default_factory=list)
    # Auto-merges: (message, its new group, the group it joined instead).
    merges: list[tuple[int, int, int]] = field(default_factory=list)

    def merge(self, other: ImportSummary) -> None:
        self.new += other.new
        self.already_imported += other.already_imported
        self.questions += other.questions
        self.chatter += other.chatter
        self.votes += other.votes
        self.with_suggestion += other.with_suggestion
        self.auto_merged += other.auto_merged
        self.divided += other.divided
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        self.projects.update(other.projects)
        self.group_ids.extend(other.group_ids)
        self.merges.extend(other.merges)


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """One committed batch of an import, for progress and for follow-up work.

    `read`: messages taken from the source so far (this batch included); `summary`: what
    this batch stored (its `group_ids` are the new questions' groups); `question_ids`: the
    message ids of the questions it stored, in arrival order.
    """

    source: str
    number: int
    read: int
    summary: ImportSummary
    question_ids: tuple[int, ...]


Progress = Callable[[ImportBatch], None]


class ImportingMixin(ServiceBase):
    # ------------------------------------------------------------------ importing
    def import_messages(
        self,
        incoming: Iterable[IncomingMessage],
        *,
        source: str = "",
        problems: Sequence[object] = (),
        progress: Progress | None = None,
        batch_size: int | None = None,
    ) -> ImportSummary:
        """Store new messages (known source keys are skipped), a batch per transaction.

        `incoming` is read lazily, one batch at a time. `problems` is read at the end (a
        streaming parser fills it while it is read). `batch_size` fixes the batch size;
        by default batches are sized to take about `BATCH_SECONDS` each. `progress` is
        called after each committed batch.
        """
        total = ImportSummary(source=source)
        size = [batch_size or BATCH_FIRST]
        read = 0
        notes: list[Sentence] = []  # what had to be cut or replaced to fit (`fit_messages`)
        fitted = fit_messages(incoming, notes)
        for number, (batch, repeated) in enumerate(_batches(fitted, size), start=1):
            read += len(batch) + repeated
            part, question_ids, seconds = self._import_one_batch(batch, source)
            part.already_imported += repeated
            total.merge(part)
            if batch_size is None:
                size[0] = _next_size(size[0], seconds)
            report = ImportBatch(source, number, read, part, tuple(question_ids))
            self._after_import_batch(report)
            if progress is not None:
                progress(report)
        if total.new >= STATISTICS_BATCH:
            self._imported(0, whole=total.new)
        total.skipped = [str(p) for p in problems]
        total.notes = [error_text(note, self.language) for note in notes]
        return total

    def _import_one_batch(
        self, batch: list[IncomingMessage], source: str
    ) -> tuple[ImportSummary, list[int], float]:
        """Store one batch in one transaction (tried again after a collision); returns its
        summary, the message ids of the questions it stored and the seconds it took to
        store them (the lock wait included, the judging before it not)."""
        if not batch:
            return ImportSummary(source=source), [], 0.0
        judged = self._judge(batch)  # pure work, done before taking the event's write lock

        def store(*locks: str) -> tuple[ImportSummary, list[int]]:
            summary = ImportSummary(source=source)
            with self._write(*locks) as repo:
                question_ids = self._import_batch(repo, batch, summary, judged)
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
    ) -> list[int]:
        """Store new messages with bulk statements: groups first, then messages, then links;
        then (`divide`) mails asking several listed questions are divided. Returns the
        message ids of the new questions."""
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
        questions = [(m, k) for m, k in fresh if k == Kind.QUESTION]
        tags = [judged[m.source_key][1] for m, _ in questions]
        group_ids = repo.insert_groups(
            [
                self._group_values(m.text, tag, now)
                for (m, _), tag in zip(questions, tags, strict=True)
            ]
        )
        group_of_key = {m.source_key: gid for (m, _), gid in zip(questions, group_ids, strict=True)}
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
                }
                for m, k in fresh
            ]
        )
        keys = dict(known)
        keys.update({m.source_key: mid for (m, _), mid in zip(fresh, message_ids, strict=True)})
        # A reply may quote a message stored earlier (an earlier batch or import).
        elsewhere = {m.reply_to_key for m, _ in fresh if m.reply_to_key} - keys.keys()
        if elsewhere:
            keys.update(repo.known_keys(self.event_id, elsewhere))
        # Replies and votes: a vote counts for the question it replies or reacts to, else
        # the latest question before it.
        kinds = {mid: k for (_, k), mid in zip(fresh, message_ids, strict=True)}
        links: list[dict[str, Any]] = []
        vote_for: dict[int, int | None] = {}
        last_question: int | None = None
        for (message, kind), mid in zip(fresh, message_ids, strict=True):
            reply_to = keys.get(message.reply_to_key) if message.reply_to_key else None
            if kind == Kind.QUESTION:
                last_question = mid
            target = None
            if kind == Kind.VOTE:
                target = self._vote_target(repo, reply_to, kinds, vote_for) or last_question
                if target is None:
                    target = repo.latest_question_id(self.event_id, before_id=mid)
                vote_for[mid] = target
            if reply_to is not None or target is not None:
                links.append({"id": mid, "reply_to_id": reply_to, "vote_for_id": target})
        repo.update_messages(links)
        # Duplicate suggestions in arrival order, so later questions see earlier ones.
        auto = self.matching.auto_merge_threshold if self.matching.auto_merge else None
        local_group: dict[int, int] = {}
        suggestion_rows: list[dict[str, Any]] = []
        merged: list[tuple[int, int, int]] = []  # (message id, own group, target group)
        question_ids = [keys[m.source_key] for m, _ in questions]
        # First the index (each question sees the ones before it), then one query for the
        # groups of the earlier questions found, then the groups in arrival order.
        found: list[list[tuple[int, float]]] = []
        for (message, _), mid in zip(questions, question_ids, strict=True):
            text = message.text[:MAX_TEXT]
            found.append(
                self._index.query(text, limit=8, min_score=self.matching.suggest_threshold)
            )
            self._index.add(mid, text)
            self._indexed_upto = max(self._indexed_upto, mid)
        in_batch = set(question_ids)
        earlier = {h for hits in found for h, _ in hits if h not in in_batch}
        groups_of = repo.group_of_messages(earlier) if earlier else {}
        for mid, gid, hits in zip(question_ids, group_ids, found, strict=True):
            local_group[mid] = gid
            if not hits:
                continue
            ranked = best_groups(
                hits, lambda hit: local_group.get(hit, groups_of.get(hit)), gid, SUGGESTIONS_KEPT
            )
            if not ranked:
                continue
            suggestion_rows.extend(
                {"message_id": mid, "group_id": other, "score": float(score)}
                for other, score in ranked
            )
            summary.with_suggestion += 1
            target_id, score = ranked[0]
            if auto is not None and score >= auto:
                local_group[mid] = target_id
                merged.append((mid, gid, target_id))
        repo.insert_suggestions(suggestion_rows)
        merged_groups: set[int] = set()
        for mid, own, target_id in merged:
            target = repo.group(target_id)
            if target.merged_into_id is not None:
                continue
            repo.message(mid).group_id = target_id
            repo.group(own).merged_into_id = target_id
            # Always a versioned UPDATE of the target, even if it was auto-merged before: a
            # moderator merging it away at the same moment then collides with this import
            # (one of the two is refused and tried again or reported) instead of leaving
            # the new question in a tombstone.
            repo.touch_group(target, auto_merged=True)
            summary.auto_merged += 1
            summary.merges.append((mid, own, target_id))
            merged_groups.add(own)
        for _, kind in fresh:
            summary.new += 1
            if kind == Kind.QUESTION:
                summary.questions += 1
            elif kind == Kind.VOTE:
                summary.votes += 1
            else:
                summary.chatter += 1
        summary.group_ids.extend(g for g in group_ids if g not in merged_groups)
        if divide:
            question_ids += self._divide_on_import(repo, questions, question_ids, summary)
        return question_ids

    def _divide_on_import(
        self,
        repo: Repository,
        questions: list[tuple[IncomingMessage, Kind]],
        question_ids: list[int],
        summary: ImportSummary,
    ) -> list[int]:
        """A mail asking a bulleted or numbered list of questions becomes one question per
        item (`domain.dividing`), each divide one undoable log entry. Returns the message
        ids of the new parts."""
        added: list[int] = []
        for (message, _), mid in zip(questions, question_ids, strict=True):
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

    def _vote_target(
        self,
        repo: Repository,
        parent: int | None,
        kinds: dict[int, Kind],
        vote_for: dict[int, int | None],
    ) -> int | None:
        if parent is None:
            return None
        kind = kinds.get(parent)
        if kind is None:
            parent_row = repo.message(parent)
            if parent_row.kind == Kind.VOTE.value:
                return parent_row.vote_for_id
            return parent if parent_row.kind == Kind.QUESTION.value else None
        if kind == Kind.QUESTION:
            return parent
        if kind == Kind.VOTE:
            return vote_for.get(parent)
        return None

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
                group_id = summary.group_ids[0] if summary.group_ids else None
                if group_id is None:  # auto-merged into an existing group
                    group_id = repo.message(
                        repo.known_keys(self.event_id, [message.source_key])[message.source_key]
                    ).group_id
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
        notes: list[str] = []
        batch = list(fit_messages(incoming, notes))
        judged = self._judge(batch)

        def store(*locks: str) -> ImportSummary:
            summary = ImportSummary(
                source=source, skipped=[str(p) for p in problems], notes=list(notes)
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


def _batches(
    incoming: Iterable[IncomingMessage], size: list[int]
) -> Iterator[tuple[list[IncomingMessage], int]]:
    """(batch, repeats dropped from it) of up to `size[0]` messages each, read lazily (the
    caller may change `size[0]` between batches). A source key repeated within a batch is
    dropped there; one repeated across batches is found stored by the later batch."""
    batch: list[IncomingMessage] = []
    seen: set[str] = set()
    repeated = 0
    for message in incoming:
        if message.source_key in seen:
            repeated += 1
            continue
        seen.add(message.source_key)
        batch.append(message)
        if len(batch) >= size[0]:
            yield batch, repeated
            batch, seen, repeated = [], set(), 0
    if batch or repeated:
        yield batch, repeated


def _next_size(size: int, seconds: float) -> int:
    """The next batch size, aiming at `BATCH_SECONDS` per batch (at most doubling)."""
    if seconds <= 0:
        return min(BATCH_MAX, size * 2)
    wanted = size * BATCH_SECONDS / seconds
    return max(BATCH_MIN, min(BATCH_MAX, 2 * size, int(wanted)))


def fold_imports(actions: Sequence[Action]) -> list[Action]:
    """The action log (newest first) with each run of consecutive import entries of one
    importer and source (the batches of one import, or a watched file's polls) as one
    entry, its counts summed: "who did what" then shows an import of a million messages
    as one line, not as thousands."""
    folded: list[Action] = []
    for action in actions:
        last = folded[-1] if folded else None
        if (
            last is None
            or not action.verb == last.verb == "import"
            or action.moderator != last.moderator
            or action.after.get("source") != last.after.get("source")
        ):
            folded.append(action)
            continue
        new = int(last.after.get("new", 0)) + int(action.after.get("new", 0))
        known = "questions" in last.after and "questions" in action.after
        questions = int(last.after.get("questions", 0)) + int(action.after.get("questions", 0))
        source = str(action.after.get("source") or "")
        folded[-1] = replace(
            last,
            summary=f"imported {new} messages"
            + (f" ({questions} questions)" if known else "")
            + (f" from {source}" if source else ""),
            after={"source": source, "new": new} | ({"questions": questions} if known else {}),
        )
    return folded
