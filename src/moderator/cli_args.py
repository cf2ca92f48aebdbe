"""argparse in the command line's language: the headings of `--help` ("Aufruf:",
"Optionen", "Befehle") and argparse's own error messages ("diese Argumente fehlen: …") in
German; English as argparse writes it.

The language is chosen before the arguments are parsed (`argv_language`): --lang in argv,
else the language of the --config file, else the locale's.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from moderator.cli_text import CliText
from moderator.config import ConfigError, default_language, load_config
from moderator.domain.language import LANGUAGES

#: argparse's English error messages (Python 3.11 to 3.13) and what a German user reads
#: instead; a message that matches none is shown as argparse wrote it.
ARGPARSE_ERRORS_DE: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.+)", "diese Argumente fehlen: {0}"),
    (r"invalid choice: (.+?) \(choose from (.+)\)", "ungültige Auswahl: {0} (möglich: {1})"),
    (r"unrecognized arguments: (.+)", "unbekannte Argumente: {0}"),
    (r"expected one argument", "hier fehlt der Wert"),
    (r"expected at most one argument", "höchstens ein Wert erlaubt"),
    (r"expected at least one argument", "mindestens ein Wert nötig"),
    (r"expected (\d+) arguments?", "{0} Werte nötig"),
    (r"invalid int value: (.+)", "keine ganze Zahl: {0}"),
    (r"invalid float value: (.+)", "keine Zahl: {0}"),
    (r"invalid (\S+) value: (.+)", "ungültiger Wert ({0}): {1}"),
    (r"ambiguous option: (\S+) could match (.+)", "mehrdeutige Option: {0} passt zu {1}"),
    (r"not allowed with argument (.+)", "nicht zusammen mit {0} erlaubt"),
    (r"ignored explicit argument (.+)", "der Wert {0} wird übergangen"),
    (r"one of the arguments (.+) is required", "eines dieser Argumente ist nötig: {0}"),
    (r"unexpected option string: (.+)", "unerwartete Option: {0}"),
)
_ARGUMENT = re.compile(r"argument (.+?): (.*)", re.DOTALL)


def argparse_error(message: str, language: str) -> str:
    """One of argparse's error messages in `language` ("argument --lang: invalid choice: …"
    → "Argument --lang: ungültige Auswahl: …")."""
    if language != "de":
        return message
    named = _ARGUMENT.fullmatch(message)
    if named:
        return f"Argument {named.group(1)}: {argparse_error(named.group(2), language)}"
    for pattern, german in ARGPARSE_ERRORS_DE:
        found = re.fullmatch(pattern, message, re.DOTALL)
        if found:
            return german.format(*found.groups())
    return message


def argv_language(argv: Sequence[str]) -> str:
    """The command line's language before its arguments are parsed: --lang, else the
    language of the --config file (even a broken one, if it names one), else the locale's."""
    lang = _option(argv, "--lang")
    if lang in LANGUAGES:
        return lang
    config = _option(argv, "--config")
    if config:
        try:
            return load_config(Path(config)).language
        except ConfigError as exc:
            if exc.language:
                return exc.language
    return default_language()


def _option(argv: Sequence[str], name: str) -> str | None:
    """The last value given to option `name` ("--lang de" or "--lang=de")."""
    value = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == name and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def _translated(base: type[argparse.HelpFormatter], t: CliText) -> Callable[..., Any]:
    """`base` with argparse's headings in `t`'s language."""
    headings = {"positional arguments": t("args.positional"), "options": t("args.options")}

    class Formatter(base):  # type: ignore[valid-type,misc]
        def add_usage(self, usage, actions, groups, prefix=None):
            super().add_usage(usage, actions, groups, t("args.usage") if prefix is None else prefix)

        def start_section(self, heading):
            super().start_section(headings.get(heading, heading) if heading else heading)

    return Formatter


class LocalParser(argparse.ArgumentParser):
    """An ArgumentParser that speaks `language`: headings, usage and its errors; the
    parsers of its sub-commands too. `-h` comes from `help_option` (so it is listed
    first and said in the same language)."""

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        self.t = CliText(language)
        base = kwargs.pop("formatter_class", argparse.HelpFormatter)
        kwargs["formatter_class"] = _translated(base, self.t)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", functools.partial(LocalParser, language=self.t.language))
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        said = argparse_error(message, self.t.language)
        self.exit(2, self.t("args.error", prog=self.prog, message=said) + "\n")


def help_option(parser: argparse.ArgumentParser, t: CliText) -> None:
    parser.add_argument(
        "-h", "--help", action="help", default=argparse.SUPPRESS, help=t("args.help")
    )
