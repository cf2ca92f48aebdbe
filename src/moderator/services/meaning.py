"""The meaning pass: sentence-encoder vectors for stored questions, and the fused duplicate
suggestions they make possible.

Questions are stored and shown first, with the fast lexical suggestions of the import. The
meaning pass then encodes the questions that have no vector of the current encoder yet, in
batches (outside every lock and transaction: encoding is the slow part), stores the vectors,
and replaces each question's suggestions by the fused ones: each question against the
questions that arrived before it, as the import does. Consoles see the new suggestions
through the usual change signal. `reindex` drops the vectors of other encoders (after an
update of the model) so that the pass rebuilds them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from moderator.domain.similarity import SUGGESTIONS_KEPT, best_groups
from moderator.domain.vectors import Vector, to_bytes
from moderator.services.base import IMPORT, MAX_TEXT, ServiceBase
from moderator.storage.repository import Repository

#: Questions encoded per batch: one short transaction each, and a progress step.
MEANING_BATCH = 64

Progress = Callable[[int, int], object]  # what it returns is not used


@dataclass(slots=True)
class MeaningPass:
    """What one meaning pass did."""

    encoded: int = 0
    with_suggestion: int = 0  # of the encoded questions, those with a fused suggestion
    retagged: int = 0  # untagged questions whose suggested project changed by meaning


@dataclass(frozen=True, slots=True)
class MeaningStatus:
    """Where the meaning pass stands: `model_id` None when no encoder is available."""

    model_id: str | None
    pending: int
    reason: str = ""
    wanted: bool = True  # False: the service was opened without an encoder on purpose


class MeaningMixin(ServiceBase):
    def meaning_status(self) -> MeaningStatus:
        """The encoder in use and how many questions still wait for their vector."""
        embedder = self.embedder()
        if embedder is None:
            wanted = self._embedder_provider is not None
            return MeaningStatus(None, 0, self._embedder_unavailable_reason(), wanted)
        with self._reading() as session:
            pending = Repository(session).count_without_vector(self.event_id, embedder.model_id)
        return MeaningStatus(embedder.model_id, pending)

    def _embedder_unavailable_reason(self) -> str:
        if self._embedder_provider is None:
            return "off"
        from moderator.meaning import unavailable_reason

        return unavailable_reason() or "no sentence encoder given"

    def embed_pending(
        self, *, batch: int = MEANING_BATCH, progress: Progress | None = None
    ) -> MeaningPass:
        """Run the meaning pass until no stored question lacks a vector.
        `progress(done, total)` after each committed batch."""
        result = MeaningPass()
        embedder = self.embedder()
        if embedder is None:
            return result
        model_id = embedder.model_id
        with self._reading() as session:
            total = Repository(session).count_without_vector(self.event_id, model_id)
        if total:
            self._tagger_meaning()
        done = 0
        if progress is not None:
            progress(done, total)
        while True:
            with self._reading() as session:
                rows = Repository(session).questions_without_vector(
                    self.event_id, model_id, batch
                )
            if not rows:
                break
            vectors = embedder.encode([text[:MAX_TEXT] for _, text in rows])
            with self._lock, self._reading() as session:
                repo = Repository(session)
                self._sync_index(repo)
                for (message_id, _text), vector in zip(rows, vectors, strict=True):
                    self._index.set_vector(message_id, vector)
                tags = self._tags_by_meaning(repo, rows, vectors)
                hits = {
                    message_id: self._index.query(
                        text[:MAX_TEXT],
                        vector=vector,
                        limit=8,
                        min_score=self.matching.suggest_threshold,
                        before=message_id,
                    )
                    for (message_id, text), vector in zip(rows, vectors, strict=True)
                }
            with self._write(IMPORT, index=False) as repo:
                repo.store_vectors(
                    self.event_id,
                    model_id,
                    [(m, to_bytes(v)) for (m, _), v in zip(rows, vectors, strict=True)],
                )
                suggestions = self._suggestion_rows(repo, hits)
                repo.replace_suggestions(hits, suggestions)
                result.retagged += len(repo.resuggest_projects(tags))
            done += len(rows)
            result.encoded = done
            result.with_suggestion += len({row["message_id"] for row in suggestions})
            total = max(total, done)
            if progress is not None:
                progress(done, total)
        return result

    def _tags_by_meaning(
        self, repo: Repository, rows: list[tuple[int, str]], vectors: Sequence[Vector]
    ) -> dict[int, tuple[str, float, str | None]]:
        """The project suggestion by words and meaning of each group whose first question
        was just encoded (a group's suggestion comes from the question that opened it)."""
        origin = repo.origin_groups([message_id for message_id, _ in rows])
        result = {}
        for (message_id, text), vector in zip(rows, vectors, strict=True):
            group_id = origin.get(message_id)
            if group_id is not None:
                tag = self._tagger.suggest(text[:MAX_TEXT], vector)
                result[group_id] = (tag.project_key, tag.confidence, tag.runner_up)
        return result

    @staticmethod
    def _suggestion_rows(
        repo: Repository, hits: dict[int, list[tuple[int, float]]]
    ) -> list[dict[str, Any]]:
        """Suggestion rows (message, group, score) from message-level hits: the best score
        per other group, the best `SUGGESTIONS_KEPT` groups."""
        others = {hit for found in hits.values() for hit, _ in found} | set(hits)
        group_of = repo.group_of_messages(others) if others else {}
        rows: list[dict[str, Any]] = []
        for message_id, found in hits.items():
            ranked = best_groups(
                found, group_of.get, group_of.get(message_id), SUGGESTIONS_KEPT
            )
            rows.extend(
                {"message_id": message_id, "group_id": g, "score": float(s)} for g, s in ranked
            )
        return rows

    def _meaning_hits(self, text: str) -> list[int]:
        """Message ids of the questions that stand out by meaning for a search text."""
        embedder = self.embedder()
        if embedder is None or not text.strip():
            return []
        vector = embedder.encode([text])[0]
        with self._lock:
            return [message_id for message_id, _ in self._index.search_by_meaning(vector)]

    def reindex(self, *, progress: Progress | None = None) -> tuple[int, int]:
        """Drop the vectors of other encoders and encode what lacks one of the current
        encoder (`moderator db reindex`). Returns (vectors dropped, questions encoded)."""
        embedder = self.embedder()
        if embedder is None:
            return 0, 0
        with self._write(IMPORT, index=False) as repo:
            dropped = repo.drop_vectors(self.event_id, keep_model=embedder.model_id)
        return dropped, self.embed_pending(progress=progress).encoded
