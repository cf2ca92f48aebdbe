"""The arguments of every command, their help and argparse's errors in the command line's
language (`cli_args`, `cli_text`)."""

from __future__ import annotations

import argparse
import sys

from moderator import __version__
from moderator.cli.consoles import OVERLAY_TEXT, cmd_demo, cmd_overlay, cmd_stage, cmd_tui
from moderator.cli.database import (
    cmd_db_reindex,
    cmd_db_upgrade,
    cmd_events,
    cmd_purge,
)
from moderator.cli.exporting import cmd_export, cmd_import_answers, cmd_stats
from moderator.cli.importing import cmd_import, cmd_watch
from moderator.cli_args import LocalParser, argv_language, help_option
from moderator.cli_text import CliText
from moderator.domain.language import LANGUAGES
from moderator.domain.models import Channel


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

    overlay = OVERLAY_TEXT[t.language]
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
