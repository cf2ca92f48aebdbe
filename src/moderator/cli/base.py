"""What every command needs: the database of --db, the event (of --config, --event, or
the newest), the sentences in the event's language, the meaning pass, and `printable` for
everything that came from user data.

The services and the storage (SQLAlchemy, numpy) are imported by the functions that open a
database, so `--help`, `--version` and a wrong argument start without them."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from moderator.cli_text import CliText

if TYPE_CHECKING:
    from moderator.config import EventConfig
    from moderator.services import EventService
    from moderator.storage.db import Database

log = logging.getLogger("moderator")

REPO_ROOT = Path(__file__).resolve().parents[3]
SAMPLE_DIR = REPO_ROOT / "sample_data"


class CliError(RuntimeError):
    """A one-line error for the user; exit code 2."""


# Shown as escapes instead of being sent to the terminal: C0/C1 controls (ESC, BEL, CR …),
# the bidirectional overrides that reorder what is shown, line/paragraph separators, and
# lone surrogates (undecodable bytes in a file name), which cannot be printed at all.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: object) -> str:
    """`text` safe to echo on a terminal: every control character and escape is shown as
    ``\\xNN``/``\\uNNNN`` instead of acting on the terminal. The one helper for everything
    the CLI prints that came from user data (file names, Message-IDs, names, errors)."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, str(text))


class PrintableFormatter(logging.Formatter):
    """Log lines (watch warnings name files and mails) go through `printable` too; their
    level is named in the language `language()` gives when the line is written (the event's,
    once it is open)."""

    def __init__(self, fmt: str, language: Callable[[], str] | None = None) -> None:
        super().__init__(fmt)
        self.language = language

    def format(self, record: logging.LogRecord) -> str:
        if self.language is not None:
            level = CliText(self.language()).get(f"log.{record.levelname.lower()}")
            if level:
                record = logging.makeLogRecord({**record.__dict__, "levelname": level})
        return printable(super().format(record))


def open_database(args: argparse.Namespace, *, create: bool) -> Database:
    """The database of --db; `create`: this command adds data, so it may create the
    database (and says so on stderr); otherwise a missing database is refused."""
    from moderator.config import default_db_url
    from moderator.storage.db import Database, sqlite_file

    event_config(args)  # a broken --config is refused before anything is created or opened
    url = args.db or default_db_url()
    path = sqlite_file(url)
    existed = path is not None and path.exists() and path.stat().st_size > 0
    db = Database(url, create=create)
    current = db.check()
    t = text_for(args)
    if current is None and not create:
        where = path if path is not None else db.safe_url
        raise CliError(t("db.not_moderator", where=printable(where)))
    db.upgrade()
    if db.created_schema:  # said once the event (and so its language) is known
        new_file = path is not None and not existed
        key = "db.created_file" if new_file else "db.created_tables"
        args.created = (key, printable(path if new_file else db.safe_url))
    return db


def text_for(args: argparse.Namespace, service: EventService | None = None) -> CliText:
    """The command line's sentences in --lang, else the event's language (of --config, or
    of the opened event), else the locale's."""
    from moderator.config import ConfigError, default_language, load_config

    language = getattr(args, "lang", None)
    if service is None:
        service = getattr(args, "service", None)  # the event opened by this command
    if language is None and service is not None:
        language = service.language
    if language is None and getattr(args, "config", None):
        try:
            language = load_config(Path(args.config)).language
        except ConfigError as exc:  # a broken file: the language it asks for, if it got there
            language = exc.language
    return CliText(language or default_language())


def adds_data(args: argparse.Namespace) -> bool:
    """A configuration file adds (or updates) an event: such a run may create a database."""
    return bool(getattr(args, "config", None))


def event_config(args: argparse.Namespace) -> EventConfig | None:
    """The event configuration of --config, read once."""
    if not getattr(args, "config", None):
        return None
    from moderator.config import load_config

    loaded: EventConfig | None = getattr(args, "loaded_config", None)
    if loaded is None:
        loaded = args.loaded_config = load_config(Path(args.config))
    return loaded


def embedder():
    """The sentence encoder for duplicates by meaning (loaded on first use, never fetched)."""
    from moderator.meaning import load_embedder

    return load_embedder()


def meaning_pass(service: EventService, t: CliText) -> None:
    """Encode the questions that lack a meaning vector, with a progress bar on stderr; the
    fused duplicate suggestions are stored when this returns."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    started = time.perf_counter()
    if service.embedder() is None:
        log.info("no sentence encoder: %s", service.meaning_status().reason)
        print(t("meaning.off"), file=sys.stderr)
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(t("meaning.task"), total=None)
        done = service.embed_pending(
            progress=lambda n, total: bar.update(task, completed=n, total=total)
        )
    if done.encoded:
        elapsed = time.perf_counter() - started
        print(
            t(
                "meaning.done",
                questions=t.count(done.encoded, "question"),
                seconds=t.number(elapsed, 1),
                suggested=done.with_suggestion,
                model=service.model_id,
            ),
            file=sys.stderr,
        )


def event_service(args: argparse.Namespace, db: Database) -> EventService:
    """The event named by --config or --event, else the newest event, else the default."""
    from moderator.config import moderator_name

    name = moderator_name(getattr(args, "as_name", None))
    service = _open_service(args, db, name)
    args.service = service
    t = text_for(args, service)
    if created := getattr(args, "created", None):
        key, where = created
        print(t(key, where=where), file=sys.stderr)
    if service.moderator != name:
        print(t("name.too_long", name=repr(printable(service.moderator))), file=sys.stderr)
    return service


def _open_service(args: argparse.Namespace, db: Database, name: str) -> EventService:
    from moderator.config import load_default_config
    from moderator.services import open_event
    from moderator.services.events import stored_config

    config = event_config(args)
    if config is not None:
        return open_event(db, config, moderator=name, embedder=embedder)

    stored = stored_config(db, getattr(args, "event", None))
    if stored is None:
        return open_event(db, load_default_config(), moderator=name, embedder=embedder)
    return open_event(db, stored, moderator=name, update_config=False, embedder=embedder)
