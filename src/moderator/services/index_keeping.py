"""The event's duplicate index and sentence encoder, as the services keep them: the
encoder loaded on first use, the index filled aside at start-up (`warm_up`) and brought up
to date with what anyone stored before it is used. A base of `ServiceBase`."""

from __future__ import annotations

import hashlib
import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from moderator.domain.duplicate_index import DuplicateIndex
from moderator.domain.fusion import fusion_model_for
from moderator.domain.tagging import Tagger
from moderator.domain.vectors import Embedder, from_bytes, to_bytes
from moderator.storage.db import Database, DatabaseUnavailable
from moderator.storage.repository import Repository

# The duplicate index holds the event's newest questions up to this many (about 1.2 kB
# each): a chat of a million messages stays in bounded memory; older questions are no
# longer suggested as duplicates of new ones.
INDEX_MAX_QUESTIONS = 150_000


class IndexKeeping:
    """The index, its lock and the encoder; `ServiceBase.__init__` sets them up."""

    event_id: int
    _index: DuplicateIndex
    _indexed_upto: int
    _index_ready: bool
    _warming: bool
    _warm_stop: threading.Event
    _lock: threading.RLock
    _tagger: Tagger
    _embedder: Embedder | None
    _embedder_tried: bool
    _embedder_provider: Any
    _embedder_lock: threading.Lock
    db: Database

    if TYPE_CHECKING:

        def _reading(self) -> AbstractContextManager[Any]: ...

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
            self._text_vectors(embedder, [Tagger.project_text(p) for p in self._tagger.projects])
        )

    def _text_vectors(self, embedder: Embedder, texts: list[str]) -> list[Any]:
        """The vectors of `texts` as stored in the database (the projects' texts are long:
        encoding them took seconds in every new process); those not stored yet are encoded
        and stored. Every process uses the stored (float16) vectors, so all tag alike."""
        keys = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts]
        model = embedder.model_id
        try:
            with self.db.reading() as session:
                stored = Repository(session).text_vectors(model, set(keys))
        except DatabaseUnavailable:
            stored = {}
        missing = [i for i, key in enumerate(keys) if key not in stored]
        if missing:
            fresh = embedder.encode([texts[i] for i in missing])
            new = {keys[i]: to_bytes(v) for i, v in zip(missing, fresh, strict=True)}
            stored.update(new)
            try:
                with self.db.writing() as session:
                    Repository(session).store_text_vectors(model, new)
            except DatabaseUnavailable:
                pass  # encoded again next time
        return [from_bytes(stored[key]) for key in keys]

    @property
    def model_id(self) -> str | None:
        """The loaded sentence encoder's model id (None before loading or without one)."""
        return self._embedder.model_id if self._embedder is not None else None

    def _new_index(self) -> DuplicateIndex:
        return DuplicateIndex(fusion=fusion_model_for(self.model_id), max_items=INDEX_MAX_QUESTIONS)

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

    def _catch_up_index(self) -> None:
        """Index what others stored since the last look, before taking the write lock: the
        sync under the lock then only sees the few questions stored in between (the first
        import of a session would otherwise hold every writer up while it reads them all)."""
        with self._lock, self._reading() as session:
            self._sync_index(Repository(session))

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
