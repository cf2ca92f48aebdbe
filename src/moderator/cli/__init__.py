"""Command line: tui, demo, stage, overlay, import, watch, export, stats, db upgrade …

Imports no Textual until a screen is actually opened, so the data commands start fast.
One module per concern: `base` (database, event, language), `importing`, `consoles`,
`exporting`, `database`, `parser`; `main` here runs one command and says its errors.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from moderator.cli.base import SAMPLE_DIR, CliError, PrintableFormatter, printable, text_for
from moderator.cli.consoles import demo_console, load_sample
from moderator.cli.parser import build_parser
from moderator.cli_args import argv_language
from moderator.cli_text import CliText
from moderator.domain.language import Explained, error_text, os_reason

__all__ = ["SAMPLE_DIR", "CliError", "build_parser", "demo_console", "load_sample", "main"]

log = logging.getLogger("moderator")


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
    formatter = PrintableFormatter(
        "%(levelname)s %(name)s: %(message)s", language=lambda: text_for(args).language
    )
    handler.setFormatter(formatter)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[handler])
    try:
        return args.func(args)
    except (CliError, Explained) as exc:  # said in German or English
        t = text_for(args)
        _error(error_text(exc, t.language), t)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # disk full, a file that vanished, no permission …
        where = f"{exc.filename}: " if exc.filename else ""
        t = text_for(args)
        _error(f"{where}{os_reason(exc, t.language)}", t)
        log.debug("details", exc_info=True)
        return 2
    except Exception as exc:  # a database or library fault: one line, details with -v
        t = text_for(args)
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
