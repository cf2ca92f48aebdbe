"""Database upkeep: db upgrade, db reindex, events, purge-personal-data."""

from __future__ import annotations

import argparse
import sys

from moderator.cli.base import (
    CliError,
    event_service,
    meaning_pass,
    open_database,
    printable,
    text_for,
)


def cmd_purge(args: argparse.Namespace) -> int:
    db = open_database(args, create=False)
    service = event_service(args, db)
    t = text_for(args, service)
    if not args.yes:
        raise CliError(t("purge.confirm"))
    result = service.purge_personal_data()
    print(
        t(
            "purge.done",
            messages=t.count(result.messages, "message"),
            event=printable(service.event.slug),
        )
    )
    if not result.complete:
        print(t("purge.warning", detail=result.compacted), file=sys.stderr)
        return 1
    print(t("purge.compacted", url=db.safe_url, detail=result.compacted))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from moderator.config import default_db_url
    from moderator.storage.db import Database

    db = Database(args.db or default_db_url())
    before = db.check()
    head = db.upgrade()
    t = text_for(args)
    before = before or t("db.schema_empty")
    print(t("db.schema", url=printable(db.safe_url), before=before, head=head))
    return 0


def cmd_db_reindex(args: argparse.Namespace) -> int:
    db = open_database(args, create=False)
    service = event_service(args, db)
    t = text_for(args, service)
    if service.embedder() is None:
        meaning_pass(service, t)  # says why there is no encoder
        return 1
    dropped, _encoded = service.reindex()
    slug = printable(service.event.slug)
    if dropped:
        print(t("reindex.dropped", event=slug, vectors=t.count(dropped, "vector")), file=sys.stderr)
    meaning_pass(service, t)
    status = service.meaning_status()
    print(
        t(
            "reindex.status",
            event=slug,
            model=status.model_id,
            questions=t.count(status.pending, "question"),
        )
    )
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    db = open_database(args, create=False)
    from moderator.services.events import events

    for event in events(db):
        print(f"{printable(event.slug)}\t{printable(event.title)}")
    return 0
