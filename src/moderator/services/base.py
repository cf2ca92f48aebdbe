"""Shared machinery of the event services: transactions, the write lock, version checks
and the action log (the duplicate index and the encoder in `index_keeping`). The use
cases live in the mixins beside it."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from moderator.config import DEFAULT_TIMEZONE, MatchingSettings
from moderator.domain.actions import Verb
from moderator.domain.agenda import Slot
from moderator.domain.dividing import DividePlan
from moderator.domain.duplicate_index import DuplicateIndex
from moderator.domain.fit import MODERATOR_MAX, fit_label
from moderator.domain.models import (
    Event,
    Kind,
    Project,
    QueueState,
    WriteResult,
)
from moderator.domain.queues import Placed, Plan, RowChange, leave_live, project_to_confirm
from moderator.domain.tagging import Tagger, TagSuggestion
from moderator.domain.vectors import Embedder, unit_rows
from moderator.services.errors import (
    ConflictError,
    ConnectionLostError,
    NotFoundError,
    ServiceError,
)
from moderator.services.index_keeping import INDEX_MAX_QUESTIONS, IndexKeeping
from moderator.storage.db import ConcurrentChange, Database, DatabaseUnavailable
from moderator.storage.notify import ChangeListener
from moderator.storage.repository import (
    GroupRow,
    MessageRow,
    Repository,
    to_event,
)

Clock = Callable[[], datetime]


def in_zone(at: datetime | None, zone: ZoneInfo) -> datetime | None:
    """`at` with `zone` attached when it carries no zone of its own (a chat's "18:01")."""
    return at.replace(tzinfo=zone) if at is not None and at.tzinfo is None else at


#: Gives the sentence encoder when first needed (None: the lexical scorer alone).
EmbedderProvider = Callable[[], Embedder | None]
MAX_TEXT = 200_000  # characters kept in `text`; the full original is always stored
S = QueueState
IMPORT, QUEUE = "import", "queue"  # the event's write locks (`Repository.lock_scope`)
# Planner statistics (PostgreSQL) are checked after imports: at once after a batch this
# large, else at most this often while questions keep arriving.
STATISTICS_BATCH = 500
STATISTICS_EVERY = 10.0  # seconds


class Learned(NamedTuple):
    """A confirmed tag for the tagger to learn from: the members' text, the project, the
    member message ids (for their meaning vectors)."""

    text: str
    key: str
    members: tuple[int, ...]


def utcnow() -> datetime:
    return datetime.now(UTC)


def title_of(text: str) -> str:
    """The representative wording of a new group: the message text, trimmed."""
    return " ".join(text.split())[:2000]


class ServiceBase(IndexKeeping):
    """State and helpers every use case needs. Thread-safe: the UI calls from workers."""

    def __init__(
        self,
        db: Database,
        event_id: int,
        *,
        moderator: str,
        clock: Clock = utcnow,
        matching: MatchingSettings | None = None,
        hosts: Sequence[str] = (),
        agenda: Sequence[Slot] = (),
        embedder: EmbedderProvider | None = None,
        language: str = "de",
        timezone: str = DEFAULT_TIMEZONE,
    ) -> None:
        self.db = db
        self.language = language
        #: The event's time zone: chat times without a zone are taken in it.
        self.timezone = ZoneInfo(timezone)
        self.event_id = event_id
        # The name goes into every action-log row: cut to its column (`domain.fit`).
        self.moderator = fit_label(moderator, MODERATOR_MAX) or "?"
        self.clock = clock
        self.matching = matching or MatchingSettings()
        self.hosts = tuple(hosts)
        self.agenda = tuple(agenda)  # when each project is presented (proposed, not forced)
        with db.reading() as session:
            repo = Repository(session)
            self.event: Event = to_event(repo.event(event_id))
            self.projects: tuple[Project, ...] = tuple(repo.projects(event_id))
        self._tagger = Tagger(self.projects)
        self._index = DuplicateIndex(max_items=INDEX_MAX_QUESTIONS)
        self._indexed_upto = 0
        self._lock = threading.RLock()
        self._index_ready = False
        self._warming = False  # `warm_up` is building the index aside (or will soon)
        self._warm_stop = threading.Event()
        self._listener: ChangeListener | None = None
        self._listener_lock = threading.Lock()
        self._imported_unchecked = 0
        self._statistics_checked = time.monotonic()
        self._embedder_provider = embedder
        self._embedder: Embedder | None = None
        self._embedder_tried = embedder is None
        self._embedder_lock = threading.Lock()

    if TYPE_CHECKING:  # helpers one mixin defines and another uses (see EventService)

        def _create_group(self, repo: Repository, text: str, **kw: Any) -> GroupRow: ...
        def _group_values(
            self,
            text: str,
            tag: TagSuggestion,
            now: datetime,
            *,
            project_key: str | None = None,
            project_confirmed: bool = False,
        ) -> dict[str, Any]: ...
        def _divide_rows(
            self,
            repo: Repository,
            message: MessageRow,
            plan: DividePlan,
            pending_log: list[Any] | None = None,
        ) -> list[int]: ...
        def _log_divides(self, repo: Repository, entries: Sequence[Any]) -> None: ...
        def _join_parts(
            self, repo: Repository, before: dict[str, Any], after: dict[str, Any]
        ) -> list[int]: ...
        def _after_join(self, message_id: int, text: str, parts: Sequence[int]) -> None: ...
        def _apply_kind(
            self,
            repo: Repository,
            row: MessageRow,
            kind: Kind,
            group_id: int | None = None,
            vote_for_id: int | None = None,
        ) -> None: ...
        def _force_state(
            self, repo: Repository, row: GroupRow, state: QueueState, position: int | None
        ) -> None: ...
        @staticmethod
        def _apply_order(live: list[GroupRow], order: list[int]) -> None: ...

    # ------------------------------------------------------------------ infrastructure
    @contextmanager
    def _write(self, *scopes: str, index: bool | None = None) -> Iterator[Repository]:
        """One write transaction under the event's `queue` lock (moderators' decisions) or
        the locks named, in the order given (`import`, then `queue`, where both are needed).
        The change counter and the action log are written last (`finish_write`).

        `index`: the transaction adds to the duplicate index (imports do). Only then does it
        hold the index's lock, so a moderator's tag or move never waits for a detail view
        scoring suggestions; if it fails, the index forgets what it may have added.
        """
        scopes = scopes or (QUEUE,)
        index = IMPORT in scopes if index is None else index
        with self._lock if index else contextlib.nullcontext():
            indexed = (len(self._index), self._indexed_upto)  # (a full index keeps its size)
            try:
                with self.db.writing() as session:
                    repo = Repository(session)
                    for scope in scopes:
                        repo.lock_scope(self.event_id, scope)
                    yield repo
                    repo.finish_write(self.event_id)
            except BaseException as exc:
                unsure = isinstance(exc, DatabaseUnavailable)  # may have failed at COMMIT
                if index and (unsure or (len(self._index), self._indexed_upto) != indexed):
                    self._index, self._indexed_upto = self._new_index(), 0
                    self._index_ready = False
                if isinstance(exc, DatabaseUnavailable):
                    raise ConnectionLostError(str(exc), committed=exc.committed, said=exc) from exc
                if isinstance(exc, ConcurrentChange):
                    raise ConflictError(key="changed_meanwhile") from exc
                raise

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """A read session; a lost connection becomes `ConnectionLostError`."""
        try:
            with self.db.reading() as session:
                yield session
        except DatabaseUnavailable as exc:
            raise ConnectionLostError(str(exc), said=exc) from exc

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to `timeout` seconds until anyone changed the event; True if so, or if
        the database cannot be reached (so the caller reads, and reports it).

        PostgreSQL LISTEN/NOTIFY where available, a poll of the change counter on SQLite or
        while the listening connection is down (it reconnects by itself).
        """
        with self._listener_lock:
            if self._listener is not None and self._listener.db is not self.db:
                self._listener.close()  # the service was pointed at another database
                self._listener = None
            if self._listener is None:
                self._listener = ChangeListener(self.db, self.event_id)
            listener = self._listener
        changed = listener.wait(timeout)
        # While the listener cannot reach the database, say "look": the caller's read then
        # reports the trouble (and notices when it is over).
        return changed or not listener.connected

    @property
    def change_mode(self) -> str | None:
        """How changes by others are noticed: "notify", "poll", or None before the first wait."""
        listener = self._listener
        return listener.mode if listener is not None else None

    def close(self) -> None:
        """Release the change listener's connection (the engine stays with the caller)."""
        with self._listener_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    def health(self) -> bool:
        """True when the database answers now (the engine reconnects by itself)."""
        return self.db.ping()

    def _imported(self, count: int, *, whole: int = 0) -> None:
        """Keep the planner's statistics fresh while the event grows (after the commit).
        `whole`: an import in batches ends, having written this many rows in all: the
        statistics are checked against that count (as for one big transaction)."""
        self._imported_unchecked += count
        if not self._imported_unchecked and not whole:
            return
        now = time.monotonic()
        if (
            whole
            or self._imported_unchecked >= STATISTICS_BATCH
            or now - self._statistics_checked >= STATISTICS_EVERY
        ):
            changed, self._imported_unchecked = max(whole, self._imported_unchecked), 0
            self._statistics_checked = now
            self.db.refresh_statistics(changed)

    def _group(self, repo: Repository, group_id: int) -> GroupRow:
        try:
            row = repo.group(group_id)
        except LookupError as exc:
            raise NotFoundError(str(exc)) from None
        if row.event_id != self.event_id:
            raise NotFoundError(key="no_question", id=group_id)
        if row.merged_into_id is not None:
            raise ConflictError(key="merged_into", id=group_id, target=row.merged_into_id)
        return row

    def _check_version(self, repo: Repository, row: GroupRow, expected: int | None) -> None:
        if expected is None or expected == row.version:
            return
        last = repo.actions(self.event_id, group_id=row.id, limit=1, newest_first=True)
        if last:
            raise ConflictError(key="changed_by", id=row.id, what=last[0])
        raise ConflictError(key="changed_by_other", id=row.id)

    def _apply(self, repo: Repository, plan: Plan) -> None:
        """Apply a plan's row changes to the database rows, in order. A question whose
        state changes is marked updated; the live queue shifts in one statement."""
        for step in plan.steps:
            if isinstance(step, RowChange):
                row = repo.group(step.group_id)
                for name, value in step.values.items():
                    setattr(row, name, value.value if isinstance(value, QueueState) else value)
                if "state" in step.values:
                    row.updated_at = self.clock()
            else:
                repo.flush()
                repo.shift_live_positions(self.event_id, step.start, step.delta)

    def _leave_live(self, repo: Repository, row: Placed) -> None:
        """Take a live question out of the queue; the questions behind it close up."""
        self._apply(repo, Plan(row.id, tuple(leave_live(row))))

    @staticmethod
    def _result(repo: Repository, row: GroupRow, touched: Sequence[int] = ()) -> WriteResult:
        """The write's result: the row is flushed first, so its version is the stored one."""
        repo.flush()
        ids = tuple(dict.fromkeys([row.id, *touched]))
        return WriteResult(row.id, row.version, QueueState(row.state), ids)

    def _set_project(
        self, repo: Repository, row: GroupRow, project_key: str | None = None
    ) -> Learned:
        """Tag a group (with `project_key`, else its project or suggestion, else the general
        project), confirm it and log "tag". Returns what the tagger learns from once the
        transaction has committed (`_learn`)."""
        key = project_to_confirm(row, project_key, self.general_key)
        project = self.project(key)
        if project is None:
            raise ServiceError(key="unknown_project", project=repr(key))
        before = {"project_key": row.project_key, "project_confirmed": row.project_confirmed}
        row.project_key = key
        row.project_confirmed = True
        row.updated_at = self.clock()
        self._log(
            repo,
            Verb.TAG,
            row.id,
            f"tagged #{row.id} {project.name}",
            before,
            {"project_key": key, "project_confirmed": True},
        )
        members = repo.members(row.id)
        return Learned(" ".join(m.text for m in members), key, tuple(m.id for m in members))

    def _learn(self, learned: Learned) -> None:
        """The tagger learns a confirmed tag: the members' words, and their meaning (the mean
        of their vectors) where the meaning pass has encoded them."""
        # Without the index's lock: a moderator's tag never waits for a detail view scoring
        # suggestions. Reading a stored vector while another thread adds one is safe (rows
        # are written before they are published in the id map).
        index = self._index
        found = [v for v in map(index.vector, learned.members) if v is not None]
        vector = unit_rows(np.mean(found, axis=0))[0] if found else None
        self._tagger.learn(learned.text, learned.key, vector)

    def _log(
        self,
        repo: Repository,
        verb: Verb,
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
            verb=str(verb),
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
