"""The JSON export: the complete, lossless, documented form (docs/json-export.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from moderator.domain.models import Event, Group, Message, Project

SCHEMA = "moderator.export"
SCHEMA_VERSION = 2


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def build_json(
    *,
    event: Event,
    projects: Sequence[Project],
    groups: Sequence[Group],
    messages: Sequence[Message],
    suggestions: Mapping[int, Sequence[tuple[int, float]]],
    include_askers: bool = False,
    generated_at: datetime,
    filters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the export document. `groups` may be filtered; `messages` are those to include."""

    def message_doc(m: Message) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": m.id,
            "channel": m.channel.value,
            "kind": m.kind.value,
            "kind_overridden": m.kind_overridden,
            "received_at": _iso(m.received_at),
            "text": m.text,
            "source_key": m.source_key,
            "private": m.private,
            "group_id": m.group_id,
            "reply_to_id": m.reply_to_id,
            "vote_for_id": m.vote_for_id,
            "suggestions": [
                {"group_id": g, "score": round(s, 1)} for g, s in suggestions.get(m.id, ())
            ],
        }
        if include_askers:
            # The full original (a whole mail: greeting, signature, addresses) is
            # personal data as much as the name is.
            doc["original"] = m.original
            doc["author"] = m.author
            doc["author_email"] = m.author_email
        return doc

    def group_doc(g: Group) -> dict[str, Any]:
        return {
            "id": g.id,
            "title": g.title,
            "title_edited": g.title_edited,
            "state": g.state.value,
            "position": g.position,
            "project": {
                "confirmed": g.project_key if g.project_confirmed else None,
                "suggested": g.suggested_project,
                "suggested_confidence": round(g.suggested_confidence, 3),
                "runner_up": g.runner_up_project,
            },
            "answer": g.answer,
            "members": [m.id for m in g.members],
            "asker_count": sum(1 for m in g.members if m.kind.value == "question"),
            **({"askers": list(g.askers)} if include_askers else {}),
            "votes": g.votes,
            "extra_votes": g.extra_votes,
            "auto_merged": g.auto_merged,
            "merged_into": g.merged_into,
            "created_at": _iso(g.created_at),
        }

    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": _iso(generated_at),
        "personal_data": include_askers,
        "filters": dict(filters or {}),
        "event": {
            "id": event.id,
            "slug": event.slug,
            "title": event.title,
            "starts_at": _iso(event.starts_at),
        },
        "projects": [
            {"key": p.key, "name": p.name, "hotkey": p.hotkey, "order": i, "general": p.general}
            for i, p in enumerate(projects, start=1)
        ],
        "groups": [group_doc(g) for g in groups],
        "messages": [message_doc(m) for m in messages],
    }


def render_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
