"""The batches of a streaming import: read lazily, sized so that each batch's transaction
takes about `BATCH_SECONDS` (a moderator's write waits for at most one of them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from moderator.domain.models import IncomingMessage

# The first batch has `BATCH_FIRST` messages; later ones are sized so that a batch's
# transaction takes about `BATCH_SECONDS`, within `BATCH_MIN`..`BATCH_MAX` messages.
BATCH_FIRST = 200
BATCH_MIN, BATCH_MAX = 20, 2000
BATCH_SECONDS = 0.08


def batches(
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


def next_size(size: int, seconds: float) -> int:
    """The next batch size, aiming at `BATCH_SECONDS` per batch (at most doubling)."""
    if seconds <= 0:
        return min(BATCH_MAX, size * 2)
    wanted = size * BATCH_SECONDS / seconds
    return max(BATCH_MIN, min(BATCH_MAX, 2 * size, int(wanted)))
