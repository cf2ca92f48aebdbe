"""Small builders for test messages (real domain objects, nothing faked)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderator.domain.models import Channel, IncomingMessage, Kind

BASE = datetime(2020, 6, 19, 18, 0, tzinfo=UTC)


def msg(
    n: int,
    text: str,
    *,
    author: str | None = None,
    channel: Channel = Channel.CHAT,
    kind: Kind | None = None,
    reply_to: int | None = None,
    source: str = "test",
) -> IncomingMessage:
    return IncomingMessage(
        source_key=f"{source}:{n}",
        channel=channel,
        text=text,
        author=author or f"Person {n}",
        received_at=BASE + timedelta(minutes=n),
        kind_hint=kind,
        reply_to_key=f"{source}:{reply_to}" if reply_to is not None else None,
        source_name=f"{source}.txt",
        source_line=n,
    )
