"""Export use cases: gather plain objects from storage, hand them to an exporter."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from moderator.domain.models import Group, Kind, Message, QueueState, effective_project
from moderator.domain.personal import Masked
from moderator.domain.queues import EXPORT_DEFAULT_STATES
from moderator.export.json_export import build_json, render_json
from moderator.export.masking import hide_source_keys, mask_groups, mask_messages
from moderator.services.console import EventService
from moderator.services.errors import ServiceError
from moderator.storage.repository import Repository

ALL = "all"


def parse_status(value: str | None) -> frozenset[QueueState] | None:
    """`None`/"" → the default (answer later + untouched), "all" → everything, else a list."""
    if not value:
        return EXPORT_DEFAULT_STATES
    if value == ALL:
        return None
    states = set()
    for part in value.split(","):
        part = part.strip().replace("-", "_")
        try:
            states.add(QueueState(part))
        except ValueError:
            names = ", ".join(s.value for s in QueueState)
            raise ServiceError(key="unknown_status", status=repr(part), names=names) from None
    return frozenset(states)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything an export needs, read in one transaction."""

    groups: tuple[Group, ...]
    messages: tuple[Message, ...]
    suggestions: dict[int, list[tuple[int, float]]]


def snapshot(
    service: EventService,
    *,
    states: Collection[QueueState] | None,
    project: str | None = None,
    include_merged: bool = False,
) -> Snapshot:
    if project is not None and service.project(project) is None:
        keys = ", ".join(p.key for p in service.projects)
        raise ServiceError(key="unknown_export_project", project=repr(project), keys=keys)
    with service.db.reading() as session:
        repo = Repository(session)
        groups = repo.full_groups(
            service.event_id, include_merged=include_merged, with_suggestions=True
        )
        messages = repo.messages(service.event_id)
        suggestions = repo.all_suggestions(service.event_id)
    general = service.general_key
    selected = []
    for group in groups:
        if not group.members and group.merged_into is None:
            continue  # emptied by a reclassification: nothing to show
        if states is not None and group.state not in states:
            continue
        if project is not None and effective_project(group, general) != project:
            continue
        selected.append(group)
    return Snapshot(tuple(selected), tuple(messages), suggestions)


@dataclass(frozen=True, slots=True)
class ExportResult:
    """A rendered export (text, or bytes for XLSX) and what was masked in it."""

    data: str | bytes
    masked: Masked


def export_json(
    service: EventService,
    *,
    states: Collection[QueueState] | None = None,
    project: str | None = None,
    include_askers: bool = False,
    generated_at: datetime | None = None,
) -> str:
    """The complete JSON document; with default arguments every group and message."""
    result = _json_result(
        service,
        states=states,
        project=project,
        include_askers=include_askers,
        generated_at=generated_at,
    )
    assert isinstance(result.data, str)
    return result.data


def _json_result(
    service: EventService,
    *,
    states: Collection[QueueState] | None,
    project: str | None,
    include_askers: bool,
    generated_at: datetime | None,
) -> ExportResult:
    snap = snapshot(
        service, states=states, project=project, include_merged=states is None and project is None
    )
    if states is None and project is None:
        messages = snap.messages
    else:
        wanted = {g.id for g in snap.groups}
        member_ids = {m.id for g in snap.groups for m in g.members}
        messages = tuple(
            m
            for m in snap.messages
            if m.group_id in wanted or (m.kind == Kind.VOTE and m.vote_for_id in member_ids)
        )
    groups = snap.groups
    masked = Masked()
    if not include_askers:
        groups, masked = mask_groups(groups, count_members=False)
        messages, in_messages = mask_messages(hide_source_keys(messages))
        masked += in_messages
    document = build_json(
        event=service.event,
        projects=service.projects,
        groups=groups,
        messages=messages,
        suggestions=snap.suggestions,
        include_askers=include_askers,
        generated_at=generated_at or service.clock(),
        filters={
            "status": sorted(s.value for s in states) if states is not None else "all",
            "project": project,
        },
    )
    return ExportResult(render_json(document), masked)


FORMATS = ("md", "html", "csv", "xlsx", "json")


def export_to(
    service: EventService,
    *,
    fmt: str,
    status: str | None = None,
    project: str | None = None,
    include_askers: bool = False,
    show_counts: bool = True,
    chart: bool = False,
    generated_at: datetime | None = None,
    language: str | None = None,
) -> str | bytes:
    """Render the export in one of `FORMATS`; text formats give str, XLSX bytes."""
    return export_result(
        service,
        fmt=fmt,
        status=status,
        project=project,
        include_askers=include_askers,
        show_counts=show_counts,
        chart=chart,
        generated_at=generated_at,
        language=language,
    ).data


def export_result(
    service: EventService,
    *,
    fmt: str,
    status: str | None = None,
    project: str | None = None,
    include_askers: bool = False,
    show_counts: bool = True,
    chart: bool = False,
    generated_at: datetime | None = None,
    language: str | None = None,
) -> ExportResult:
    """Like `export_to`, and says how many contact details were masked.

    `language`: of the CSV/XLSX header row and state/channel values (default: the
    event's); the JSON keeps its documented schema in every language.

    Without `include_askers` (the default, the publishable form) e-mail addresses and
    phone numbers in question text are masked in every format.
    """
    if fmt not in FORMATS:
        raise ServiceError(key="unknown_format", fmt=repr(fmt), formats=", ".join(FORMATS))
    states = parse_status(status)
    if fmt == "json":
        return _json_result(
            service,
            states=states,
            project=project,
            include_askers=include_askers,
            generated_at=generated_at,
        )
    import io

    from moderator.export.base import ExportData, ExportOptions

    snap = snapshot(service, states=states, project=project)
    groups, masked = snap.groups, Masked()
    if not include_askers:
        groups, masked = mask_groups(groups)
    data = ExportData(event=service.event, projects=tuple(service.projects), groups=groups)
    options = ExportOptions(
        include_askers=include_askers,
        show_counts=show_counts,
        generated_at=generated_at or service.clock(),
        chart=chart,
        language=language or service.language,
    )
    if fmt == "md":
        from moderator.export.markdown import render_markdown

        return ExportResult(render_markdown(data, options), masked)
    if fmt == "html":
        from moderator.export.html import render_html

        return ExportResult(render_html(data, options), masked)
    if fmt == "csv":
        from moderator.export.tabular import render_csv

        return ExportResult(render_csv(data, options), masked)
    from moderator.export.tabular import write_xlsx

    buffer = io.BytesIO()
    write_xlsx(data, options, buffer)
    return ExportResult(buffer.getvalue(), masked)


def masked_note(masked: Masked, *, language: str = "en") -> str | None:
    """The line the CLI prints after an export that masked contact details."""
    if not masked.total:
        return None
    if language == "de":
        parts = []
        if masked.emails:
            parts.append(
                "1 E-Mail-Adresse" if masked.emails == 1 else f"{masked.emails} E-Mail-Adressen"
            )
        if masked.phones:
            parts.append(
                "1 Telefonnummer" if masked.phones == 1 else f"{masked.phones} Telefonnummern"
            )
        return (
            f"{' und '.join(parts)} im Fragetext unkenntlich gemacht (--include-askers behält sie)"
        )
    parts = []
    if masked.emails:
        parts.append(
            "1 e-mail address" if masked.emails == 1 else f"{masked.emails} e-mail addresses"
        )
    if masked.phones:
        parts.append("1 phone number" if masked.phones == 1 else f"{masked.phones} phone numbers")
    return f"masked {' and '.join(parts)} in question text (--include-askers keeps them)"


_ANSWER_PROBLEMS = {
    "de": {
        "merged": "{path}: Frage #{id} wurde in #{target} zusammengeführt; die Antwort dort "
        "eintragen",
        "unknown": "{path}: keine Frage #{id} in diesem Event",
    },
    "en": {
        "merged": "{path}: question #{id} was merged into #{target}; write its answer there",
        "unknown": "{path}: no question #{id} in this event",
    },
}


def import_answers_file(
    service: EventService, path, *, language: str | None = None
) -> tuple[list[int], list[str]]:
    """Read a filled-in CSV/XLSX export and store its answers; report unmatched rows (in
    `language`, default the event's)."""
    from moderator.export.answers import read_answers

    language = language or service.language
    words = _ANSWER_PROBLEMS["de" if language == "de" else "en"]
    try:
        answers, problems = read_answers(path, language)
    except (OSError, ValueError) as exc:
        text = str(exc)
        raise ServiceError(text if text.startswith(str(path)) else f"{path}: {text}") from None
    updated, unknown = service.import_answers(answers)
    merged = service.merged_into(unknown)
    problems = list(problems) + [
        words["merged"].format(path=path, id=gid, target=merged[gid])
        if gid in merged
        else words["unknown"].format(path=path, id=gid)
        for gid in unknown
    ]
    return updated, problems


def event_stats(service: EventService):
    from moderator.export.stats import compute_stats

    snap = snapshot(service, states=None)
    merged = tuple(g for g in snap.groups if g.merged_into is None)
    return compute_stats(merged, snap.messages, tuple(service.projects))


def print_stats(service: EventService, *, language: str | None = None) -> None:
    from rich.console import Console

    from moderator.export.stats import render_stats_rich

    Console().print(render_stats_rich(event_stats(service), language or service.language))
