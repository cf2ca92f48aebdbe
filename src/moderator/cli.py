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
from moderator.config import (
    ConfigError,
    EventConfig,
    default_db_url,
    load_config,
    load_default_config,
    load_keymap,
    moderator_name,
)
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
    url = args.db or default_db_url()
    path = sqlite_file(url)
    existed = path is not None and path.exists() and path.stat().st_size > 0
    db = Database(url, create=create)
    current = db.check()
    if current is None and not create:
        where = path if path is not None else db.safe_url
        raise CliError(
            f"{printable(where)} is not a moderator database yet (no tables; check --db)"
        )
    db.upgrade()
    if db.created_schema:
        where = path if path is not None and not existed else db.safe_url
        what = "the database" if path is not None and not existed else "the tables in"
        print(f"moderator: created {what} {printable(where)}", file=sys.stderr)
    return db


def _adds_data(args: argparse.Namespace) -> bool:
    """A configuration file adds (or updates) an event: such a run may create a database."""
    return bool(getattr(args, "config", None))


def _config(args: argparse.Namespace) -> EventConfig | None:
    if getattr(args, "config", None):
        return load_config(Path(args.config))
    return None


def _embedder():
    """The sentence encoder for duplicates by meaning (loaded on first use, never fetched)."""
    from moderator.meaning import load_embedder

    return load_embedder()


_MEANING_TEXT = {
    "de": {
        "task": "Bedeutungsabgleich",
        "done": "Bedeutungsabgleich: {n} Fragen in {s:.1f} s, {k} mit Duplikatvorschlag ({model})",
        "off": "Bedeutungsabgleich nicht verfügbar: Duplikate nur nach Wörtern",
    },
    "en": {
        "task": "Matching by meaning",
        "done": "Matching by meaning: {n} questions in {s:.1f} s, {k} with a duplicate suggestion "
        "({model})",
        "off": "Matching by meaning not available: duplicates by words only",
    },
}


def _meaning_pass(service: EventService) -> None:
    """Encode the questions that lack a meaning vector, with a progress bar on stderr; the
    fused duplicate suggestions are stored when this returns."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    text = _MEANING_TEXT.get(service.language, _MEANING_TEXT["de"])
    started = time.perf_counter()
    if service.embedder() is None:
        log.info("no sentence encoder: %s", service.meaning_status().reason)
        print(text["off"], file=sys.stderr)
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(text["task"], total=None)
        done = service.embed_pending(
            progress=lambda n, total: bar.update(task, completed=n, total=total)
        )
    if done.encoded:
        elapsed = time.perf_counter() - started
        print(
            text["done"].format(
                n=done.encoded, s=elapsed, k=done.with_suggestion, model=service.model_id
            ),
            file=sys.stderr,
        )


def _service(args: argparse.Namespace, db: Database) -> EventService:
    """The event named by --config or --event, else the newest event, else the default."""
    name = moderator_name(getattr(args, "as_name", None))
    service = _open_service(args, db, name)
    if service.moderator != name:
        print(
            f"moderator: note: your name is too long for the action log; it is stored as "
            f"{printable(service.moderator)!r}",
            file=sys.stderr,
        )
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


def _print_summary(summary, *, out=None) -> None:
    out = out or sys.stdout
    if summary.skipped and not (summary.new or summary.already_imported or summary.notes):
        for problem in summary.skipped:  # nothing read from it: just say why
            print(f"skipped: {printable(problem)}", file=out)
        return
    print(
        f"{printable(summary.source)}: {summary.new} new ({summary.questions} questions, "
        f"{summary.chatter} chatter, {summary.votes} votes), "
        f"{summary.already_imported} already imported, "
        f"{summary.with_suggestion} with a duplicate suggestion"
        + (f", {summary.auto_merged} merged automatically" if summary.auto_merged else "")
        + f", {len(summary.skipped)} skipped",
        file=out,
    )
    if summary.projects:
        parts = ", ".join(f"{k} {v}" for k, v in summary.projects.most_common())
        print(f"  suggested projects: {printable(parts)}", file=out)
    for note in getattr(summary, "notes", ()):
        print(f"  note: {printable(note)}", file=out)
    for problem in summary.skipped:
        print(f"  skipped: {printable(problem)}", file=out)


class _ImportProgress:
    """A Rich progress bar on stderr, a line per file, moved on after each committed
    batch: bytes read of the file, messages read and stored (German or English, as the
    event's interface). Off when stderr is not a terminal."""

    def __init__(self, language: str, *, enabled: bool) -> None:
        from moderator.ui.i18n import Strings

        self.t = Strings(language)
        self.enabled = enabled
        self._tasks: dict[str, object] = {}
        self._new: dict[str, int] = {}
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

    def _number(self, value: float, digits: int = 0) -> str:
        text = f"{value:,.{digits}f}"
        if self.t.language == "de":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def update(self, report) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(report.source)
        if task is None:
            label = "".join(c if c.isprintable() else "?" for c in Path(report.source).name)
            task = self._progress.add_task(label, total=report.size or None, bytes="", counts="")
            self._tasks[report.source] = task
        new = self._new[report.source] = self._new.get(report.source, 0) + report.batch.summary.new
        mb = 1024 * 1024
        self._progress.update(
            task,
            completed=report.position,
            bytes=self.t(
                "import.bytes",
                done=self._number(report.position / mb, 1),
                total=self._number(report.size / mb, 1),
            ),
            counts=self.t(
                "import.progress",
                read=self._number(report.batch.read),
                new=self._number(new),
            ),
        )


# ---------------------------------------------------------------------------- commands
def cmd_tui(args: argparse.Namespace) -> int:
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    from moderator.ui.app import ModeratorApp

    ModeratorApp(service, keymap=load_keymap()).run()
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    from moderator.ui.stage import StageApp

    StageApp(service).run()
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
    if not (SAMPLE_DIR / "event.toml").exists():
        raise CliError(f"the sample event is missing ({SAMPLE_DIR}); run the demo from a clone")
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
    for summary in load_sample(service):
        _print_summary(summary, out=sys.stderr)
    _meaning_pass(service)
    print(f"demo database: {printable(url)}", file=sys.stderr)
    if args.no_tui:
        return 0
    from moderator.ui.app import ModeratorApp

    ModeratorApp(service, keymap=load_keymap()).run()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    db = _database(args, create=True)
    service = _service(args, db)
    from moderator.services.ingesting import import_paths

    channel = Channel(args.channel) if args.channel else None
    if args.batch_size is not None and args.batch_size < 1:
        raise CliError(f"--batch-size must be at least 1, not {args.batch_size}")
    with _ImportProgress(service.language, enabled=sys.stderr.isatty()) as bar:
        summaries = import_paths(
            service,
            [Path(p) for p in args.paths],
            fmt=args.format,
            channel=channel,
            progress=bar.update,
            batch_size=args.batch_size,
        )
    skipped = 0
    for summary in summaries:
        _print_summary(summary)
        skipped += len(summary.skipped)
    if len(summaries) > 1:
        new = sum(s.new for s in summaries)
        known = sum(s.already_imported for s in summaries)
        print(f"total: {new} new, {known} already imported, {skipped} skipped")
    _meaning_pass(service)
    return 1 if skipped else 0


def _imap_passwords(sources: Sequence[str]) -> dict[str, str]:
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
            raise CliError(
                f"{where}: leave the password out of the URL (it would show in `ps` and the "
                f"shell history); set ${IMAP_PASSWORD_ENV}, put imap_password in "
                "settings.toml, or type it when asked"
            )
        password = imap_password(user, host)
        if password is None and sys.stdin.isatty():
            import getpass

            password = getpass.getpass(f"IMAP password for {user}@{host}: ")
        if not password:
            raise CliError(
                f"{where}: no IMAP password; set ${IMAP_PASSWORD_ENV}, put imap_password in "
                "settings.toml, or run in a terminal to be asked"
            )
        passwords[source] = password
    return passwords


def cmd_watch(args: argparse.Namespace) -> int:
    for source in args.sources:
        if source.startswith(("imap://", "imaps://")):
            continue
        path = Path(source)
        if not path.exists() and not path.parent.is_dir():
            raise CliError(f"{printable(path.parent)}: no such folder (watching {printable(path)})")
    passwords = _imap_passwords(args.sources)  # before anything is created or opened
    db = _database(args, create=True)
    service = _service(args, db)
    from moderator.services.ingesting import watch

    for source in args.sources:
        if not source.startswith(("imap://", "imaps://")) and not Path(source).exists():
            print(
                f"moderator: {printable(source)} does not exist yet; waiting for it",
                file=sys.stderr,
            )

    return watch(
        service,
        args.sources,
        fmt=args.format,
        interval=args.interval,
        report=lambda s: _print_summary(s, out=sys.stderr),
        imap_passwords=passwords,
        allow_insecure=args.allow_insecure,
    )


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.output) if args.output else None
    if out is not None:
        if out.is_dir():
            raise CliError(f"{printable(out)} is a folder; give a file name with -o")
        if not out.parent.is_dir():
            raise CliError(f"{printable(out.parent)}: no such folder (for {printable(out)})")
        if out.exists() and not args.force:
            raise CliError(f"{printable(out)} exists; use --force to overwrite it")
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    from moderator.services.exporting import export_result, masked_note

    result = export_result(
        service,
        fmt=args.format,
        status=args.status,
        project=args.project,
        include_askers=args.include_askers,
        show_counts=not args.no_counts,
        chart=args.chart,
    )
    data = result.data
    if out is None:
        if isinstance(data, bytes):
            if args.format == "xlsx":
                raise CliError("XLSX is binary: give a file with -o")
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
            raise CliError(f"cannot write {printable(out)}: {exc.strerror or exc}") from None
        print(f"wrote {printable(out)}", file=sys.stderr)
    # Contact details the askers wrote into their questions are masked unless asked for.
    if note := masked_note(result.masked, language=service.language):
        print(note, file=sys.stderr)
    return 0


def cmd_import_answers(args: argparse.Namespace) -> int:
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    from moderator.services.exporting import import_answers_file

    updated, problems = import_answers_file(service, Path(args.file))
    print(
        f"{printable(args.file)}: {len(updated)} answers stored, {len(problems)} rows not matched"
    )
    for problem in problems:
        print(f"  {printable(problem)}")
    return 1 if problems else 0


def cmd_stats(args: argparse.Namespace) -> int:
    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    from moderator.services.exporting import print_stats

    print_stats(service)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    db = _database(args, create=False)
    service = _service(args, db)
    if not args.yes:
        raise CliError(
            "this removes every asker name, e-mail address and phone number of the event "
            "(also in question texts, answers, original mails and the action log) and "
            "compacts the database; repeat with --yes to confirm"
        )
    result = service.purge_personal_data()
    print(
        f"removed names, addresses, phone numbers, file names and original messages "
        f"({result.messages} messages had a name or address) from {printable(service.event.slug)}"
    )
    if not result.complete:
        print(
            f"moderator: warning: the old text may still be in the database files: "
            f"{result.compacted}; run purge-personal-data again when no console is open",
            file=sys.stderr,
        )
        return 1
    print(f"compacted {db.safe_url} ({result.compacted})")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    db = Database(args.db or default_db_url())
    before = db.check()
    head = db.upgrade()
    print(f"{printable(db.safe_url)}: schema {before or 'empty'} -> {head}")
    return 0


def cmd_db_reindex(args: argparse.Namespace) -> int:
    db = _database(args, create=False)
    service = _service(args, db)
    if service.embedder() is None:
        _meaning_pass(service)  # says why there is no encoder
        return 1
    dropped, _encoded = service.reindex()
    if dropped:
        print(
            f"{printable(service.event.slug)}: {dropped} vectors of another model dropped",
            file=sys.stderr,
        )
    _meaning_pass(service)
    status = service.meaning_status()
    print(
        f"{printable(service.event.slug)}: {status.model_id}, "
        f"{status.pending} questions without vector"
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


def _help_language() -> str:
    """German help where the locale is German (the event's language is not known before
    the arguments are read), else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "de" if value.lower().startswith("de") else "en"
    return "en"


def cmd_overlay(args: argparse.Namespace) -> int:
    import secrets
    import socket

    from moderator.services.events import stored_config
    from moderator.web.server import Options, WebServer

    db = _database(args, create=_adds_data(args))
    service = _service(args, db)
    config = _config(args) or stored_config(db, service.event.slug) or load_default_config()
    text = _OVERLAY_TEXT.get(service.language, _OVERLAY_TEXT["de"])
    token = None
    if args.host is not None:  # beyond this machine: nothing without the token
        token = args.token or secrets.token_urlsafe(18)
    options = Options(language=service.language, look=config.overlay, token=token)
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
def build_parser() -> argparse.ArgumentParser:
    def common_options(suppress: bool) -> argparse.ArgumentParser:
        # Sub-commands accept the same options; SUPPRESS keeps their defaults from
        # overwriting a value given before the sub-command.
        default = argparse.SUPPRESS if suppress else None
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument(
            "--db",
            metavar="URL",
            default=default,
            help="database URL (default: $MODERATOR_DB, db in settings.toml, or a SQLite "
            "file in the user data directory); e.g. postgresql+psycopg://user@host/db",
        )
        common.add_argument(
            "--event", metavar="SLUG", default=default, help="event to work on (default: newest)"
        )
        common.add_argument(
            "--config", metavar="TOML", default=default, help="event configuration file"
        )
        common.add_argument(
            "--as",
            dest="as_name",
            metavar="NAME",
            default=default,
            help="your moderator name for the action log (default: "
            "$MODERATOR_NAME, name in settings.toml, or the login name)",
        )
        common.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=argparse.SUPPRESS if suppress else False,
            help="log more",
        )
        return common

    top = common_options(False)
    common = common_options(True)
    parser = argparse.ArgumentParser(
        prog="moderator",
        parents=[top],
        description="Keyboard-driven console for the questions of a live webinar.",
    )
    parser.add_argument("--version", action="version", version=f"moderator {__version__}")
    parser.set_defaults(func=cmd_tui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("tui", parents=[common], help="open the console (the default)")
    p.set_defaults(func=cmd_tui)

    p = sub.add_parser(
        "demo",
        parents=[common],
        help="fresh temporary database with the sample event, then the console",
    )
    p.add_argument("--no-tui", action="store_true", help="only load the sample event")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "stage",
        parents=[common],
        help="read-only stage view: the question on air, big, and the next two",
    )
    p.set_defaults(func=cmd_stage)

    from moderator.web import DEFAULT_PORT

    overlay = _OVERLAY_TEXT[_help_language()]
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
    p.add_argument("--host", metavar="ADDRESS", help=overlay["host"])
    p.add_argument("--token", help=overlay["token"])
    p.set_defaults(func=cmd_overlay)

    p = sub.add_parser("import", parents=[common], help="import chat logs, e-mails, spreadsheets")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument(
        "--format", help="skip detection: zoom, bbb, pasted, lines, csv, xlsx, eml, mbox, maildir"
    )
    p.add_argument(
        "--channel",
        choices=[c.value for c in Channel],
        help="override the channel, e.g. phone for a list typed in by hand",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        metavar="N",
        help="messages per transaction (default: batches of about 80 ms each)",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "watch",
        parents=[common],
        help="follow growing chat files, mail folders or an IMAP mailbox "
        "(imaps://user@host/INBOX; the password from $MODERATOR_IMAP_PASSWORD, "
        "imap_password in settings.toml, the keyring, or a prompt)",
    )
    p.add_argument("sources", nargs="+", metavar="PATH_OR_IMAP_URL")
    p.add_argument("--format", help="format of watched files (default: detect)")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between looks")
    p.add_argument(
        "--allow-insecure",
        action="store_true",
        help="IMAP: log in even if the server offers no STARTTLS (the password travels "
        "in plain text); only on a network you trust",
    )
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("export", parents=[common], help="export questions (Q&A page or data)")
    p.add_argument("--format", choices=["md", "html", "csv", "xlsx", "json"], default="json")
    p.add_argument("--status", help="all, or a comma list of states (default: new,later)")
    p.add_argument("--project", metavar="KEY", help="only this project")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument(
        "--include-askers",
        action="store_true",
        help="include names, e-mail addresses, the full original messages and the contact "
        "details in question text (personal data; masked by default)",
    )
    p.add_argument("--no-counts", action="store_true", help="leave out how many people asked")
    p.add_argument("--chart", action="store_true", help="HTML: include the statistics chart")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "import-answers",
        parents=[common],
        help="store written answers from a filled-in CSV/XLSX export",
    )
    p.add_argument("file")
    p.set_defaults(func=cmd_import_answers)

    p = sub.add_parser("stats", parents=[common], help="statistics of the event")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "purge-personal-data",
        parents=[common],
        help="remove names, e-mail addresses and phone numbers, keep the questions",
    )
    p.add_argument("--yes", action="store_true", help="confirm")
    p.set_defaults(func=cmd_purge)

    p = sub.add_parser("events", parents=[common], help="list the events in the database")
    p.set_defaults(func=cmd_events)

    p = sub.add_parser("db", parents=[common], help="database maintenance")
    db_sub = p.add_subparsers(title="db commands", metavar="COMMAND")
    q = db_sub.add_parser("upgrade", parents=[common], help="bring the schema up to date")
    q.set_defaults(func=cmd_db_upgrade)
    q = db_sub.add_parser(
        "reindex",
        parents=[common],
        help="rebuild the meaning vectors of the questions (after a change of the model)",
    )
    q.set_defaults(func=cmd_db_reindex)
    p.set_defaults(func=lambda _args: (p.print_help(), 0)[1])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("db", "event", "config", "as_name"):
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
        _error(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # disk full, a file that vanished, no permission …
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        log.debug("details", exc_info=True)
        return 2
    except Exception as exc:  # a database or library fault: one line, details with -v
        _error(f"{_first_line(exc)} ({type(exc).__name__}; -v shows the details)")
        log.info("details", exc_info=True)
        return 2


def _first_line(exc: BaseException) -> str:
    """The driver's own message of a database error (without the SQL that SQLAlchemy
    appends), else the exception's first line."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip()
    return text.splitlines()[0] if text else type(inner).__name__


def _error(message: str) -> None:
    print(f"moderator: error: {printable(' '.join(message.split()))}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
