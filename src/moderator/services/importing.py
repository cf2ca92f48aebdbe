"""Importing messages: classification, grouping, tagging and duplicate suggestions,
stored with bulk statements in one transaction per batch."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from moderator.domain.actions import Verb
from moderator.domain.classify import classify, is_host
from moderator.domain.fit import fit_message, fit_messages
from moderator.domain.models import (
    Channel,
    Group,
    IncomingMessage,
    Kind,
)
from moderator.domain.tagging import TagSuggestion
from moderator.services.base import IMPORT, MAX_TEXT, QUEUE, S, ServiceBase, title_of
from moderator.services.errors import (
    ConflictError,
    ServiceError,
)
from moderator.storage.repository import (
    GroupRow,
    Repository,
)

# Questions typed in by hand carry no time of their own: they were asked when typed in.
TYPED_IN = (Channel.PHONE, Channel.MANUAL)
IMPORT_ATTEMPTS = 3  # an import that collided with a moderator's decision is tried again
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
    skipped: list[str] = field(default_factory=list)
    # What was changed to fit the database (NUL removed, a long name cut; `domain.fit`).
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
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        self.projects.update(other.projects)
        self.group_ids.extend(other.group_ids)
        self.merges.extend(other.merges)


class ImportingMixin(ServiceBase):
    # ------------------------------------------------------------------ importing
    def import_messages(
        self,
        incoming: Iterable[IncomingMessage],
        *,
        source: str = "",
        problems: Sequence[object] = (),
    ) -> ImportSummary:
        """Store new messages (known source keys are skipped) in one transaction."""
        batch: list[IncomingMessage] = []
        seen: set[str] = set()
        repeated = 0
        notes: list[str] = []
        for message in fit_messages(incoming, notes):
            if message.source_key in seen:
                repeated += 1
                continue
            seen.add(message.source_key)
            batch.append(message)
        if not batch:
            return ImportSummary(
                source=source,
                skipped=[str(p) for p in problems],
                already_imported=repeated,
                notes=notes,
            )
        judged = self._judge(batch)  # pure work, done before taking the event's write lock

        def store(*locks: str) -> ImportSummary:
            summary = ImportSummary(
                source=source,
                skipped=[str(p) for p in problems],
                already_imported=repeated,
                notes=list(notes),
            )
            with self._write(*locks) as repo:
                self._import_batch(repo, batch, summary, judged)
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
            return summary

        summary = self._store_import(store)
        self._imported(summary.new)
        return summary

    @staticmethod
    def _import_log(source: str, summary: ImportSummary) -> dict[str, Any]:
        """The `after` of an import's log entry: new groups, and for auto-merges the
        groups (the new one, now a tombstone, and the one it joined) and the messages."""
        return {
            "source": source,
            "new": summary.new,
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
    ) -> None:
        """Store new messages with bulk statements: groups first, then messages, then links."""
        self._sync_index(repo)  # under the import lock: no other importer's question is missed
        known = repo.known_keys(self.event_id, [m.source_key for m in batch])
        now = self.clock()
        new = [m for m in batch if m.source_key not in known]
        summary.already_imported += len(batch) - len(new)
        if not new:
            return
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
                    "received_at": m.received_at or (now if m.channel in TYPED_IN else None),
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
        for (message, _), mid, gid in zip(questions, question_ids, group_ids, strict=True):
            local_group[mid] = gid
            text = message.text[:MAX_TEXT]
            hits = self._index.query(text, limit=8, min_score=self.matching.suggest_threshold)
            self._index.add(mid, text)
            self._indexed_upto = max(self._indexed_upto, mid)
            if not hits:
                continue
            unresolved = [h for h, _ in hits if h not in local_group]
            groups_of = repo.group_of_messages(unresolved) if unresolved else {}
            by_group: dict[int, float] = {}
            for hit, score in hits:
                other = local_group.get(hit, groups_of.get(hit))
                if other is not None and other != gid:
                    by_group[other] = max(by_group.get(other, 0.0), score)
            if not by_group:
                continue
            ranked = sorted(by_group.items(), key=lambda kv: -kv[1])[:3]
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

    def _classify(self, message: IncomingMessage) -> Kind:
        """Question, chatter or vote; what the host posts in the chat is announcement."""
        if message.channel == Channel.CHAT and is_host(message.author, self.hosts):
            return Kind.CHATTER
        return classify(message.text)

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
            raise ServiceError("an empty question cannot be added")
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
                self._import_batch(repo, [message], summary)
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
                    {"group": group_id} | self._import_log("manual", summary),
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
                repo.set_source_state(self.event_id, source, state)
            return summary

        summary = self._store_import(store)
        self._imported(summary.new)
        return summary
