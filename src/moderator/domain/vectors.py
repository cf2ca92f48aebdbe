"""Meaning vectors of questions: the embedder port and a nearest-neighbour index.

A sentence encoder turns a text into a unit vector; two questions that mean the same have a
high cosine even when they share no word ("Paketboxen" / "Paketstationen"). The encoders
themselves are adapters outside the domain (`moderator.meaning`); here is only what the
domain needs of one (`Embedder`) and the index that finds the nearest stored vectors
(numpy over one float32 matrix: at 100,000 questions a query is a 100,000 x 384 product,
a few milliseconds, so no approximate index is needed at the scale of a webinar).

Pure computation, no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = ["Embedder", "Vector", "VectorIndex", "from_bytes", "to_bytes", "unit_rows"]

Vector = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """A sentence encoder: texts in, unit vectors out (one row per text)."""

    @property
    def model_id(self) -> str:
        """Names the model and its version; stored vectors are keyed by it."""
        ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Vector:
        """A float32 matrix of shape (len(texts), dim) with L2-normalised rows."""
        ...


def unit_rows(matrix: npt.ArrayLike) -> Vector:
    """`matrix` as float32 with every non-zero row scaled to length 1."""
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


class VectorIndex:
    """Unit vectors keyed by int ids, queried for the nearest ones by cosine.

    Rows live in one growing float32 matrix (capacity doubles), so adding is amortised O(1)
    and a query is one matrix-vector product. Removed rows are masked, not moved. Not
    thread-safe; the caller guards it.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._matrix = np.zeros((64, dim), dtype=np.float32)
        self._ids = np.zeros(64, dtype=np.int64)
        self._alive = np.zeros(64, dtype=bool)
        self._row: dict[int, int] = {}
        self._size = 0

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._row

    def vector(self, item_id: int) -> Vector | None:
        row = self._row.get(item_id)
        return None if row is None else self._matrix[row]

    def add(self, item_id: int, vector: npt.ArrayLike, *, unit: bool = False) -> None:
        """Store `vector` (made unit length unless `unit` says it is) under `item_id`,
        replacing an earlier one."""
        v = np.asarray(vector, dtype=np.float32) if unit else unit_rows(vector)[0]
        if v.shape[0] != self.dim:
            raise ValueError(f"vector of dimension {v.shape[0]}, index holds {self.dim}")
        row = self._row.get(item_id)
        if row is not None:
            self._matrix[row] = v
            return
        if self._size == len(self._matrix):
            self._grow()
        row = self._size
        # the row is written before the id map publishes it (readers take no lock)
        self._matrix[row] = v
        self._ids[row] = item_id
        self._alive[row] = True
        self._size += 1
        self._row[item_id] = row

    def _grow(self) -> None:
        capacity = len(self._matrix) * 2
        matrix = np.zeros((capacity, self.dim), dtype=np.float32)
        matrix[: self._size] = self._matrix[: self._size]
        ids = np.zeros(capacity, dtype=np.int64)
        ids[: self._size] = self._ids[: self._size]
        alive = np.zeros(capacity, dtype=bool)
        alive[: self._size] = self._alive[: self._size]
        self._matrix, self._ids, self._alive = matrix, ids, alive

    def remove(self, item_id: int) -> None:
        """Forget `item_id`; unknown ids are ignored."""
        row = self._row.pop(item_id, None)
        if row is not None:
            self._alive[row] = False

    def nearest(
        self,
        vector: npt.ArrayLike,
        k: int,
        *,
        exclude: Collection[int] = (),
        before: int | None = None,
    ) -> list[tuple[int, float]]:
        """The `k` ids with the highest cosine to `vector`, best first, with the cosine.

        `before`: only ids below it (a question is matched against those that arrived
        before it); ids in `exclude` never come back.
        """
        n = self._size
        if not n or k <= 0:
            return []
        q = unit_rows(vector)[0]
        sims = self._matrix[:n] @ q
        mask = self._alive[:n].copy()
        if before is not None:
            mask &= self._ids[:n] < before
        for item_id in exclude:
            row = self._row.get(item_id)
            if row is not None:
                mask[row] = False
        sims = np.where(mask, sims, -np.inf)
        k = min(k, int(mask.sum()))
        if k <= 0:
            return []
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(int(self._ids[r]), float(sims[r])) for r in top]

    def search(
        self, vector: npt.ArrayLike, *, margin: float, band: float, limit: int = 50
    ) -> list[tuple[int, float]]:
        """The ids whose cosine to `vector` stands out, best first: at least `margin` above
        the median cosine of all stored vectors (what any text scores against this query)
        and within `band` of the best. For a search by meaning ("Paketboxen" finds the
        questions on "Paketstationen"): the cosines of one encoder crowd into a narrow
        range, so only a query's own standouts count."""
        n = self._size
        if not n:
            return []
        sims = self._matrix[:n] @ unit_rows(vector)[0]
        alive = self._alive[:n]
        live = sims[alive]
        if not live.size:
            return []
        floor = max(float(np.median(live)) + margin, float(live.max()) - band)
        rows = np.flatnonzero(alive & (sims >= floor))
        rows = rows[np.argsort(-sims[rows], kind="stable")][:limit]
        return [(int(self._ids[r]), float(sims[r])) for r in rows]

    def cosine(self, vector: npt.ArrayLike, item_id: int) -> float | None:
        """Cosine of `vector` with the stored vector of `item_id` (None if not stored)."""
        row = self._row.get(item_id)
        if row is None:
            return None
        return float(self._matrix[row] @ unit_rows(vector)[0])


def to_bytes(vector: npt.ArrayLike) -> bytes:
    """A unit vector as stored: float16 bytes (half the size; cosines change < 0.001)."""
    return unit_rows(vector)[0].astype(np.float16).tobytes()


def from_bytes(data: bytes) -> Vector:
    """A stored vector back as float32."""
    return np.frombuffer(data, dtype=np.float16).astype(np.float32)
