"""After the event: export, import-answers and stats."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from moderator.cli.base import (
    CliError,
    adds_data,
    event_service,
    open_database,
    printable,
    text_for,
)
from moderator.domain.language import os_reason


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.output) if args.output else None
    # The event is opened first (nothing is created without --config), so that a refusal is
    # said in its language.
    db = open_database(args, create=adds_data(args))
    service = event_service(args, db)
    t = text_for(args, service)
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
            reason = os_reason(exc, t.language)
            raise CliError(t("export.cannot_write", path=printable(out), reason=reason)) from None
        print(t("export.wrote", path=printable(out)), file=sys.stderr)
    # Contact details the askers wrote into their questions are masked unless asked for.
    if note := masked_note(result.masked, language=t.language):
        print(note, file=sys.stderr)
    return 0


def cmd_import_answers(args: argparse.Namespace) -> int:
    db = open_database(args, create=adds_data(args))
    service = event_service(args, db)
    from moderator.services.exporting import import_answers_file

    t = text_for(args, service)
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
    db = open_database(args, create=adds_data(args))
    service = event_service(args, db)
    from moderator.services.exporting import print_stats

    print_stats(service, language=text_for(args, service).language)
    return 0
