"""Shared machinery of the event services: transactions, the write lock, the duplicate
index, version checks and the action log. The use cases live in the mixins beside it."""

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
from moderator.domain.fit import MODERATOR_MAX, fit_label
from moderator.domain.fusion import fusion_model_for
from moderator.domain.models import (
    Event,
    Kind,
    Project,
    QueueState,
    WriteResult,
)
from moderator.domain.queues import Placed, Plan, RowChange, leave_live, project_to_confirm
from moderator.domain.similarity import DuplicateIndex
from moderator.domain.tagging import Tagger, TagSuggestion
from moderator.domain.vectors import Embedder, from_bytes, unit_rows
from moderator.services.errors import (
    ConflictError,
    ConnectionLostError,
    NotFoundError,
    ServiceError,
)
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
CHANGED_MEANWHILE = "a question was changed by someone else meanwhile; nothing done, look again"
IMPORT, QUEUE = "import", "queue"  # the event's write locks (`Repository.lock_scope`)
# Planner statistics (PostgreSQL) are checked after imports: at once after a batch this
# large, else at most this often while questions keep arriving.
STATISTICS_BATCH = 500
STATISTICS_EVERY = 10.0  # seconds
# The duplicate index holds the event's newest questions up to this many (about 1.2 kB
# each): a chat of a million messages stays in bounded memory; older questions are no
# longer suggested as duplicates of new ones.
INDEX_MAX_QUESTIONS = 150_000


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


class ServiceBase:
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

    # ------------------------------------------------------------------ meaning
    def embedder(self) -> Embedder | None:
        """The sentence encoder, loaded on first use (never call this on the UI thread: the
        first call loads the model). None where there is none: the lexical scorer works on."""
        if self._embedder_tried:
            return self._embedder
        with self._embedder_lock:
            if not self._embedder_tried:
                assert self._embedder_provider is not None
                embedder = self._embedder_provider()
                with self._lock:
                    self._embedder = embedder
                    self._embedder_tried = True
                    if embedder is not None and len(self._index) == 0:
                        self._index = self._new_index()
                    elif embedder is not None:
                        # built before the encoder was known: rebuilt with its vectors
                        self._index, self._indexed_upto = self._new_index(), 0
                        self._index_ready = False
        return self._embedder

    def _tagger_meaning(self) -> None:
        """Give the tagger the projects' meaning vectors (once; a few encodings, so not at
        start-up but before the first meaning pass tags anything)."""
        embedder = self.embedder()
        if embedder is None or self._tagger.has_meaning:
            return
        self._tagger.set_meaning(
            embedder.encode([Tagger.project_text(p) for p in self._tagger.projects])
        )

    @property
    def model_id(self) -> str | None:
        """The loaded sentence encoder's model id (None before loading or without one)."""
        return self._embedder.model_id if self._embedder is not None else None

    def _new_index(self) -> DuplicateIndex:
        return DuplicateIndex(fusion=fusion_model_for(self.model_id), max_items=INDEX_MAX_QUESTIONS)

    if TYPE_CHECKING:  # helpers one mixin defines and another uses (see EventService)

        def _create_group(self, repo: Repository, text: str, **kw: Any) -> GroupRow: ...
        def _group_values(
            self, text: str, tag: TagSuggestion, now: datetime, **kw: Any
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
                    raise ConnectionLostError(str(exc), committed=exc.committed) from exc
                if isinstance(exc, ConcurrentChange):
                    raise ConflictError(CHANGED_MEANWHILE) from exc
                raise

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """A read session; a lost connection becomes `ConnectionLostError`."""
        try:
            with self.db.reading() as session:
                yield session
        except DatabaseUnavailable as exc:
            raise ConnectionLostError(str(exc)) from exc

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

    def defer_index(self, defer: bool = True) -> None:
        """The caller will build the duplicate index with `warm_up` soon (the console, once
        its first screen is up): until it is built, `suggestions` gives the suggestions
        stored when the questions arrived, instead of building it in the caller's read (at
        100,000 questions that is seconds of work for a detail view). `defer=False`: it
        will not after all (the console closed before it began)."""
        self._warming = defer

    def stop_warm_up(self) -> None:
        """Abandon a `warm_up` under way (the console closes: the process need not wait for
        an index nobody will use); the index stays as it was."""
        self._warm_stop.set()

    def warm_up(self) -> None:
        """Load the event's questions into the duplicate index now (about a second at
        10,000 questions), so the first action of the session does not wait for it.

        The index is built aside and swapped in: the index's lock is held only for the
        swap, so imports and detail views go on meanwhile.
        """
        self._warm_stop.clear()
        self.embedder()
        self._warming = True
        try:
            with self._reading() as session:
                rows = self._question_rows(Repository(session), 0)
            fresh, upto = self._new_index(), 0
            for n, (message_id, _group_id, text, vector) in enumerate(rows):
                if n % 1000 == 0 and self._warm_stop.is_set():
                    return
                fresh.add(message_id, text, from_bytes(vector) if vector else None, unit=True)
                upto = max(upto, message_id)
        finally:
            self._warming = False
        with self._lock:
            if not self._index_ready or self._indexed_upto < upto:
                # Anything stored after the read (own imports included) is read by the
                # next sync: it asks for ids above `upto`.
                self._index, self._indexed_upto = fresh, upto
                self._index_ready = True

    def health(self) -> bool:
        """True when the database answers now (the engine reconnects by itself)."""
        return self.db.ping()

    def _catch_up_index(self) -> None:
        """Index what others stored since the last look, before taking the write lock: the
        sync under the lock then only sees the few questions stored in between (the first
        import of a session would otherwise hold every writer up while it reads them all)."""
        with self._lock, self._reading() as session:
            self._sync_index(Repository(session))

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

    def _question_rows(
        self, repo: Repository, after_id: int
    ) -> list[tuple[int, int, str, bytes | None]]:
        """(message id, group id, text, stored vector or None) of questions after `after_id`
        (loading from the start, only the newest `INDEX_MAX_QUESTIONS`: the index holds no
        more; a catch-up reads the few new ones in id order, which is quicker)."""
        model_id = self.model_id
        newest = INDEX_MAX_QUESTIONS if after_id == 0 else None
        if model_id is None:
            rows = repo.question_texts(self.event_id, after_id, newest=newest)
            return [(m, g, t, None) for m, g, t in rows]
        return repo.question_texts_and_vectors(self.event_id, model_id, after_id, newest=newest)

    def _sync_index(self, repo: Repository) -> None:
        """Bring the duplicate index up to date with questions stored by anyone (with their
        stored vectors; the meaning pass adds the vectors of the others when it has them)."""
        for message_id, _group_id, text, vector in self._question_rows(repo, self._indexed_upto):
            self._index.add(message_id, text, from_bytes(vector) if vector else None, unit=True)
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
            raise ServiceError(f"unknown project {key!r}")
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
