"""`ConfigError` and finding where in a file it lies: the line of a key or table, and what
the TOML parser said, in German for a German user."""

from __future__ import annotations

import re
from dataclasses import dataclass

from moderator.domain.language import Explained, Sentence


class ConfigError(Explained, ValueError):
    """The event configuration cannot be used; the message says where and why (`str()` in
    English, `error_text(exc, language)` in either language). `language` is the one the
    broken file asks for, when it got that far (None before)."""

    def __init__(self, message: str = "", *, key: str | None = None, **values: object) -> None:
        super().__init__(message, key=key, **values)
        self.language: str | None = None


def error_at(where: str, what: Sentence) -> ConfigError:
    """ "event.toml:12: …" """
    return ConfigError(key="config.at", where=where, what=what)


def line_of(text: str, pattern: str, occurrence: int = 0) -> int | None:
    matches = list(re.finditer(pattern, text, flags=re.MULTILINE))
    if len(matches) > occurrence:
        found = matches[occurrence]
        # `^\s*` may start on a blank line above: count from the first character shown
        start = found.start() + len(found.group()) - len(found.group().lstrip())
        return text.count("\n", 0, start) + 1
    return None


#: The TOML parser's (tomllib's) commonest messages, as a German user reads them; others
#: keep the parser's words.
_TOML_DE: tuple[tuple[str, str], ...] = (
    (r"Invalid value", "ungültiger Wert"),
    (r"Invalid statement", "ungültige Anweisung"),
    (r"Expected '=' after a key in a key/value pair", "nach dem Schlüssel fehlt „=“"),
    (r"Expected ']' at the end of a table declaration", "am Ende des Tabellennamens fehlt „]“"),
    (r"Expected ']]' at the end of an array declaration", "am Ende des Namens fehlt „]]“"),
    (r"Unclosed array", "die Liste ist nicht geschlossen"),
    (r"Unclosed inline table", "die Tabelle ist nicht geschlossen"),
    (r"Unterminated string", "der Text ist nicht abgeschlossen"),
    (r"Cannot overwrite a value", "ein Wert ist zweimal angegeben"),
    (r"Cannot declare (.+) twice", "{0} ist zweimal angegeben"),
    (r"Invalid initial character for a key part", "ungültiges erstes Zeichen eines Schlüssels"),
    (r"Illegal character (.+)", "unzulässiges Zeichen {0}"),
    (r"Found invalid character (.+)", "ungültiges Zeichen {0}"),
    (r"Invalid date or datetime", "ungültiges Datum"),
    (r"Expected (.+)", "erwartet: {0}"),
)
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)$|\(at end of document\)$")


@dataclass(frozen=True, slots=True)
class TomlDetail:
    """What the TOML parser said, in German for a German user (`domain.language` says any
    value with `said_in`)."""

    message: str

    def said_in(self, language: str) -> str:
        if language != "de":
            return self.message
        text, at = self.message, _TOML_AT.search(self.message)
        where = ""
        if at:
            text = self.message[: at.start()].rstrip()
            where = f" (Zeile {at[1]}, Spalte {at[2]})" if at[1] else " (am Ende der Datei)"
        for pattern, german in _TOML_DE:
            found = re.fullmatch(pattern, text)
            if found:
                return german.format(*found.groups()) + where
        return self.message

    def __str__(self) -> str:
        return self.message
