"""The moderator's use cases on one event.

Every public method that changes something is one short write transaction: it takes the
event's write lock, checks the rules, changes rows, writes one action-log entry and commits
before returning. Reads use their own short transactions. Nothing returned is an ORM row.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moderator.config import EventConfig, MatchingSettings
from moderator.domain.classify import classify, is_host
from moderator.domain.models import (
    Action,
    Channel,
    Event,
    Group,
    IncomingMessage,
    Kind,
    Message,
    Project,
    QueueState,
    Suggestion,
)
from moderator.domain.queues import check_transition, move_in_order
from moderator.domain.similarity import DuplicateIndex
from moderator.domain.tagging import Tagger, TagSuggestion
from moderator.services.errors import (
    ConflictError,
    ConnectionLostError,
    NotFoundError,
    ServiceError,
)
from moderator.storage.db import ConcurrentChange, Database, DatabaseUnavailable
from moderator.storage.repository import (
    GroupRow,
    GroupSummary,
    MessageRow,
    Repository,
    to_action,
    to_event,
    to_message,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
MAX_TEXT = 200_000  # characters kept in `text`; the full original is always stored
UNDOABLE = ("tag", "move", "reorder", "merge", "split", "title", "answer", "kind", "manual")
S = QueueState


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    projects: Counter[str] = field(default_factory=Counter)
    group_ids: list[int] = field(default_factory=list)

    def merge(self, other: ImportSummary) -> None:
        self.new += other.new
        self.already_imported += other.already_imported
        self.questions += other.questions
        self.chatter += other.chatter
        self.votes += other.votes
        self.with_suggestion += other.with_suggestion
        self.auto_merged += other.auto_merged
        self.skipped.extend(other.skipped)
        self.projects.update(other.projects)
        self.group_ids.extend(other.group_ids)


@dataclass(frozen=True, slots=True)
class Counts:
    states: dict[QueueState, int]
    kinds: dict[Kind, int]
    projects: dict[str | None, int]


@dataclass(frozen=True, slots=True)
class StageData:
    on_air: Group | None
    next: tuple[GroupSummary, ...]


def open_event(
    db: Database,
    config: EventConfig,
    *,
    moderator: str,
    clock: Clock = utcnow,
    update_config: bool = True,
) -> EventService:
    """Find or create the event of `config` in the database and return its service."""
    with db.writing() as session:
        repo = Repository(session)
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
    return EventService(
        db, event_id, moderator=moderator, clock=clock, matching=config.matching,
        hosts=config.hosts,
    )


class EventService:
    """Use cases on one event, for one moderator. Thread-safe: the UI calls it from workers."""

    def __init__(
        self,
        db: Database,
        event_id: int,
        *,
        moderator: str,
        clock: Clock = utcnow,
        matching: MatchingSettings | None = None,
        hosts: Sequence[str] = (),
    ) -> None:
        self.db = db
        self.event_id = event_id
        self.moderator = moderator
        self.clock = clock
        self.matching = matching or MatchingSettings()
        self.hosts = tuple(hosts)
        with db.reading() as session:
            repo = Repository(session)
            self.event: Event = to_event(repo.event(event_id))
            self.projects: tuple[Project, ...] = tuple(repo.projects(event_id))
        self._tagger = Tagger(self.projects)
        self._index = DuplicateIndex()
        self._indexed_upto = 0
        self._lock = threading.RLock()
        self._index_ready = False

    # ------------------------------------------------------------------ infrastructure
    @contextmanager
    def _write(self) -> Iterator[Repository]:
        try:
            with self._lock, self.db.writing() as session:
                repo = Repository(session)
                repo.lock_event(self.event_id)
                self._sync_index(repo)
                indexed = len(self._index)
                try:
                    yield repo
                except BaseException:
                    if len(self._index) != indexed:
                        # Rolled back: forget texts of messages that were never stored.
                        self._index, self._indexed_upto = DuplicateIndex(), 0
                    raise
        except DatabaseUnavailable as exc:
            self._index, self._indexed_upto = DuplicateIndex(), 0  # may have failed at commit
            raise ConnectionLostError(str(exc), committed=exc.committed) from exc
        except ConcurrentChange as exc:
            self._index, self._indexed_upto = DuplicateIndex(), 0
            raise ConflictError(
                "a question was changed by someone else meanwhile; nothing done, look again"
            ) from exc

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """A read session; a lost connection becomes `ConnectionLostError`."""
        try:
            with self.db.reading() as session:
                yield session
        except DatabaseUnavailable as exc:
            raise ConnectionLostError(str(exc)) from exc

    def health(self) -> bool:
        """True when the database answers now (the engine reconnects by itself)."""
        return self.db.ping()

    def _sync_index(self, repo: Repository) -> None:
        """Bring the duplicate index up to date with questions stored by anyone."""
        for message_id, _group_id, text in repo.question_texts(self.event_id, self._indexed_upto):
            self._index.add(message_id, text)
            self._indexed_upto = max(self._indexed_upto, message_id)
        self._index_ready = True

    def _group(self, repo: Repository, group_id: int) -> GroupRow:
        try:
            row = repo.group(group_id)
        except LookupError as exc:
            raise NotFoundError(str(exc)) from None
        if row.event_id != self.event_id:
            raise NotFoundError(f"no question #{group_id} in this event")
        if row.merged_into_id is not None:
            raise ConflictError(f"#{group_id} has been merged into #{row.merged_into_id}")
        return row

    def _check_version(self, repo: Repository, row: GroupRow, expected: int | None) -> None:
        if expected is None or expected == row.version:
            return
        last = repo.actions(self.event_id, group_id=row.id, limit=1, newest_first=True)
        what = f"{last[0].moderator}: {last[0].summary}" if last else "another moderator"
        raise ConflictError(f"#{row.id} was changed meanwhile ({what}); nothing done, look again")

    def _log(
        self,
        repo: Repository,
        verb: str,
        group_id: int | None,
        summary: str,
        before: dict[str, Any],
        after: dict[str, Any],
        undo_of: int | None = None,
    ) -> None:
        repo.log(
            event_id=self.event_id,
            moderator=self.moderator,
            at=self.clock(),
            verb=verb,
            group_id=group_id,
            summary=summary,
            before=before,
            after=after,
            undo_of=undo_of,
        )

    def project(self, key: str | None) -> Project | None:
        return next((p for p in self.projects if p.key == key), None)

    @property
    def general_key(self) -> str:
        return next(p.key for p in self.projects if p.general)

    # ------------------------------------------------------------------ reading
    def change_seq(self) -> int:
        """A counter every write bumps: poll it to notice other moderators and importers."""
        with self._reading() as session:
            return Repository(session).change_seq(self.event_id)

    def last_action_id(self) -> int:
        with self._reading() as session:
            return Repository(session).last_action_id(self.event_id)

    def summaries(
        self,
        *,
        states: Collection[QueueState] | None = None,
        project: str | None = None,
        search: str | None = None,
        group_ids: Collection[int] | None = None,
    ) -> list[GroupSummary]:
        with self._reading() as session:
            return Repository(session).summaries(
                self.event_id, states=states, project=project, search=search, group_ids=group_ids
            )

    def live_queue(self) -> list[GroupSummary]:
        items = self.summaries(states=[S.LIVE, S.ON_AIR])
        return sorted(items, key=lambda g: (g.state != S.ON_AIR, g.position or 0, g.id))

    def group(self, group_id: int) -> Group:
        with self._reading() as session:
            repo = Repository(session)
            try:
                row = repo.group(group_id)
            except LookupError as exc:
                raise NotFoundError(str(exc)) from None
            return repo.to_group(row)

    def groups(self, *, include_merged: bool = False) -> list[Group]:
        with self._reading() as session:
            repo = Repository(session)
            return [
                repo.to_group(r, with_suggestions=False)
                for r in repo.groups(self.event_id, include_merged=include_merged)
            ]

    def messages(
        self, *, kinds: Collection[Kind] | None = None, after_id: int = 0
    ) -> list[Message]:
        with self._reading() as session:
            return Repository(session).messages(self.event_id, kinds=kinds, after_id=after_id)

    def history(self, group_id: int | None = None, *, limit: int | None = 50) -> list[Action]:
        with self._reading() as session:
            return Repository(session).actions(
                self.event_id, group_id=group_id, limit=limit, newest_first=True
            )

    def actions_since(self, action_id: int) -> list[Action]:
        with self._reading() as session:
            return Repository(session).actions(self.event_id, after_id=action_id)

    def counts(self) -> Counts:
        with self._reading() as session:
            repo = Repository(session)
            return Counts(
                repo.state_counts(self.event_id),
                repo.kind_counts(self.event_id),
                repo.project_counts(self.event_id),
            )

    def stage(self) -> StageData:
        with self._reading() as session:
            repo = Repository(session)
            on_air = repo.on_air(self.event_id)
            current = repo.to_group(on_air[0], with_suggestions=False) if on_air else None
            live = [g.id for g in repo.live_order(self.event_id)[:2]]
            upcoming = repo.summaries(self.event_id, group_ids=live) if live else []
            upcoming.sort(key=lambda g: g.position or 0)
            return StageData(current, tuple(upcoming))

    def suggestions(self, group_id: int, *, min_score: float | None = None) -> list[Suggestion]:
        """Current duplicate candidates for a group, scored afresh against the whole event.

        `min_score` defaults to the event's suggest threshold; the console passes a lower
        floor to list weaker candidates below the confident ones.
        """
        floor = self.matching.suggest_threshold if min_score is None else min_score
        with self._lock, self._reading() as session:
            repo = Repository(session)
            self._sync_index(repo)
            row = repo.group(group_id)
            members = repo.members(group_id)
            own = {m.id for m in members}
            best: dict[int, float] = {}
            for member in members:
                if member.kind != Kind.QUESTION.value:
                    continue
                for mid, score in self._index.query(
                    member.text, limit=8, exclude=own, min_score=floor
                ):
                    best[mid] = max(best.get(mid, 0.0), score)
            by_group: dict[int, float] = {}
            for mid, gid in repo.group_of_messages(best).items():
                if gid is not None and gid != row.id:
                    by_group[gid] = max(by_group.get(gid, 0.0), best[mid])
            result = []
            for gid, score in sorted(by_group.items(), key=lambda kv: -kv[1])[:5]:
                target = repo.group(gid)
                if target.merged_into_id is None:
                    result.append(Suggestion(gid, score, target.title))
            return result

    # ------------------------------------------------------------------ importing
    def import_messages(
        self,
        incoming: Iterable[IncomingMessage],
        *,
        source: str = "",
        problems: Sequence[object] = (),
    ) -> ImportSummary:
        """Store new messages (known source keys are skipped) in one transaction."""
        summary = ImportSummary(source=source, skipped=[str(p) for p in problems])
        batch: list[IncomingMessage] = []
        seen: set[str] = set()
        for message in incoming:
            if message.source_key in seen:
                summary.already_imported += 1
                continue
            seen.add(message.source_key)
            batch.append(message)
        if not batch:
            return summary
        with self._write() as repo:
            self._import_batch(repo, batch, summary)
            if summary.new:
                self._log(
                    repo,
                    "import",
                    None,
                    f"imported {summary.new} messages ({summary.questions} questions)"
                    + (f" from {source}" if source else ""),
                    {},
                    {"source": source, "new": summary.new, "groups": summary.group_ids},
                )
        return summary

    def _import_batch(
        self, repo: Repository, batch: list[IncomingMessage], summary: ImportSummary
    ) -> None:
        """Store new messages with bulk statements: groups first, then messages, then links."""
        known = repo.known_keys(self.event_id, [m.source_key for m in batch])
        now = self.clock()
        fresh: list[tuple[IncomingMessage, Kind]] = []
        for message in batch:
            if message.source_key in known:
                summary.already_imported += 1
                continue
            fresh.append((message, message.kind_hint or self._classify(message)))
        if not fresh:
            return
        # One group per question, with its suggested project.
        questions = [(m, k) for m, k in fresh if k == Kind.QUESTION]
        tags = self._tagger.suggest_many([m.text[:MAX_TEXT] for m, _ in questions])
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
                    "received_at": m.received_at,
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
        for mid, own, target_id in merged:
            target = repo.group(target_id)
            if target.merged_into_id is not None:
                continue
            repo.message(mid).group_id = target_id
            repo.group(own).merged_into_id = target_id
            target.auto_merged = True
            summary.auto_merged += 1
        merged_groups = {own for _, own, _ in merged}
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
            "title": _title_of(text),
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
        message = IncomingMessage(
            source_key=f"manual:{uuid.uuid4().hex}",
            channel=channel,
            text=text,
            author=author or None,
            received_at=self.clock(),
            kind_hint=Kind.QUESTION,
            source_name="manual entry",
        )
        summary = ImportSummary(source="manual")
        with self._write() as repo:
            self._import_batch(repo, [message], summary)
            group_id = summary.group_ids[0] if summary.group_ids else None
            if group_id is None:  # auto-merged into an existing group
                group_id = repo.message(
                    repo.known_keys(self.event_id, [message.source_key])[message.source_key]
                ).group_id
            self._log(
                repo,
                "manual",
                group_id,
                f"added #{group_id} by hand ({channel.value})",
                {},
                {"group": group_id},
            )
            return repo.to_group(repo.group(group_id))

    # ------------------------------------------------------------------ tagging
    def tag(
        self, group_id: int, project_key: str | None = None, *, expected_version: int | None = None
    ) -> Group:
        """Confirm the suggested project (key None) or set another one."""
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            key = project_key or row.project_key or row.suggested_project or self.general_key
            project = self.project(key)
            if project is None:
                raise ServiceError(f"unknown project {key!r}")
            before = {"project_key": row.project_key, "project_confirmed": row.project_confirmed}
            row.project_key = key
            row.project_confirmed = True
            row.updated_at = self.clock()
            self._log(
                repo,
                "tag",
                row.id,
                f"tagged #{row.id} {project.name}",
                before,
                {"project_key": key, "project_confirmed": True},
            )
            learn_text = " ".join(m.text for m in repo.members(row.id))
            result = repo.to_group(row)
        self._tagger.learn(learn_text, key)
        return result

    # ------------------------------------------------------------------ queues
    def move(
        self,
        group_id: int,
        target: QueueState | Callable[[QueueState], QueueState],
        *,
        expected_version: int | None = None,
        position: int | None = None,
    ) -> Group:
        """Move a group to another queue state (or to `target(current state)`)."""
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            if callable(target):
                target = target(S(row.state))
            before = {"state": row.state, "position": row.position}
            after_extra: dict[str, Any] = {}
            previous = self._move(repo, row, S(target), position)
            if previous is not None:
                after_extra["previous_on_air"] = previous
            self._log(
                repo,
                "move",
                row.id,
                f"moved #{row.id} to {S(target).value}",
                before,
                {"state": row.state, "position": row.position, **after_extra},
            )
            return repo.to_group(row)

    def _move(
        self, repo: Repository, row: GroupRow, target: QueueState, position: int | None = None
    ) -> int | None:
        """Change state keeping the live queue contiguous and at most one question on air."""
        current = S(row.state)
        check_transition(current, target)
        previous_on_air = None
        if current == target and position is None:
            return None
        if current == S.LIVE:
            self._leave_live(repo, row)
        if target == S.ON_AIR:
            for other in repo.on_air(self.event_id):
                if other.id != row.id:
                    other.state = S.ANSWERED_LIVE.value
                    other.updated_at = self.clock()
                    previous_on_air = other.id
        if target == S.LIVE:
            live = [g for g in repo.live_order(self.event_id) if g.id != row.id]
            slot = len(live) + 1 if position is None else max(1, min(position, len(live) + 1))
            repo.shift_live_positions(self.event_id, slot, 1)
            row.position = slot
        else:
            row.position = None
        row.state = target.value
        row.updated_at = self.clock()
        return previous_on_air

    def _leave_live(self, repo: Repository, row: GroupRow) -> None:
        old = row.position
        row.position = None
        repo.s.flush()
        if old is not None:
            repo.shift_live_positions(self.event_id, old + 1, -1)

    def send_live(self, group_id: int, **kw: Any) -> Group:
        return self.move(group_id, S.LIVE, **kw)

    def answer_later(self, group_id: int, **kw: Any) -> Group:
        return self.move(group_id, S.LATER, **kw)

    def dismiss(self, group_id: int, **kw: Any) -> Group:
        return self.move(group_id, S.DISMISSED, **kw)

    def advance(self, group_id: int, **kw: Any) -> Group:
        """Enter: put a question on air, or mark the question on air as answered live."""
        # Decided inside the write transaction: two moderators pressing Enter at once
        # cannot both "put it on air".
        return self.move(
            group_id, lambda state: S.ANSWERED_LIVE if state == S.ON_AIR else S.ON_AIR, **kw
        )

    def reorder(self, group_id: int, delta: int, *, expected_version: int | None = None) -> Group:
        """Move a live question `delta` places up (negative) or down the live queue."""
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            if row.state != S.LIVE.value:
                raise ServiceError(f"#{row.id} is not in the live queue")
            live = repo.live_order(self.event_id)
            old_order = [g.id for g in live]
            new_order = move_in_order(old_order, row.id, delta)
            self._apply_order(live, new_order)
            self._log(
                repo,
                "reorder",
                row.id,
                f"moved #{row.id} to live position {row.position}",
                {"order": old_order},
                {"order": new_order},
            )
            return repo.to_group(row)

    @staticmethod
    def _apply_order(live: list[GroupRow], order: list[int]) -> None:
        by_id = {g.id: g for g in live}
        for index, gid in enumerate(order, start=1):
            if by_id[gid].position != index:
                by_id[gid].position = index

    # ------------------------------------------------------------------ merge and split
    def merge(
        self,
        source_id: int,
        target_id: int,
        *,
        expected_version: int | None = None,
        summary: str | None = None,
    ) -> Group:
        """Merge group `source_id` into `target_id`.

        Rules: every member (wording, author, channel, time) moves to the target and the
        target's title, project, queue state, position and answer win. The source is kept
        as a tombstone (`merged_into_id`) with its own state, so splitting its members off
        again restores it exactly; the action log records both sides.
        """
        if source_id == target_id:
            raise ServiceError("a question cannot be merged into itself")
        with self._write() as repo:
            source = self._group(repo, source_id)
            target = self._group(repo, target_id)
            self._check_version(repo, source, expected_version)
            moved = [m.id for m in repo.members(source.id)]
            before = {"source": {"state": source.state, "position": source.position}}
            if source.state == S.LIVE.value:
                self._leave_live(repo, source)
                source.position = before["source"]["position"]
            for member in repo.members(source.id):
                member.group_id = target.id
            source.merged_into_id = target.id
            source.updated_at = target.updated_at = self.clock()
            self._log(
                repo,
                "merge",
                target.id,
                summary or f"merged #{source.id} into #{target.id}",
                before,
                {"source": source.id, "target": target.id, "moved": moved},
            )
            return repo.to_group(target)

    def merge_message(self, message_id: int, target_id: int) -> Group:
        """Move a single wording into another group (its old group keeps the rest)."""
        with self._write() as repo:
            message = repo.message(message_id)
            if message.group_id is None:
                raise ServiceError(f"message #{message_id} is not a question")
            source = self._group(repo, message.group_id)
            target = self._group(repo, target_id)
            if source.id == target.id:
                raise ServiceError("the wording already belongs to that question")
            message.group_id = target.id
            repo.s.flush()
            emptied = not repo.members(source.id)
            before = {"source": {"state": source.state, "position": source.position}}
            if emptied:
                if source.state == S.LIVE.value:
                    self._leave_live(repo, source)
                    source.position = before["source"]["position"]
                source.merged_into_id = target.id
            self._log(
                repo,
                "merge",
                target.id,
                f"merged wording {message_id} into #{target.id}",
                before,
                {"source": source.id, "target": target.id, "moved": [message_id]},
            )
            return repo.to_group(target)

    def split(self, message_id: int) -> Group:
        """Take one wording out of its group: back to the group it came from, or a new one."""
        with self._write() as repo:
            message = repo.message(message_id)
            if message.group_id is None:
                raise ServiceError(f"message #{message_id} is not in a question group")
            group = self._group(repo, message.group_id)
            others = [m for m in repo.members(group.id) if m.id != message.id]
            if not others:
                raise ServiceError(f"#{group.id} has only this wording; nothing to split")
            destination = self._split_destination(repo, message, group)
            message.group_id = destination.id
            if (
                group.title == _title_of(message.text)
                and not group.title_edited
                and not any(_title_of(o.text) == group.title for o in others)
            ):
                group.title = _title_of(others[0].text)
            group.updated_at = self.clock()
            self._log(
                repo,
                "split",
                group.id,
                f"split wording {message.id} off #{group.id} into #{destination.id}",
                {"group": group.id},
                {"group": destination.id, "message": message.id},
            )
            repo.s.flush()
            return repo.to_group(destination)

    def _split_destination(
        self, repo: Repository, message: MessageRow, group: GroupRow
    ) -> GroupRow:
        origin_id = message.origin_group_id
        if origin_id is not None and origin_id != group.id:
            origin = repo.group(origin_id)
            if origin.merged_into_id is not None:
                self._revive(repo, origin)
            return origin
        fresh = self._create_group(
            repo,
            message.text,
            project_key=group.project_key,
            project_confirmed=group.project_confirmed,
        )
        message.origin_group_id = fresh.id
        return fresh

    def _revive(self, repo: Repository, origin: GroupRow) -> None:
        origin.merged_into_id = None
        state = S(origin.state)
        if state == S.ON_AIR and repo.on_air(self.event_id):
            state = S.LIVE
            origin.state = S.LIVE.value
            origin.position = None
        if state == S.LIVE:
            live = repo.live_order(self.event_id)
            slot = origin.position or len(live) + 1
            slot = max(1, min(slot, len(live) + 1))
            repo.shift_live_positions(self.event_id, slot, 1)
            origin.position = slot
        origin.updated_at = self.clock()

    # ------------------------------------------------------------------ text and answers
    def set_title(
        self,
        group_id: int,
        *,
        text: str | None = None,
        from_message: int | None = None,
        expected_version: int | None = None,
    ) -> Group:
        """Choose the representative wording among members, or edit it (originals stay)."""
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            before = {"title": row.title, "title_edited": row.title_edited}
            if from_message is not None:
                member = repo.message(from_message)
                if member.group_id != row.id:
                    raise ServiceError(f"wording {from_message} is not part of #{row.id}")
                row.title, row.title_edited = _title_of(member.text), False
            elif text is not None and text.strip():
                row.title, row.title_edited = text.strip(), True
            else:
                raise ServiceError("the wording of a question cannot be empty")
            row.updated_at = self.clock()
            self._log(
                repo,
                "title",
                row.id,
                f"changed the wording of #{row.id}",
                before,
                {"title": row.title, "title_edited": row.title_edited},
            )
            return repo.to_group(row)

    def set_answer(
        self,
        group_id: int,
        answer: str,
        *,
        expected_version: int | None = None,
        mark_answered: bool = False,
    ) -> Group:
        with self._write() as repo:
            row = self._group(repo, group_id)
            self._check_version(repo, row, expected_version)
            before = {"answer": row.answer, "state": row.state, "position": row.position}
            row.answer = answer
            if mark_answered and answer.strip():
                self._move(repo, row, S.ANSWERED_WRITING)
            row.updated_at = self.clock()
            self._log(
                repo,
                "answer",
                row.id,
                f"wrote the answer of #{row.id}",
                before,
                {"answer": answer, "state": row.state, "position": row.position},
            )
            return repo.to_group(row)

    def import_answers(self, answers: dict[int, str]) -> tuple[list[int], list[int]]:
        """Store written answers by group id; returns (updated ids, unknown ids)."""
        updated, unknown = [], []
        with self._write() as repo:
            for group_id, answer in answers.items():
                try:
                    row = repo.group(group_id)
                except LookupError:
                    unknown.append(group_id)
                    continue
                if row.event_id != self.event_id or row.merged_into_id is not None:
                    unknown.append(group_id)
                    continue
                if row.answer == answer:
                    continue
                before = {"answer": row.answer, "state": row.state, "position": row.position}
                row.answer = answer
                row.updated_at = self.clock()
                self._log(
                    repo,
                    "answer",
                    row.id,
                    f"imported the answer of #{row.id}",
                    before,
                    {"answer": answer, "state": row.state, "position": row.position},
                )
                updated.append(group_id)
        return updated, unknown

    def set_kind(self, message_id: int, kind: Kind) -> Message:
        """Override the question / chatter / vote judgement of a message."""
        with self._write() as repo:
            row = repo.message(message_id)
            if row.event_id != self.event_id:
                raise NotFoundError(f"no message #{message_id} in this event")
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
            repo.s.flush()
            if old_group is not None and row.group_id != old_group and not repo.members(old_group):
                # An emptied group leaves the queues, so positions stay contiguous and
                # nothing invisible is on air; undo puts it back.
                emptied = repo.group(old_group)
                if S(emptied.state) in (S.LIVE, S.ON_AIR):
                    self._force_state(repo, emptied, S.NEW, None)
            self._log(
                repo,
                "kind",
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
            repo.s.flush()
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

    # ------------------------------------------------------------------ undo
    def undo(self) -> Action | None:
        """Revert this moderator's last action that is not undone yet; None if there is none."""
        with self._write() as repo:
            action = repo.last_undoable(self.event_id, self.moderator, UNDOABLE)
            if action is None:
                return None
            before, after = dict(action.before), dict(action.after)
            verb = action.verb
            summary = f"undid: {action.summary}"
            if verb == "tag":
                row = self._group(repo, action.group_id)
                row.project_key = before["project_key"]
                row.project_confirmed = before["project_confirmed"]
            elif verb in ("move", "answer"):
                row = self._group(repo, action.group_id)
                if verb == "answer":
                    row.answer = before["answer"]
                prev = after.get("previous_on_air")
                if prev is not None and S(row.state) == S.ON_AIR:
                    other = repo.group(prev)
                    if other.state == S.ANSWERED_LIVE.value:
                        row.state = S.NEW.value
                        other.state = S.ON_AIR.value
                self._force_state(repo, row, S(before["state"]), before["position"])
            elif verb == "reorder":
                live = repo.live_order(self.event_id)
                if sorted(g.id for g in live) != sorted(before["order"]):
                    raise ConflictError("the live queue changed since; reorder it by hand")
                self._apply_order(live, before["order"])
            elif verb == "merge":
                source = repo.group(after["source"])
                for mid in after["moved"]:
                    member = repo.message(mid)
                    if member.group_id != after["target"]:
                        raise ConflictError(f"wording {mid} has moved since; undo refused")
                    member.group_id = source.id
                if source.merged_into_id is not None:
                    source.merged_into_id = None
                    if source.state == S.LIVE.value:
                        live = repo.live_order(self.event_id)
                        slot = max(1, min(source.position or len(live) + 1, len(live) + 1))
                        source.position = None
                        repo.s.flush()
                        repo.shift_live_positions(self.event_id, slot, 1)
                        source.position = slot
            elif verb == "split":
                message = repo.message(after["message"])
                back = repo.group(before["group"])
                if back.merged_into_id is not None:
                    raise ConflictError(f"#{back.id} has been merged since; undo refused")
                left = message.group_id
                message.group_id = back.id
                repo.s.flush()
                if left is not None and left != back.id and not repo.members(left):
                    emptied = repo.group(left)
                    if emptied.state == S.LIVE.value:
                        pos = emptied.position
                        self._leave_live(repo, emptied)
                        emptied.position = pos
                    emptied.merged_into_id = back.id
            elif verb == "title":
                row = self._group(repo, action.group_id)
                row.title, row.title_edited = before["title"], before["title_edited"]
            elif verb == "kind":
                row = repo.message(after["message"])
                old_group = row.group_id
                self._apply_kind(
                    repo, row, Kind(before["kind"]), before["group_id"], before["vote_for_id"]
                )
                row.kind_overridden = before["kind_overridden"]
                repo.s.flush()
                if before["group_id"] is not None and "group_state" in before:
                    group = repo.group(before["group_id"])
                    self._force_state(
                        repo, group, S(before["group_state"]), before["group_position"]
                    )
                del old_group
            elif verb == "manual":
                row = self._group(repo, after["group"])
                if S(row.state) == S.LIVE:
                    self._leave_live(repo, row)
                row.state = S.DISMISSED.value
                row.position = None
            action.undone = True
            self._log(repo, "undo", action.group_id, summary, after, before, undo_of=action.id)
            return to_action(action)

    def _force_state(
        self, repo: Repository, row: GroupRow, state: QueueState, position: int | None
    ) -> None:
        """Put a group back where an undone action found it (undo may go against the rules)."""
        if S(row.state) == state and (state != S.LIVE or row.position == position):
            return
        if state == S.ON_AIR and any(g.id != row.id for g in repo.on_air(self.event_id)):
            raise ConflictError("another question is on air now; undo refused")
        if S(row.state) == S.LIVE:
            self._leave_live(repo, row)
        row.position = None
        if state == S.LIVE:
            live = [g for g in repo.live_order(self.event_id) if g.id != row.id]
            slot = max(1, min(position or len(live) + 1, len(live) + 1))
            repo.s.flush()
            repo.shift_live_positions(self.event_id, slot, 1)
            row.position = slot
        row.state = state.value
        row.updated_at = self.clock()

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
        summary = ImportSummary(source=source, skipped=[str(p) for p in problems])
        batch = list(incoming)
        with self._write() as repo:
            if batch:
                self._import_batch(repo, batch, summary)
                if summary.new:
                    self._log(
                        repo,
                        "import",
                        None,
                        f"imported {summary.new} messages from {source}",
                        {},
                        {"source": source, "new": summary.new, "groups": summary.group_ids},
                    )
            repo.set_source_state(self.event_id, source, state)
        return summary

    def purge_personal_data(self) -> int:
        with self._write() as repo:
            count = repo.purge_personal_data(self.event_id)
            self._log(
                repo,
                "purge",
                None,
                f"removed names and addresses from {count} messages",
                {},
                {"messages": count},
            )
            return count


def _title_of(text: str) -> str:
    """The representative wording of a new group: the message text, trimmed."""
    return " ".join(text.split())[:2000]
