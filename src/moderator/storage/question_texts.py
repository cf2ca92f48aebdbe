"""The questions the duplicate index and the meaning pass work on, and their stored
meaning vectors. A mixin of `Repository`, on its Session."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from moderator.domain.models import Kind
from moderator.storage.rows import MessageRow, QuestionVectorRow, TextVectorRow


class QuestionTexts:
    """Question texts by id range, vectors by model (of questions and of other texts)."""

    s: Session

    @staticmethod
    def _grouped_questions(event_id: int) -> tuple[Any, ...]:
        """The conditions of the questions the duplicate index holds: grouped questions."""
        return (
            MessageRow.event_id == event_id,
            MessageRow.kind == Kind.QUESTION.value,
            MessageRow.group_id.is_not(None),
        )

    def question_texts(
        self, event_id: int, after_id: int = 0, *, newest: int | None = None
    ) -> list[tuple[int, int, str]]:
        """(message id, group id, text) of every grouped question after `after_id`, in id
        order, for the duplicate index; with `newest`, only the newest that many."""
        query = select(MessageRow.id, MessageRow.group_id, MessageRow.text).where(
            *self._grouped_questions(event_id), MessageRow.id > after_id
        )
        if newest is not None:
            rows = self.s.execute(query.order_by(MessageRow.id.desc()).limit(newest)).all()
            return [(m, g, t) for m, g, t in reversed(rows)]
        return [(m, g, t) for m, g, t in self.s.execute(query.order_by(MessageRow.id))]

    def question_texts_and_vectors(
        self, event_id: int, model_id: str, after_id: int = 0, *, newest: int | None = None
    ) -> list[tuple[int, int, str, bytes | None]]:
        """(message id, group id, text, stored vector of `model_id` or None) of every grouped
        question after `after_id`, in id order, for the duplicate index; with `newest`,
        only the newest that many."""
        query = (
            select(MessageRow.id, MessageRow.group_id, MessageRow.text, QuestionVectorRow.vector)
            .outerjoin(
                QuestionVectorRow,
                (QuestionVectorRow.message_id == MessageRow.id)
                & (QuestionVectorRow.model_id == model_id),
            )
            .where(*self._grouped_questions(event_id), MessageRow.id > after_id)
        )
        if newest is not None:
            rows = self.s.execute(query.order_by(MessageRow.id.desc()).limit(newest)).all()
            return [(m, g, t, v) for m, g, t, v in reversed(rows)]
        return [(m, g, t, v) for m, g, t, v in self.s.execute(query.order_by(MessageRow.id))]

    def questions_without_vector(
        self, event_id: int, model_id: str, limit: int
    ) -> list[tuple[int, str]]:
        """(message id, text) of the first `limit` grouped questions, oldest first, that have
        no vector of `model_id` yet."""
        has_vector = select(QuestionVectorRow.message_id).where(
            QuestionVectorRow.message_id == MessageRow.id,
            QuestionVectorRow.model_id == model_id,
        )
        query = (
            select(MessageRow.id, MessageRow.text)
            .where(*self._grouped_questions(event_id), ~has_vector.exists())
            .order_by(MessageRow.id)
            .limit(limit)
        )
        return [(m, t) for m, t in self.s.execute(query)]

    def unmatched_questions(self, event_id: int) -> list[tuple[int, str]]:
        """(message id, text) of the grouped questions, oldest first, not yet compared with
        the questions before them (`matched`)."""
        query = (
            select(MessageRow.id, MessageRow.text)
            .where(*self._grouped_questions(event_id), ~MessageRow.matched)
            .order_by(MessageRow.id)
        )
        return [(m, t) for m, t in self.s.execute(query)]

    def still_unmatched(self, message_ids: list[int]) -> set[int]:
        """Those of `message_ids` not compared yet (read under the import lock: another
        process may have compared them since they were read)."""
        if not message_ids:
            return set()
        query = select(MessageRow.id).where(
            MessageRow.id.in_(message_ids), ~MessageRow.matched
        )
        return set(self.s.scalars(query))

    def mark_matched(self, message_ids: list[int]) -> None:
        if message_ids:
            self.s.execute(
                update(MessageRow).where(MessageRow.id.in_(message_ids)).values(matched=True)
            )

    def count_without_vector(self, event_id: int, model_id: str) -> int:
        """How many grouped questions of the event have no vector of `model_id` yet."""
        has_vector = select(QuestionVectorRow.message_id).where(
            QuestionVectorRow.message_id == MessageRow.id,
            QuestionVectorRow.model_id == model_id,
        )
        return (
            self.s.scalar(
                select(func.count(MessageRow.id)).where(
                    *self._grouped_questions(event_id), ~has_vector.exists()
                )
            )
            or 0
        )

    def store_vectors(self, event_id: int, model_id: str, rows: list[tuple[int, bytes]]) -> None:
        """Store question vectors of `model_id` (replacing earlier ones of that model)."""
        if not rows:
            return
        self.s.execute(
            delete(QuestionVectorRow).where(
                QuestionVectorRow.model_id == model_id,
                QuestionVectorRow.message_id.in_([m for m, _ in rows]),
            )
        )
        self.s.connection().execute(
            insert(QuestionVectorRow.__table__),
            [
                {"message_id": m, "model_id": model_id, "event_id": event_id, "vector": v}
                for m, v in rows
            ],
        )

    def drop_vectors(self, event_id: int, *, keep_model: str | None = None) -> int:
        """Delete the event's question vectors (but those of `keep_model`); how many."""
        query = delete(QuestionVectorRow).where(QuestionVectorRow.event_id == event_id)
        if keep_model is not None:
            query = query.where(QuestionVectorRow.model_id != keep_model)
        return self.s.execute(query).rowcount or 0

    def forget_vectors(self, message_ids: Collection[int]) -> None:
        """Delete the vectors of these messages (their text changed: the meaning pass
        encodes them again)."""
        ids = list(message_ids)
        if ids:
            self.s.execute(delete(QuestionVectorRow).where(QuestionVectorRow.message_id.in_(ids)))

    def text_vectors(self, model_id: str, hashes: Collection[str]) -> dict[str, bytes]:
        """The stored vectors of `model_id` of the texts with these SHA-256 hashes."""
        if not hashes:
            return {}
        query = select(TextVectorRow.text_hash, TextVectorRow.vector).where(
            TextVectorRow.model_id == model_id, TextVectorRow.text_hash.in_(list(hashes))
        )
        return {h: v for h, v in self.s.execute(query)}

    def store_text_vectors(self, model_id: str, rows: dict[str, bytes]) -> None:
        """Store text vectors of `model_id` by text hash; one stored meanwhile by another
        process (the same text, so the same vector) is kept."""
        if not rows:
            return
        dialect = self.s.connection().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
        self.s.execute(
            upsert(TextVectorRow)
            .values([{"model_id": model_id, "text_hash": h, "vector": v} for h, v in rows.items()])
            .on_conflict_do_nothing()
        )
