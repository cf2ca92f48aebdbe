"""Which event a command works on: the events in a database and the configuration each
was opened with. The command line asks here instead of reading storage itself."""

from __future__ import annotations

from moderator.config import EventConfig, load_default_config, parse_config
from moderator.domain.models import Event
from moderator.services.errors import NotFoundError
from moderator.storage.db import Database
from moderator.storage.repository import Repository


def events(db: Database) -> list[Event]:
    """The database's events, newest first."""
    with db.reading() as session:
        return Repository(session).events()


def stored_config(db: Database, slug: str | None = None) -> EventConfig | None:
    """The configuration event `slug` was opened with (the newest event's without a slug);
    None for an empty database. An event stored without configuration text gets the
    default one. Raises `NotFoundError` naming the events there are for an unknown slug."""
    with db.reading() as session:
        repo = Repository(session)
        known = repo.events()
        if slug:
            row = repo.event_by_slug(slug)
            if row is None:
                slugs = ", ".join(e.slug for e in known) or "none"
                raise NotFoundError(key="no_event", slug=repr(slug), slugs=slugs)
        elif known:
            row = repo.event_by_slug(known[0].slug)
        else:
            return None
        assert row is not None
        text, found = row.config_toml, row.slug
    return parse_config(text, source=f"event {found}") if text else load_default_config()
