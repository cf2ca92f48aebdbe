"""Ingest use cases: files and mailboxes → parsed messages → one import transaction each."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path

from moderator.domain.language import Explained, error_sentence, error_text, os_reason
from moderator.domain.models import Channel, IncomingMessage
from moderator.services.console import EventService, ImportSummary
from moderator.services.importing import ImportBatch

log = logging.getLogger(__name__)

#: Formats whose times carry no date: the day comes from the path, else `chat_day`.
WALL_CLOCK_FORMATS = frozenset({"zoom", "zoom-old", "bbb", "pasted", "lines"})
_DAY_NOTES = {
    "de": {
        "event": "{name}: kein Datum im Pfad; Datum {day} aus der Veranstaltung (starts_at), "
        "Uhrzeiten in {zone}",
        "mtime": "{name}: kein Datum im Pfad und keines in der Veranstaltung (starts_at); "
        "Datum {day} vom Änderungsdatum der Datei, Uhrzeiten in {zone}",
    },
    "en": {
        "event": "{name}: no date in the path; date {day} from the event (starts_at), "
        "times in {zone}",
        "mtime": "{name}: no date in the path nor in the event (starts_at); date {day} from "
        "the file's modification time, times in {zone}",
    },
}


def chat_day(
    service: EventService, path: Path, language: str | None = None
) -> tuple[date | None, str | None]:
    """The day for a chat whose times carry no date, and the note saying where it came from
    (in `language`, else the event's).

    A date in the file name wins (None: the parser reads it), then one in the folder name,
    then the event's `starts_at`, then the file's modification time, all in the event's
    time zone. The note is None when the path had a date.
    """
    from moderator.ingest.base import date_from_name

    if date_from_name(path.name) is not None:
        return None, None
    folder = date_from_name(path.parent.name)
    if folder is not None:
        return folder, None
    zone = service.timezone
    texts = _DAY_NOTES.get(language or service.language, _DAY_NOTES["de"])
    starts_at = service.event.starts_at
    if starts_at is not None:
        day, source = starts_at.astimezone(zone).date(), "event"
    else:
        try:
            modified = path.stat().st_mtime
        except OSError:
            return None, None
        day, source = datetime.fromtimestamp(modified, zone).date(), "mtime"
    return day, texts[source].format(name=path.name, day=day.isoformat(), zone=zone.key)


@dataclass(frozen=True, slots=True)
class FileProgress:
    """After each committed batch of a file: `position` of its `size` bytes are read."""

    source: str
    position: int
    size: int
    batch: ImportBatch


def import_paths(
    service: EventService,
    paths: Iterable[Path],
    *,
    fmt: str | None = None,
    channel: Channel | None = None,
    progress: Callable[[FileProgress], None] | None = None,
    matching: Callable[[str, int, int], object] | None = None,
    batch_size: int | None = None,
    language: str | None = None,
) -> list[ImportSummary]:
    """Import every path (files, mbox, Maildir folders); one summary per path, its
    problems said in `language` (the command line's --lang), else the event's.

    Each file is parsed while it is stored, a batch per transaction (chat logs line by
    line, so a log of a million messages needs no more memory than a small one);
    `progress` hears of every committed batch, `matching(source, compared, to compare)`
    of every chunk of the comparison that follows the storing of a file. A path that
    cannot be read at all yields a summary with one skipped line and the others are still
    imported.
    """
    from moderator.ingest.base import SaidProblems
    from moderator.ingest.detect import FolderItem, StreamedParse, scan_folder, stream_file

    said = language or service.language
    summaries = []
    for path in paths:
        path = Path(path)
        if fmt is None and path.is_dir():
            # A folder: every file in it that can be read; each one left out is named.
            scan = scan_folder(path)
            units = scan.items
            left_out = [
                ImportSummary(source=str(p), skipped=[_left_out(p, reason, said)])
                for p, reason in scan.skipped
            ]
        else:
            units, left_out = [FolderItem(str(path), fmt or "", [path])], []
        for unit in units:
            label = unit.label
            try:
                one = unit.paths[0] if len(unit.paths) == 1 else None
                day, note = chat_day(service, one, said) if one is not None else (None, None)
                if len(unit.paths) == 1 and unit.format != "eml":
                    # one file: parsed while it is stored (chat logs line by line)
                    result = stream_file(unit.paths[0], format=unit.format or None, day=day)
                else:
                    whole = unit.parse(day=day)
                    result = StreamedParse(
                        whole.format, iter(whole.messages), whole.problems, 0, [0]
                    )
            except (ValueError, OSError) as exc:
                skipped = [_one_line(exc, label, said)]
                summaries.append(ImportSummary(source=label, skipped=skipped))
                continue
            messages: Iterable = result.messages
            if channel is not None:
                messages = (replace(m, channel=channel) for m in messages)
            timed: list[bool] = []  # whether a message had a time, so the day was used
            if note and result.format in WALL_CLOCK_FORMATS:
                messages = _noting_times(messages, timed)

            def report(batch: ImportBatch, result=result, label=label) -> None:
                if progress is not None:
                    progress(FileProgress(label, result.position[0], result.size, batch))

            def compared(done: int, total: int, label=label) -> None:
                if matching is not None:
                    matching(label, done, total)

            summary = service.import_messages(
                messages,
                source=label,
                problems=SaidProblems(result.problems, said),
                progress=report,
                batch_size=batch_size,
                matching=compared,
            )
            if note and timed:
                summary.notes.append(note)
            summaries.append(summary)
        summaries.extend(left_out)
    return summaries


def _noting_times(messages: Iterable[IncomingMessage], timed: list[bool]) -> Iterator:
    """Passes `messages` on; `timed` gets an entry once one of them carries a time."""
    for message in messages:
        if not timed and message.received_at is not None:
            timed.append(True)
        yield message


def _timed(messages: Sequence[IncomingMessage]) -> bool:
    return any(m.received_at is not None for m in messages)


def _left_out(path: Path, reason: object, language: str) -> str:
    """ "foto.jpg: Binärdatei, …": why a file of a folder was not read."""
    text = error_text(reason, language)
    return text if text.startswith(str(path)) else f"{path}: {text}"


def _one_line(exc: BaseException, label: str, language: str) -> str:
    said = error_text(exc, language).strip()
    text = said.splitlines()[0] if said else type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror and not isinstance(exc, Explained):
        text = os_reason(exc, language)
    return text if label in text else f"{label}: {text}"


class FileFollower:
    """Follows one growing chat file or a folder of mails; imports what is new."""

    def __init__(
        self,
        service: EventService,
        path: Path,
        fmt: str | None = None,
        *,
        language: str | None = None,
    ) -> None:
        self.service = service
        self.language = language  # what its notes are said in (None: the event's language)
        self.path = path
        self.fmt = fmt
        self._signature: tuple[int, int] | None = None
        self._seen: set[str] = set()
        self._holding = False
        self.label = str(path)
        self._noted = False  # the note on the chat's day is given once

    def _current_signature(self) -> tuple[int, int] | None:
        try:
            if self.path.is_dir():
                files = [p for p in self.path.rglob("*") if p.is_file()]
                return (len(files), max((p.stat().st_mtime_ns for p in files), default=0))
            stat = self.path.stat()
            return (stat.st_size, stat.st_mtime_ns)
        except OSError:
            return None

    def poll(self) -> ImportSummary | None:
        """Import what is new. The last message of a file that just changed is held back
        until the file has stayed the same for one more look: it may still be being written.
        """
        from moderator.ingest.detect import parse_file

        signature = self._current_signature()
        if signature is None:
            return None
        changed = signature != self._signature
        if not changed and not self._holding:
            return None
        day, note = chat_day(self.service, self.path, self.language)
        try:
            result = parse_file(self.path, format=self.fmt, day=day)
        except ValueError as exc:
            if signature[0] > 0:
                log.warning("%s", exc)
            self._signature = signature
            return None
        self._signature = signature
        messages = result.messages
        self._holding = changed and bool(messages)
        if self._holding:
            messages = messages[:-1]
        fresh = [m for m in messages if m.source_key not in self._seen]
        if not fresh:
            return None
        summary = self.service.import_messages(fresh, source=str(self.path))
        self._seen.update(m.source_key for m in fresh)
        if note and result.format in WALL_CLOCK_FORMATS and _timed(fresh) and not self._noted:
            summary.notes.append(note)
            self._noted = True
        return summary


class ImapFollower:
    """Polls an IMAP mailbox read-only, remembering UIDVALIDITY and the last UID.

    `label` names it in messages and logs: the mailbox URL without any password."""

    def __init__(
        self,
        service: EventService,
        url: str,
        *,
        password: str | None = None,
        allow_insecure: bool = False,
        language: str | None = None,
    ) -> None:
        from moderator.ingest.imap import ImapSource

        self.service = service
        self.language = language  # what its problems are said in (None: the event's)
        self.source = ImapSource(url, password=password, allow_insecure=allow_insecure)
        self.label = self.source.display_name
        self.key = "imap:" + url.split("@")[-1]

    def poll(self) -> ImportSummary | None:
        from moderator.ingest.base import SaidProblems
        from moderator.ingest.imap import ImapState

        stored = self.service.source_state(self.key)
        state = ImapState(**stored) if stored else None
        messages, problems, new_state = self.source.fetch_new(state)
        if not messages and not problems and state == new_state:
            return None
        return self.service.import_with_state(
            messages,
            source=self.key,
            state=asdict(new_state),
            problems=SaidProblems(problems, self.language or self.service.language),
        )


def make_followers(
    service: EventService,
    sources: Sequence[str],
    fmt: str | None = None,
    *,
    imap_passwords: Mapping[str, str] | None = None,
    allow_insecure: bool = False,
    language: str | None = None,
) -> list[FileFollower | ImapFollower]:
    """One follower per source; `imap_passwords` by IMAP URL (the URLs carry none)."""
    followers: list[FileFollower | ImapFollower] = []
    for source in sources:
        if source.startswith(("imap://", "imaps://")):
            followers.append(
                ImapFollower(
                    service,
                    source,
                    password=(imap_passwords or {}).get(source),
                    allow_insecure=allow_insecure,
                    language=language,
                )
            )
        else:
            followers.append(FileFollower(service, Path(source), fmt, language=language))
    return followers


def watch(
    service: EventService,
    sources: Sequence[str],
    *,
    fmt: str | None = None,
    interval: float = 0.5,
    report: Callable[[ImportSummary], None] | None = None,
    stop: threading.Event | None = None,
    imap_interval: float = 10.0,
    imap_passwords: Mapping[str, str] | None = None,
    allow_insecure: bool = False,
    language: str | None = None,
) -> int:
    """Follow the sources until interrupted (or `stop` is set); returns an exit code.

    A source that keeps failing the same way (server down, login refused) is reported once
    as a warning, then only in the debug log until the error changes or it works again.
    """
    said = language or service.language  # what its warnings are said in
    followers = make_followers(
        service,
        sources,
        fmt,
        imap_passwords=imap_passwords,
        allow_insecure=allow_insecure,
        language=language,
    )
    stop = stop or threading.Event()
    last_imap = 0.0
    failing: dict[int, str] = {}  # follower index -> the error last reported
    while not stop.is_set():
        now = time.monotonic()
        for index, follower in enumerate(followers):
            if isinstance(follower, ImapFollower) and now - last_imap < imap_interval:
                continue
            try:
                summary = follower.poll()
            except Exception as exc:
                # the first line only: no SQL, no data, no password
                problem = _one_line(exc, follower.label, said)
                if failing.get(index) == problem:
                    log.debug("still: %s", problem)
                else:
                    log.warning("%s", problem)
                    failing[index] = problem
                continue
            if failing.pop(index, None) is not None:
                log.warning("%s", error_sentence("works_again", {"label": follower.label}, said))
            if summary is not None and report is not None:
                report(summary)
        if any(isinstance(f, ImapFollower) for f in followers) and now - last_imap >= imap_interval:
            last_imap = now
        stop.wait(interval)
    return 0
