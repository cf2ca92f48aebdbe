"""Command line: tui, demo, stage, import, watch, export, stats, db upgrade …

Imports no Textual until a screen is actually opened, so the data commands start fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from moderator import __version__
from moderator.cli_args import LocalParser, argv_language, help_option
from moderator.cli_text import CliText
from moderator.config import (
    ConfigError,
    EventConfig,
    default_db_url,
    default_language,
    load_config,
    load_default_config,
    load_keymap,
    moderator_name,
)
from moderator.domain.language import LANGUAGES, error_text
from moderator.domain.models import Channel
from moderator.services import EventService, ServiceError, open_event
from moderator.services.errors import TransitionError
from moderator.storage.db import Database, StorageError, sqlite_file

log = logging.getLogger("moderator")

REPO_ROOT = Path(__file__).resolve().parents[2]
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


class _PrintableFormatter(logging.Formatter):
    """Log lines (watch warnings name files and mails) go through `printable` too."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


# ---------------------------------------------------------------------------- helpers
def _database(args: argparse.Namespace, *, create: bool) -> Database:
    """The database of --db; `create`: this command adds data, so it may create the
    database (and says so on stderr); otherwise a missing database is refused."""
    _config(args)  # a broken --config is refused before anything is created or opened
    url = args.db or default_db_url()
    path = sqlite_file(url)
    existed = path is not None and path.exists() and path.stat().st_size > 0
    db = Database(url, create=create)
    current = db.check()
    t = _text(args)
    if current is None and not create:
        where = path if path is not None else db.safe_url
        raise CliError(t("db.not_moderator", where=printable(where)))
    db.upgrade()
    if db.created_schema:  # said once the event (and so its language) is known
        new_file = path is not None and not existed
        where = path if new_file else db.safe_url
        key = "db.created_file" if new_file else "db.created_tables"
        args.created = (key, printable(where))
    return db


def _text(args: argparse.Namespace, service: EventService | None = None) -> CliText:
    """The command line's sentences in --lang, else the event's language (of --config, or
    of the opened event), else the locale's."""
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


def _adds_data(args: argparse.Namespace) -> bool:
    """A configuration file adds (or updates) an event: such a run may create a database."""
    return bool(getattr(args, "config", None))


def _config(args: argparse.Namespace) -> EventConfig | None:
    """The event configuration of --config, read once."""
    if not getattr(args, "config", None):
        return None
    loaded: EventConfig | None = getattr(args, "loaded_config", None)
    if loaded is None:
        loaded = args.loaded_config = load_config(Path(args.config))
    return loaded


def _embedder():
    """The sentence encoder for duplicates by meaning (loaded on first use, never fetched)."""
    from moderator.meaning import load_embedder

    return load_embedder()


def _meaning_pass(service: EventService, t: CliText) -> None:
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


def _service(args: argparse.Namespace, db: Database) -> EventService:
    """The event named by --config or --event, else the newest event, else the default."""
    name = moderator_name(getattr(args, "as_name", None))
    service = _open_service(args, db, name)
    args.service = service
    t = _text(args, service)
    if created := getattr(args, "created", None):
        key, where = created
        print(t(key, where=where), file=sys.stderr)
    if service.moderator != name:
        print(t("name.too_long", name=repr(printable(service.moderator))), file=sys.stderr)
    return service


def _open_service(args: argparse.Namespace, db: Database, name: str) -> EventService:
    config = _config(args)
    if config is not None:
        return open_event(db, config, moderator=name, embedder=_embedder)
    from moderator.services.events import stored_config

    stored = stored_config(db, getattr(args, "event", None))
    if stored is None:
        return open_event(db, load_default_config(), moderator=name, embedder=_embedder)
    return open_event(db, stored, moderator=name, update_config=False, embedder=_embedder)


def _print_summary(summary, t: CliText, *, out=None) -> None:
    out = out or sys.stdout
    if summary.skipped and not (summary.new or summary.already_imported or summary.notes):
        for problem in summary.skipped:  # nothing read from it: just say why
            print(t("summary.skip_only", problem=printable(problem)), file=out)
        return
    merged = t("summary.merged", n=summary.auto_merged) if summary.auto_merged else ""
    print(
        t(
            "summary.line",
            source=printable(summary.source),
            new=summary.new,
            questions=t.count(summary.questions, "question"),
            chatter=t.count(summary.chatter, "chatter"),
            votes=t.count(summary.votes, "vote"),
            known=summary.already_imported,
            suggested=summary.with_suggestion,
            merged=merged,
            skipped=t("summary.skipped", n=len(summary.skipped)),
        ),
        file=out,
    )
    if summary.projects:
        parts = ", ".join(f"{k} {v}" for k, v in summary.projects.most_common())
        print(t("summary.projects", parts=printable(parts)), file=out)
    for note in getattr(summary, "notes", ()):
        print(t("summary.note", note=printable(note)), file=out)
    for problem in summary.skipped:
        print(t("summary.skip", problem=printable(problem)), file=out)


class _ImportProgress:
    """A Rich progress bar on stderr, a line per file, moved on after each committed
    batch: bytes read of the file, messages read and stored (German or English, as the
    event's interface). Off when stderr is not a terminal."""

    def __init__(self, t: CliText, *, enabled: bool) -> None:
        self.t = t
        self.enabled = enabled
        self._tasks: dict[str, object] = {}
        self._new: dict[str, int] = {}  # messages stored so far, by file
        self._progress = None
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                TextColumn("{task.fields[bytes]}", markup=False),
                TextColumn("{task.fields[counts]}", markup=False),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )

    def __enter__(self) -> _ImportProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, report) -> None:
        new = self._new[report.source] = self._new.get(report.source, 0) + report.batch.summary.new
        if self._progress is None:
            return
        task = self._tasks.get(report.source)
        if task is None:
            label = "".join(c if c.isprintable() else "?" for c in Path(report.source).name)
            task = self._progress.add_task(label, total=report.size or None, bytes="", counts="")
            self._tasks[report.source] = task
        mb = 1024 * 1024
        self._progress.update(
            task,
            completed=report.position,
            bytes=self.t(
                "import.bytes",
                done=self.t.number(report.position / mb, 1),
                total=self.t.number(report.size / mb, 1),
            ),
            counts=self.t(
                "import.progress",
                read=self.t.number(report.batch.read),
                new=self.t.number(new),
            ),
        )

    def kept(self, paths: Sequence[str]) -> list[str]:
        """What an interrupted import leaves stored, file by file (every batch reported here
        was committed; the one in flight was not): the lines to print."""
        t = self.t
        lines = []
        # Bytes read say nothing here: the parser reads ahead of what is stored.
        for source, new in self._new.items():
            name = printable(source)
            if new:
                lines.append(t("import.kept_some", source=name, messages=t.count(new, "message")))
            else:
                lines.append(t("import.kept_nothing", source=name))
        if not self._new:
            lines = [t("import.kept_nothing", source=printable(p)) for p in paths]
        return lines


class _StopBetweenBatches:
    """Ctrl+C during an import: the batch being stored is finished (each is one
    transaction of a fraction of a second) and the import stops before the next one, so what
    is said to be stored is exactly what is stored. A second Ctrl+C stops at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: object = None

    def __enter__(self) -> _StopBetweenBatches:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._interrupt)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]

    def _interrupt(self, signum: int, frame: object) -> None:
        import signal

        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


# ---------------------------------------------------------------------------- commands
def cmd_tui(args: argparse.Namespace) -> int:
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    from moderator.ui.app import ModeratorApp

    ModeratorApp(service, keymap=load_keymap(), language=_text(args, service).language).run()
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    from moderator.ui.stage import StageApp

    StageApp(service, language=_text(args, service).language).run()
    return 0


def load_sample(service: EventService, sample_dir: Path = SAMPLE_DIR) -> list:
    from moderator.services.ingesting import import_paths

    # In the order the questions arrived: registration mails, the webinar chat, the
    # follow-up session, then the questions phoned in.
    def files(folder: str) -> list[Path]:
        return sorted(
            p for p in (sample_dir / folder).rglob("*") if p.is_file() and _is_sample_source(p)
        )

    return import_paths(service, files("mail") + files("zoom") + files("bbb")) + import_paths(
        service, [sample_dir / "phone.txt"], channel=Channel.PHONE
    )


def _is_sample_source(path: Path) -> bool:
    return path.suffix.lower() in {".txt", ".eml", ".mbox", ".csv", ".xlsx"}


def cmd_demo(args: argparse.Namespace) -> int:
    app = demo_console(args)
    if app is not None:
        app.run()
    return 0


def demo_console(args: argparse.Namespace):
    """Load the sample event into a fresh database (a temporary file unless --db) and
    return the console on it, which shows where the database is (None with --no-tui)."""
    if not (SAMPLE_DIR / "event.toml").exists():
        raise CliError(_text(args)("demo.missing", path=SAMPLE_DIR))
    workdir = Path(tempfile.mkdtemp(prefix="moderator-demo-"))
    url = args.db or f"sqlite:///{workdir / 'demo.db'}"
    db = Database(url)
    db.upgrade()
    service = open_event(
        db,
        load_config(SAMPLE_DIR / "event.toml"),
        moderator=moderator_name(args.as_name),
        embedder=_embedder,
    )
    t = _text(args, service)
    for summary in load_sample(service):
        _print_summary(summary, t, out=sys.stderr)
    _meaning_pass(service, t)
    print(t("demo.database", url=printable(db.safe_url)), file=sys.stderr)
    if args.no_tui:
        return None
    from moderator.ui.app import ModeratorApp

    return ModeratorApp(
        service, keymap=load_keymap(), language=t.language, database=printable(db.safe_url)
    )


def cmd_import(args: argparse.Namespace) -> int:
    db = _database(args, create=True)
    service = _service(args, db)
    from moderator.services.ingesting import import_paths

    t = _text(args, service)
    channel = Channel(args.channel) if args.channel else None
    if args.batch_size is not None and args.batch_size < 1:
        raise CliError(t("batch.too_small", n=args.batch_size))
    bar = _ImportProgress(t, enabled=sys.stderr.isatty())

    def progress(report) -> None:
        bar.update(report)
        stop.check()

    try:
        with _StopBetweenBatches() as stop, bar:
            summaries = import_paths(
                service,
                [Path(p) for p in args.paths],
                fmt=args.format,
                channel=channel,
                progress=progress,
                batch_size=args.batch_size,
            )
    except KeyboardInterrupt:
        print(t("import.stopped"), file=sys.stderr)
        for line in bar.kept(args.paths):
            print(line, file=sys.stderr)
        return 130
    skipped = 0
    for summary in summaries:  # complete, even if Ctrl+C came after the last batch
        _print_summary(summary, t)
        skipped += len(summary.skipped)
    if len(summaries) > 1:
        new = sum(s.new for s in summaries)
        known = sum(s.already_imported for s in summaries)
        print(t("summary.total", new=new, known=known, skipped=t("summary.skipped", n=skipped)))
    try:
        stop.check()
        _meaning_pass(service, t)
    except KeyboardInterrupt:
        print(t("meaning.stopped"), file=sys.stderr)
        return 130
    return 1 if skipped else 0


def _imap_passwords(sources: Sequence[str], t: CliText) -> dict[str, str]:
    """The password of each IMAP source, from the environment, the settings file, the
    keyring or a prompt; never from the URL, which shows in `ps` and the shell history."""
    from urllib.parse import unquote, urlsplit

    from moderator.config import IMAP_PASSWORD_ENV, imap_password

    passwords: dict[str, str] = {}
    for source in sources:
        if not source.startswith(("imap://", "imaps://")):
            continue
        parts = urlsplit(source)
        user, host = unquote(parts.username or ""), parts.hostname or ""
        where = f"{parts.scheme}://{user}@{host}"
        if parts.password is not None:
            raise CliError(t("imap.password_in_url", where=where, env=IMAP_PASSWORD_ENV))
        password = imap_password(user, host)
        if password is None and sys.stdin.isatty():
            import getpass

            password = getpass.getpass(t("imap.prompt", user=user, host=host))
        if not password:
            raise CliError(t("imap.no_password", where=where, env=IMAP_PASSWORD_ENV))
        passwords[source] = password
    return passwords


def cmd_watch(args: argparse.Namespace) -> int:
    t = _text(args)
    for source in args.sources:
        if source.startswith(("imap://", "imaps://")):
            continue
        path = Path(source)
        if not path.exists() and not path.parent.is_dir():
            raise CliError(
                t("watch.no_folder", folder=printable(path.parent), path=printable(path))
            )
    passwords = _imap_passwords(args.sources, t)  # before anything is created or opened
    db = _database(args, create=True)
    service = _service(args, db)
    t = _text(args, service)
    from moderator.services.ingesting import watch

    for source in args.sources:
        if not source.startswith(("imap://", "imaps://")) and not Path(source).exists():
            print(t("watch.waiting", path=printable(source)), file=sys.stderr)

    return watch(
        service,
        args.sources,
        fmt=args.format,
        interval=args.interval,
        report=lambda s: _print_summary(s, t, out=sys.stderr),
        imap_passwords=passwords,
        allow_insecure=args.allow_insecure,
    )


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.output) if args.output else None
    # The event is opened first (nothing is created without --config), so that a refusal is
    # said in its language.
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    t = _text(args, service)
    if out is not None:
        if out.is_dir():
            raise CliError(t("export.is_folder", path=printable(out)))
        if not out.parent.is_dir():
            raise CliError(t("export.no_folder", folder=printable(out.parent), path=printable(out)))
        if out.exists() and not args.force:
            raise CliError(t("export.exists", path=printable(out)))
    from moderator.services.exporting import export_result, masked_note

    result = export_result(
        service,
        fmt=args.format,
        status=args.status,
        project=args.project,
        include_askers=args.include_askers,
        show_counts=not args.no_counts,
        chart=args.chart,
        language=t.language,
    )
    data = result.data
    if out is None:
        if isinstance(data, bytes):
            if args.format == "xlsx":
                raise CliError(t("export.binary"))
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
    else:
        tmp = out.with_name(out.name + ".part")
        try:
            tmp.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
            os.replace(tmp, out)
        except OSError as exc:  # disk full, no permission …: leave no half-written file behind
            tmp.unlink(missing_ok=True)
            reason = exc.strerror or exc
            raise CliError(t("export.cannot_write", path=printable(out), reason=reason)) from None
        print(t("export.wrote", path=printable(out)), file=sys.stderr)
    # Contact details the askers wrote into their questions are masked unless asked for.
    if note := masked_note(result.masked, language=t.language):
        print(note, file=sys.stderr)
    return 0


def cmd_import_answers(args: argparse.Namespace) -> int:
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    from moderator.services.exporting import import_answers_file

    t = _text(args, service)
    updated, problems = import_answers_file(service, Path(args.file), language=t.language)
    print(
        t(
            "answers.stored",
            file=printable(args.file),
            answers=t.count(len(updated), "answer"),
            rows=t.count(len(problems), "row"),
        )
    )
    for problem in problems:
        print(f"  {printable(problem)}")
    return 1 if problems else 0


def cmd_stats(args: argparse.Namespace) -> int:
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    from moderator.services.exporting import print_stats

    print_stats(service, language=_text(args, service).language)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    db = _database(args, create=False)
    service = _service(args, db)
    t = _text(args, service)
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
    db = Database(args.db or default_db_url())
    before = db.check()
    head = db.upgrade()
    t = _text(args)
    before = before or t("db.schema_empty")
    print(t("db.schema", url=printable(db.safe_url), before=before, head=head))
    return 0


def cmd_db_reindex(args: argparse.Namespace) -> int:
    db = _database(args, create=False)
    service = _service(args, db)
    t = _text(args, service)
    if service.embedder() is None:
        _meaning_pass(service, t)  # says why there is no encoder
        return 1
    dropped, _encoded = service.reindex()
    slug = printable(service.event.slug)
    if dropped:
        print(t("reindex.dropped", event=slug, vectors=t.count(dropped, "vector")), file=sys.stderr)
    _meaning_pass(service, t)
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


_OVERLAY_TEXT = {
    "de": {
        "help": "Browser-Seiten für Stream und Bühne: /overlay (OBS, vMix), /stage, /api/state",
        "setup": "OBS: Quellen → + → Browser, URL http://127.0.0.1:{port}/overlay, 1920 × 1080.\n"
        "Die Seite ist durchsichtig: nur die Frage auf Sendung erscheint ([overlay] in der\n"
        "Eventdatei oder ?size=40&position=top-right); /stage ist die Seite für die Sprecher.",
        "port": "Port (Vorgabe: {port})",
        "host": "auf dieser Adresse lauschen statt 127.0.0.1 (z. B. 0.0.0.0 fürs WLAN); "
        "dann gilt jeder Aufruf nur mit dem Zugangs-Token",
        "token": "dieses Zugangs-Token statt eines zufälligen (damit die Links nach einem "
        "Neustart gültig bleiben)",
        "serving": "Überträgt {title!r} – Strg+C beendet.",
        "overlay": "Overlay (OBS/vMix, Browserquelle 1920 × 1080):",
        "stage": "Bühne (Tablet der Sprecher):",
        "api": "Daten als JSON:",
        "token_note": "Die Links enthalten das Zugangs-Token: nur an das Team weitergeben.",
    },
    "en": {
        "help": "browser pages for the stream and the stage: /overlay (OBS, vMix), /stage, "
        "/api/state",
        "setup": "OBS: Sources → + → Browser, URL http://127.0.0.1:{port}/overlay, 1920 × 1080.\n"
        "The page is transparent: only the question on air shows ([overlay] in the event\n"
        "file or ?size=40&position=top-right); /stage is the page for the speakers.",
        "port": "port (default: {port})",
        "host": "listen on this address instead of 127.0.0.1 (e.g. 0.0.0.0 for the Wi-Fi); "
        "then every request needs the access token",
        "token": "this access token instead of a random one (so the links stay valid after "
        "a restart)",
        "serving": "Serving {title!r} – Ctrl+C stops.",
        "overlay": "Overlay (OBS/vMix, browser source 1920 × 1080):",
        "stage": "Stage (the speakers' tablet):",
        "api": "Data as JSON:",
        "token_note": "The links carry the access token: give them to the team only.",
    },
}


def cmd_overlay(args: argparse.Namespace) -> int:
    import secrets
    import socket

    from moderator.services.events import stored_config
    from moderator.web.server import Options, WebServer

    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    config = _config(args) or stored_config(db, service.event.slug) or load_default_config()
    language = _text(args, service).language  # --lang, else the event's
    text = _OVERLAY_TEXT.get(language, _OVERLAY_TEXT["de"])
    token = None
    if args.host is not None:  # beyond this machine: nothing without the token
        token = args.token or secrets.token_urlsafe(18)
    options = Options(language=language, look=config.overlay, token=token)
    host = args.host or "127.0.0.1"

    def ready(server: WebServer) -> None:
        print(text["serving"].format(title=printable(service.event.title)))
        for key, path in (("overlay", "/overlay"), ("stage", "/stage"), ("api", "/api/state")):
            url = server.url(path)
            if host in ("0.0.0.0", "::"):  # every address of this machine: name it
                url = url.replace("127.0.0.1", socket.gethostname(), 1)
            print(f"  {text[key]:<46} {printable(url)}")
        if token:
            print(text["token_note"])
        sys.stdout.flush()

    try:
        WebServer(service, options, host=host, port=args.port).run(ready)
    finally:
        service.close()
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    db = _database(args, create=False)
    from moderator.services.events import events

    for event in events(db):
        print(f"{printable(event.slug)}\t{printable(event.title)}")
    return 0


# ---------------------------------------------------------------------------- parser
def build_parser(language: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser, its help and its errors in `language` (default: the
    language `argv_language` finds in sys.argv)."""
    lang = language or argv_language(sys.argv[1:])
    t = CliText(lang)

    def common_options(suppress: bool) -> argparse.ArgumentParser:
        # Sub-commands accept the same options; SUPPRESS keeps their defaults from
        # overwriting a value given before the sub-command.
        default = argparse.SUPPRESS if suppress else None
        common = argparse.ArgumentParser(add_help=False)
        help_option(common, t)
        common.add_argument("--db", metavar="URL", default=default, help=t("help.db"))
        common.add_argument("--event", metavar="SLUG", default=default, help=t("help.event"))
        common.add_argument("--config", metavar="TOML", default=default, help=t("help.config"))
        common.add_argument(
            "--as", dest="as_name", metavar=t("help.m_name"), default=default, help=t("help.as")
        )
        common.add_argument("--lang", choices=LANGUAGES, default=default, help=t("help.lang"))
        common.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=argparse.SUPPRESS if suppress else False,
            help=t("help.verbose"),
        )
        return common

    top = common_options(False)
    common = common_options(True)
    parser = LocalParser(
        prog="moderator", parents=[top], description=t("help.description"), language=lang
    )
    parser.add_argument(
        "--version", action="version", version=f"moderator {__version__}", help=t("help.version")
    )
    parser.set_defaults(func=cmd_tui)
    sub = parser.add_subparsers(title=t("help.commands"), metavar=t("help.command"))

    p = sub.add_parser("tui", parents=[common], help=t("help.tui"))
    p.set_defaults(func=cmd_tui)

    p = sub.add_parser("demo", parents=[common], help=t("help.demo"))
    p.add_argument("--no-tui", action="store_true", help=t("help.no_tui"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("stage", parents=[common], help=t("help.stage"))
    p.set_defaults(func=cmd_stage)

    from moderator.web import DEFAULT_PORT

    overlay = _OVERLAY_TEXT[t.language]
    p = sub.add_parser(
        "overlay",
        parents=[common],
        help=overlay["help"],
        description=overlay["setup"].format(port=DEFAULT_PORT),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=overlay["port"].format(port=DEFAULT_PORT)
    )
    p.add_argument("--host", metavar=t("help.m_address"), help=overlay["host"])
    p.add_argument("--token", help=overlay["token"])
    p.set_defaults(func=cmd_overlay)

    p = sub.add_parser("import", parents=[common], help=t("help.import"))
    p.add_argument("paths", nargs="+", metavar=t("help.m_path"))
    p.add_argument("--format", help=t("help.import_format"))
    p.add_argument("--channel", choices=[c.value for c in Channel], help=t("help.channel"))
    p.add_argument("--batch-size", type=int, metavar="N", help=t("help.batch_size"))
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("watch", parents=[common], help=t("help.watch"))
    p.add_argument("sources", nargs="+", metavar=t("help.m_source"))
    p.add_argument("--format", help=t("help.watch_format"))
    p.add_argument("--interval", type=float, default=0.5, help=t("help.interval"))
    p.add_argument("--allow-insecure", action="store_true", help=t("help.allow_insecure"))
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("export", parents=[common], help=t("help.export"))
    p.add_argument(
        "--format",
        choices=["md", "html", "csv", "xlsx", "json"],
        default="json",
        help=t("help.export_format"),
    )
    p.add_argument("--status", help=t("help.status"))
    p.add_argument("--project", metavar=t("help.m_key"), help=t("help.project"))
    p.add_argument("-o", "--output", metavar=t("help.m_file"), help=t("help.output"))
    p.add_argument("--force", action="store_true", help=t("help.force"))
    p.add_argument("--include-askers", action="store_true", help=t("help.include_askers"))
    p.add_argument("--no-counts", action="store_true", help=t("help.no_counts"))
    p.add_argument("--chart", action="store_true", help=t("help.chart"))
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import-answers", parents=[common], help=t("help.import_answers"))
    p.add_argument("file", metavar=t("help.m_file"))
    p.set_defaults(func=cmd_import_answers)

    p = sub.add_parser("stats", parents=[common], help=t("help.stats"))
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("purge-personal-data", parents=[common], help=t("help.purge"))
    p.add_argument("--yes", action="store_true", help=t("help.yes"))
    p.set_defaults(func=cmd_purge)

    p = sub.add_parser("events", parents=[common], help=t("help.events"))
    p.set_defaults(func=cmd_events)

    p = sub.add_parser("db", parents=[common], help=t("help.db_group"))
    db_sub = p.add_subparsers(title=t("help.db_commands"), metavar=t("help.command"))
    q = db_sub.add_parser("upgrade", parents=[common], help=t("help.upgrade"))
    q.set_defaults(func=cmd_db_upgrade)
    q = db_sub.add_parser("reindex", parents=[common], help=t("help.reindex"))
    q.set_defaults(func=cmd_db_reindex)
    p.set_defaults(func=lambda _args: (p.print_help(), 0)[1])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv_language(argv))
    args = parser.parse_args(argv)
    for name in ("db", "event", "config", "as_name", "lang"):
        if not hasattr(args, name):
            setattr(args, name, None)
    if not hasattr(args, "verbose"):
        args.verbose = False
    handler = logging.StreamHandler()
    handler.setFormatter(_PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[handler])
    try:
        return args.func(args)
    except (CliError, ConfigError, StorageError, ServiceError, TransitionError) as exc:
        t = _text(args)
        _error(error_text(exc, t.language), t)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # disk full, a file that vanished, no permission …
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}", _text(args))
        log.debug("details", exc_info=True)
        return 2
    except Exception as exc:  # a database or library fault: one line, details with -v
        t = _text(args)
        _error(t("error.details", message=_first_line(exc), kind=type(exc).__name__), t)
        log.info("details", exc_info=True)
        return 2


def _first_line(exc: BaseException) -> str:
    """The driver's own message of a database error (without the SQL that SQLAlchemy
    appends), else the exception's first line."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip()
    return text.splitlines()[0] if text else type(inner).__name__


def _error(message: str, t: CliText) -> None:
    print(t("error", message=printable(" ".join(message.split()))), file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
