"""import and watch: files, folders and mailboxes into the event, with a progress bar, a
summary per file in the event's language, and Ctrl+C between batches."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from moderator.cli.base import (
    CliError,
    event_service,
    meaning_pass,
    open_database,
    printable,
    text_for,
)
from moderator.cli_text import CliText
from moderator.domain.models import Channel


def print_summary(summary, t: CliText, *, out=None, names=None) -> None:
    """One import's summary; `names`: project key -> name (the suggested projects are
    named as the console and the exports name them, not by their configuration keys)."""
    out = out or sys.stdout
    names = names or {}
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
        parts = ", ".join(
            f"{names.get(k, k)} {v}" for k, v in summary.projects.most_common()
        )
        print(t("summary.projects", parts=printable(parts)), file=out)
    for note in getattr(summary, "notes", ()):
        print(t("summary.note", note=printable(note)), file=out)
    for problem in summary.skipped:
        print(t("summary.skip", problem=printable(problem)), file=out)


def project_names(service) -> dict[str, str]:
    """Project key -> the project's name, for what the command line says."""
    return {p.key: p.name for p in service.projects}


class ImportProgress:
    """A Rich progress bar on stderr, a line per file, moved on after each committed
    batch: bytes read of the file, messages read and stored (German or English, as the
    event's interface). Off when stderr is not a terminal."""

    def __init__(self, t: CliText, *, enabled: bool) -> None:
        self.t = t
        self.enabled = enabled
        self._tasks: dict[str, Any] = {}  # rich's task ids, by file
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

    def __enter__(self) -> ImportProgress:
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

    def compared(self, source: str, done: int, total: int) -> None:
        """After each chunk of the comparison that follows the storing of a file."""
        task = self._tasks.get(source)
        if self._progress is None or task is None:
            return
        counts = self.t("import.compared", done=self.t.number(done), total=self.t.number(total))
        self._progress.update(task, counts=counts)

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


class StopBetweenBatches:
    """Ctrl+C during an import: the batch being stored is finished (each is one
    transaction of a fraction of a second) and the import stops before the next one, so what
    is said to be stored is exactly what is stored. A second Ctrl+C stops at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: object = None

    def __enter__(self) -> StopBetweenBatches:
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


def cmd_import(args: argparse.Namespace) -> int:
    db = open_database(args, create=True)
    service = event_service(args, db)
    from moderator.services.ingesting import import_paths

    t = text_for(args, service)
    channel = Channel(args.channel) if args.channel else None
    if args.batch_size is not None and args.batch_size < 1:
        raise CliError(t("batch.too_small", n=args.batch_size))
    bar = ImportProgress(t, enabled=sys.stderr.isatty())

    def progress(report) -> None:
        bar.update(report)
        stop.check()

    def compared(source: str, done: int, total: int) -> None:
        bar.compared(source, done, total)
        stop.check()

    try:
        with StopBetweenBatches() as stop, bar:
            summaries = import_paths(
                service,
                [Path(p) for p in args.paths],
                fmt=args.format,
                channel=channel,
                progress=progress,
                matching=compared,
                batch_size=args.batch_size,
                language=t.language,
            )
    except KeyboardInterrupt:
        print(t("import.stopped"), file=sys.stderr)
        for line in bar.kept(args.paths):
            print(line, file=sys.stderr)
        return 130
    skipped = 0
    for summary in summaries:  # complete, even if Ctrl+C came after the last batch
        print_summary(summary, t, names=project_names(service))
        skipped += len(summary.skipped)
    if len(summaries) > 1:
        new = sum(s.new for s in summaries)
        known = sum(s.already_imported for s in summaries)
        print(t("summary.total", new=new, known=known, skipped=t("summary.skipped", n=skipped)))
    try:
        stop.check()
        meaning_pass(service, t)
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
    t = text_for(args)
    for source in args.sources:
        if source.startswith(("imap://", "imaps://")):
            continue
        path = Path(source)
        if not path.exists() and not path.parent.is_dir():
            raise CliError(
                t("watch.no_folder", folder=printable(path.parent), path=printable(path))
            )
    passwords = _imap_passwords(args.sources, t)  # before anything is created or opened
    db = open_database(args, create=True)
    service = event_service(args, db)
    t = text_for(args, service)
    from moderator.services.ingesting import watch

    for source in args.sources:
        if not source.startswith(("imap://", "imaps://")) and not Path(source).exists():
            print(t("watch.waiting", path=printable(source)), file=sys.stderr)

    return watch(
        service,
        args.sources,
        fmt=args.format,
        interval=args.interval,
        report=lambda s: print_summary(s, t, out=sys.stderr, names=project_names(service)),
        imap_passwords=passwords,
        allow_insecure=args.allow_insecure,
        language=t.language,
    )
