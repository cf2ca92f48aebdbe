"""Event configuration (TOML), thresholds and where data lives.

A bad configuration file raises `ConfigError` whose message names the file and line, in
German and English (`domain.language.ERROR_TEXT`; `language` is the file's own, when it was
read that far).
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from moderator.domain.agenda import Slot
from moderator.domain.fit import PROJECT_KEY_MAX, PROJECT_NAME_MAX, SLUG_MAX, TITLE_MAX
from moderator.domain.language import Explained, Sentence, language_code, locale_language, sentence
from moderator.domain.models import GENERAL_KEY, Project

APP_NAME = "moderator"
log = logging.getLogger(__name__)
DB_ENV = "MODERATOR_DB"
NAME_ENV = "MODERATOR_NAME"
IMAP_PASSWORD_ENV = "MODERATOR_IMAP_PASSWORD"
#: The time zone of chat times that carry none ("18:01:23" in a Zoom chat).
DEFAULT_TIMEZONE = "Europe/Berlin"


class ConfigError(Explained, ValueError):
    """The event configuration cannot be used; the message says where and why (`str()` in
    English, `error_text(exc, language)` in either language). `language` is the one the
    broken file asks for, when it got that far (None before)."""

    def __init__(self, message: str = "", *, key: str | None = None, **values: object) -> None:
        super().__init__(message, key=key, **values)
        self.language: str | None = None


def _at(where: str, what: Sentence) -> ConfigError:
    """ "event.toml:12: …" """
    return ConfigError(key="config.at", where=where, what=what)


@dataclass(frozen=True, slots=True)
class MatchingSettings:
    suggest_threshold: float = 70.0
    auto_merge_threshold: float = 0.0  # 0 = off
    # Weaker duplicate candidates down to this score are listed as "maybe" (detail, merge
    # picker, look-alikes); below the suggest threshold they are never shown in the list.
    # The fused scorer is calibrated onto 35 (`domain.similarity.MAYBE_SCORE`).
    maybe_threshold: float = 35.0

    @property
    def auto_merge(self) -> bool:
        return self.auto_merge_threshold > 0


OVERLAY_POSITIONS = (
    "bottom-left",
    "bottom-center",
    "bottom-right",
    "top-left",
    "top-center",
    "top-right",
)
# A CSS colour the browser pages accept as it is: #rgb(a), #rrggbb(aa), rgb()/rgba() with
# numbers, or a colour name. Anything else (quotes, semicolons, url(...)) is refused.
_COLOUR = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"
    r"|rgba?\(\s*\d{1,3}%?\s*,\s*\d{1,3}%?\s*,\s*\d{1,3}%?\s*(?:,\s*(?:0|1|0?\.\d+)\s*)?\)"
    r"|[a-zA-Z]{3,20}"
)
# Font families: names of fonts installed on the machine that shows the page (no web
# fonts are loaded), separated by commas; letters, digits, blanks and hyphens only.
_FONT = re.compile(r"[\w \-]{1,60}(?:,[\w \-]{1,60}){0,5}")


@dataclass(frozen=True, slots=True)
class OverlaySettings:
    """How the browser overlay (`moderator overlay`, /overlay) looks, from the event
    configuration's [overlay] table; the page's query parameters override each value.

    `show_names`: the askers' names on the pages (off: no names, and e-mail addresses,
    phone numbers and the askers' names are masked in the question text)."""

    font: str = "system-ui, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
    size: int = 34  # the question's font size in CSS pixels (at 1920 x 1080)
    color: str = "#ffffff"
    background: str = "rgba(12, 18, 28, 0.82)"
    accent: str = "#f5b800"  # the project line and the bar beside the question
    position: str = "bottom-left"
    show_project: bool = True
    show_askers: bool = True  # how many asked (a number, never who)
    show_names: bool = False

    def with_values(self, values: Mapping[str, object], *, where: str) -> OverlaySettings:
        """These settings with `values` (the [overlay] table, or query parameters as
        strings) applied; a bad value raises `ConfigError` naming `where` and the key."""
        changed: dict[str, object] = {}
        for key, value in values.items():
            if key not in OverlaySettings.__dataclass_fields__:
                known = ", ".join(OverlaySettings.__dataclass_fields__)
                raise ConfigError(
                    key="config.overlay_unknown", where=where, setting=key, known=known
                )
            changed[key] = _overlay_value(key, value, where)
        if not changed:
            return self
        fields = {name: getattr(self, name) for name in OverlaySettings.__dataclass_fields__}
        return OverlaySettings(**{**fields, **changed})


def _overlay_value(key: str, value: object, where: str) -> object:
    def bad(what: str, **values: object) -> ConfigError:
        said = sentence(f"config.o_{what}", **values)
        return ConfigError(
            key="config.overlay_bad", where=where, setting=key, value=value, what=said
        )

    if key in ("show_project", "show_askers", "show_names"):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in (
            "1",
            "true",
            "yes",
            "on",
            "0",
            "false",
            "no",
            "off",
        ):
            return value.lower() in ("1", "true", "yes", "on")
        raise bad("bool")
    if key == "size":
        try:
            size = int(str(value))
        except ValueError:
            raise bad("pixels") from None
        if not 8 <= size <= 200:
            raise bad("range")
        return size
    text = str(value).strip() if isinstance(value, str) else None
    if text is None:
        raise bad("text")
    if key in ("color", "background", "accent"):
        if not _COLOUR.fullmatch(text):
            raise bad("colour")
        return text
    if key == "font":
        if not _FONT.fullmatch(text):
            raise bad("font")
        return text
    if text not in OVERLAY_POSITIONS:
        raise bad("position", positions=", ".join(OVERLAY_POSITIONS))
    return text


@dataclass(frozen=True, slots=True)
class EventConfig:
    slug: str
    title: str
    projects: tuple[Project, ...]
    starts_at: datetime | None = None
    language: str = "de"
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    hosts: tuple[str, ...] = ()
    source_text: str = ""
    #: IANA name; times without a zone (chat logs, a local starts_at) are in this zone.
    timezone: str = DEFAULT_TIMEZONE
    overlay: OverlaySettings = field(default_factory=OverlaySettings)
    #: When each project is presented (`[[agenda]]`), in time order.
    agenda: tuple[Slot, ...] = ()

    @property
    def general(self) -> Project:
        return next(p for p in self.projects if p.general)

    def project(self, key: str | None) -> Project | None:
        return next((p for p in self.projects if p.key == key), None)

    def by_hotkey(self, hotkey: str) -> Project | None:
        return next((p for p in self.projects if p.hotkey == hotkey), None)


def default_config_text() -> str:
    return resources.files("moderator.data").joinpath("default_event.toml").read_text("utf-8")


def load_default_config() -> EventConfig:
    return parse_config(default_config_text(), source="<bundled default_event.toml>")


def load_config(path: Path) -> EventConfig:
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            key="config.not_utf8", path=path, detail=exc.reason, byte=exc.start
        ) from None
    except OSError as exc:
        raise ConfigError(key="config.cannot_read", path=path, detail=exc.strerror) from None
    return parse_config(text, source=str(path))


def _line_of(text: str, pattern: str, occurrence: int = 0) -> int | None:
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
class _TomlDetail:
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


_LANGUAGE_LINE = re.compile(r"""^\s*language\s*=\s*["']([^"'\n]*)["']""", re.MULTILINE)
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def parse_config(text: str, *, source: str) -> EventConfig:
    """The event configuration in `text`; a `ConfigError` naming `source` and the line,
    said in the file's own language when it names one (even in a file that is not TOML)."""
    try:
        return _parse_config(text, source)
    except ConfigError as exc:
        if exc.language is None:
            found = _LANGUAGE_LINE.search(text)
            exc.language = language_code(found.group(1)) if found else None
        raise


def _parse_config(text: str, source: str) -> EventConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        where = f"{source}:{found.group(1)}" if found else source
        raise ConfigError(
            key="config.invalid_toml", where=where, detail=_TomlDetail(str(exc))
        ) from None

    def fail(key: str, line: int | None, **values: object) -> ConfigError:
        return _at(f"{source}:{line}" if line else source, sentence(key, **values))

    def check_text(
        values: str | list[str], what: Sentence, line: int | None, limit: int | None = None
    ) -> None:
        """Refuse what no database column holds (PostgreSQL refuses NUL and a string
        longer than its column; SQLite would take both): the same on every backend."""
        several = isinstance(values, list)
        for value in values if isinstance(values, list) else [values]:
            if "\x00" in value:
                raise fail("config.nul_many" if several else "config.nul", line, what=what)
            if limit is not None and len(value) > limit:
                raise fail("config.too_long", line, what=what, chars=len(value), limit=limit)

    def field_of(name: str, key: str | None = None) -> Sentence:
        if key is None:
            return sentence("config.field", field=name)
        return sentence("config.project_field", field=name, project_key=key)

    event = data.get("event", {})
    if not isinstance(event, dict):
        raise fail("config.event_table", _line_of(text, r"^\s*event\s*="))
    slug = str(event.get("slug") or "event")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", slug):
        raise fail("config.slug", _line_of(text, r"^\s*slug\s*="), slug=slug)
    check_text(slug, field_of("slug"), _line_of(text, r"^\s*slug\s*="), SLUG_MAX)
    title = str(event.get("title") or slug)
    check_text(title, field_of("title"), _line_of(text, r"^\s*title\s*="), TITLE_MAX)
    starts_at = event.get("starts_at")
    if starts_at is not None and not isinstance(starts_at, datetime):
        raise fail("config.starts_at", _line_of(text, r"^\s*starts_at\s*="))

    timezone = event.get("timezone", DEFAULT_TIMEZONE)
    try:
        zone = ZoneInfo(timezone) if isinstance(timezone, str) and timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        raise fail("config.timezone", _line_of(text, r"^\s*timezone\s*="), zone=timezone)
    if starts_at is not None and starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=zone)

    hosts = event.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise fail("config.hosts", _line_of(text, r"^\s*hosts\s*="))
    check_text(hosts, field_of("hosts"), _line_of(text, r"^\s*hosts\s*="))

    raw_projects = data.get("projects")
    if not isinstance(raw_projects, list) or not raw_projects:
        raise fail("config.no_projects", None)
    projects: list[Project] = []
    seen_keys: set[str] = set()
    seen_hotkeys: set[str] = set()
    for index, raw in enumerate(raw_projects):
        line = _line_of(text, r"^\s*\[\[projects\]\]", index)
        for required in ("key", "name"):
            if not raw.get(required):
                raise fail("config.project_missing", line, n=index + 1, field=required)
        key = str(raw["key"])
        check_text(key, field_of("key", key), line, PROJECT_KEY_MAX)
        check_text(str(raw["name"]), field_of("name", key), line, PROJECT_NAME_MAX)
        check_text(str(raw.get("description", "")), field_of("description", key), line)
        if key in seen_keys:
            raise fail("config.key_twice", line, project_key=key)
        seen_keys.add(key)
        hotkey = str(raw.get("hotkey", ""))
        if hotkey and (len(hotkey) != 1 or not hotkey.isdigit()):
            raise fail("config.hotkey_digit", line, hotkey=hotkey, project_key=key)
        if hotkey and hotkey in seen_hotkeys:
            raise fail("config.hotkey_twice", line, hotkey=hotkey)
        seen_hotkeys.add(hotkey)
        for list_field in ("keywords", "aliases"):
            value = raw.get(list_field, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail("config.string_list", line, field=list_field, project_key=key)
            check_text(value, field_of(list_field, key), line)
        projects.append(
            Project(
                key=key,
                name=str(raw["name"]),
                hotkey=hotkey,
                order=int(raw.get("order", index + 1)),
                keywords=tuple(raw.get("keywords", [])),
                aliases=tuple(raw.get("aliases", [])),
                description=str(raw.get("description", "")),
                general=bool(raw.get("general", False)) or key == GENERAL_KEY,
            )
        )
    generals = [p for p in projects if p.general]
    if len(generals) > 1:
        raise fail("config.generals", None)
    if not generals:
        projects.append(
            Project(
                key=GENERAL_KEY,
                name="Allgemeine Fragen",
                hotkey="0" if "0" not in seen_hotkeys else "",
                order=10_000,
                general=True,
            )
        )
    projects.sort(key=lambda p: (p.general, p.order))

    matching = data.get("matching", {})
    try:
        settings = MatchingSettings(
            suggest_threshold=float(matching.get("suggest_threshold", 70)),
            auto_merge_threshold=float(matching.get("auto_merge_threshold", 0)),
            maybe_threshold=float(matching.get("maybe_threshold", 35)),
        )
    except (TypeError, ValueError):
        raise fail("config.thresholds", _line_of(text, r"^\s*\[matching\]")) from None
    raw_overlay = data.get("overlay", {})
    if not isinstance(raw_overlay, dict):
        raise fail("config.overlay_table", _line_of(text, r"^\s*overlay\s*="))
    line = _line_of(text, r"^\s*\[overlay\]")
    overlay = OverlaySettings().with_values(
        raw_overlay, where=f"{source}:{line}" if line else source
    )
    agenda: list[Slot] = []
    raw_agenda = data.get("agenda", [])
    if not isinstance(raw_agenda, list):
        raise fail("config.agenda_tables", _line_of(text, r"^\s*agenda\s*="))
    keys = {p.key for p in projects}
    for index, raw in enumerate(raw_agenda):
        line = _line_of(text, r"^\s*\[\[agenda\]\]", index)
        entry = raw if isinstance(raw, dict) else {}
        at, presented = entry.get("starts_at"), entry.get("project")
        if not isinstance(at, datetime):
            raise fail("config.agenda_start", line)
        if presented not in keys:
            raise fail("config.agenda_project", line, project=presented)
        agenda.append(Slot(at if at.tzinfo else at.replace(tzinfo=zone), str(presented)))
    agenda.sort(key=lambda slot: slot.starts_at)
    return EventConfig(
        slug=slug,
        title=title,
        projects=tuple(projects),
        starts_at=starts_at,
        language=_language(event.get("language"), fail, _line_of(text, r"^\s*language\s*=")),
        matching=settings,
        hosts=tuple(hosts),
        source_text=text,
        timezone=timezone,
        overlay=overlay,
        agenda=tuple(agenda),
    )


def default_language() -> str:
    """The interface language when the event configuration names none: the locale's
    (German for a German locale, else English)."""
    return locale_language(os.environ)


def _language(value: object, fail, line: int | None) -> str:
    if value is None or value == "":
        return default_language()
    code = language_code(value)
    if code is None:
        raise fail("config.language", line, value=value)
    return code


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False, ensure_exists=True)


def _user_toml(path: Path, key: str) -> dict:
    """A TOML file of the user's; missing means empty, broken is a `ConfigError` naming the
    file (and, for bad TOML, the line)."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(key=key, path=path, detail=_TomlDetail(str(exc))) from None


SETTINGS_FILE = "settings.toml"
SETTINGS_KEYS = frozenset({"name", "db", "imap_password"})


def settings_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / SETTINGS_FILE


def load_settings(path: Path | None = None) -> dict[str, str]:
    """This laptop's settings: `name` (the moderator's name in the action log), `db`
    (the database URL, e.g. the team's PostgreSQL server), so neither has to be given with
    every command, and `imap_password` (for `watch imap://…`).

    Read from `settings.toml` in the user configuration directory; a missing file means
    none, a broken one is a `ConfigError` naming the file (and the line, for bad TOML).
    """
    path = path or settings_path()
    data = _user_toml(path, "config.bad_settings")
    unknown = sorted(set(data) - SETTINGS_KEYS)
    if unknown:
        known = ", ".join(sorted(SETTINGS_KEYS))
        names = ", ".join(unknown)
        raise ConfigError(key="config.unknown_setting", path=path, names=names, known=known)
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(key="config.setting_text", path=path, setting=key)
    # A password is taken as written; names and URLs without stray blanks.
    return {key: value if key == "imap_password" else value.strip() for key, value in data.items()}


def default_db_url() -> str:
    """`$MODERATOR_DB`, else `db` from the settings file, else a SQLite file in the user
    data directory."""
    env = os.environ.get(DB_ENV)
    if env:
        return env
    configured = load_settings().get("db")
    if configured:
        return configured
    return f"sqlite:///{data_dir() / 'moderator.db'}"


def imap_password(user: str, host: str) -> str | None:
    """The IMAP password for `user` at `host`, never from a command line:
    `$MODERATOR_IMAP_PASSWORD`, else `imap_password` in the settings file, else the system
    keyring (service "moderator", account "imap://user@host") when the `keyring` package is
    installed. None when none of them has it (the command line then asks)."""
    env = os.environ.get(IMAP_PASSWORD_ENV)
    if env:
        return env
    configured = load_settings().get("imap_password")
    if configured:
        return configured
    try:
        import keyring
    except ImportError:
        return None
    try:
        return keyring.get_password(APP_NAME, f"imap://{user}@{host}")
    except Exception as exc:  # keyring backends raise their own kinds (no backend, locked)
        log.info("keyring has no IMAP password for %s@%s: %s", user, host, exc)
        return None


def moderator_name(explicit: str | None = None) -> str:
    """`--as`, else `$MODERATOR_NAME`, else `name` from the settings file, else the login."""
    if explicit:
        return explicit
    env = os.environ.get(NAME_ENV)
    if env:
        return env
    configured = load_settings().get("name")
    if configured:
        return configured
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER", "moderator")


KEYMAP_FILE = "keymap.toml"


def keymap_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / KEYMAP_FILE


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Key remapping by binding id, e.g. `"queue.live" = "L"` or `"undo" = "ctrl+z,u"`.

    Read from `keymap.toml` in the user configuration directory; a missing file means no
    changes, a broken one is a `ConfigError` naming the file.
    """
    path = path or keymap_path()
    data = _user_toml(path, "config.bad_keymap")
    keymap = data.get("keys", data)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()):
        raise ConfigError(key="config.keymap_entry", path=path)
    return dict(keymap)
