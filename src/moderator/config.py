"""Event configuration (TOML), thresholds and where data lives.

A bad configuration file raises `ConfigError` whose message names the file and line.
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
from moderator.domain.language import language_code, locale_language
from moderator.domain.models import GENERAL_KEY, Project

APP_NAME = "moderator"
log = logging.getLogger(__name__)
DB_ENV = "MODERATOR_DB"
NAME_ENV = "MODERATOR_NAME"
IMAP_PASSWORD_ENV = "MODERATOR_IMAP_PASSWORD"
#: The time zone of chat times that carry none ("18:01:23" in a Zoom chat).
DEFAULT_TIMEZONE = "Europe/Berlin"


class ConfigError(ValueError):
    """The event configuration cannot be used; the message says where and why."""


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
                raise ConfigError(f"{where}: unknown overlay setting {key!r} (known: {known})")
            changed[key] = _overlay_value(key, value, where)
        if not changed:
            return self
        fields = {name: getattr(self, name) for name in OverlaySettings.__dataclass_fields__}
        return OverlaySettings(**{**fields, **changed})


def _overlay_value(key: str, value: object, where: str) -> object:
    def bad(what: str) -> ConfigError:
        return ConfigError(f"{where}: overlay {key} {value!r}: {what}")

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
        raise bad("must be true or false")
    if key == "size":
        try:
            size = int(str(value))
        except ValueError:
            raise bad("must be a whole number of pixels") from None
        if not 8 <= size <= 200:
            raise bad("must be between 8 and 200")
        return size
    text = str(value).strip() if isinstance(value, str) else None
    if text is None:
        raise bad("must be a text")
    if key in ("color", "background", "accent"):
        if not _COLOUR.fullmatch(text):
            raise bad("must be a colour such as #ffffff, rgba(0, 0, 0, 0.8) or white")
        return text
    if key == "font":
        if not _FONT.fullmatch(text):
            raise bad("must be font names separated by commas (letters, digits, blanks, -)")
        return text
    if text not in OVERLAY_POSITIONS:
        raise bad(f"must be one of {', '.join(OVERLAY_POSITIONS)}")
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
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_config(text, source=str(path))


def _line_of(text: str, pattern: str, occurrence: int = 0) -> int | None:
    matches = list(re.finditer(pattern, text, flags=re.MULTILINE))
    if len(matches) > occurrence:
        return text.count("\n", 0, matches[occurrence].start()) + 1
    return None


def parse_config(text: str, *, source: str) -> EventConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None

    def fail(message: str, line: int | None) -> ConfigError:
        where = f"{source}:{line}" if line else source
        return ConfigError(f"{where}: {message}")

    def check_text(
        values: str | list[str], what: str, line: int | None, limit: int | None = None
    ) -> None:
        """Refuse what no database column holds (PostgreSQL refuses NUL and a string
        longer than its column; SQLite would take both): the same on every backend."""
        several = isinstance(values, list)
        for value in values if isinstance(values, list) else [values]:
            if "\x00" in value:
                verb = "hold" if several else "holds"
                raise fail(f"{what} {verb} a NUL character (\\u0000), which is not stored", line)
            if limit is not None and len(value) > limit:
                raise fail(f"{what} is {len(value)} characters long (at most {limit})", line)

    event = data.get("event", {})
    if not isinstance(event, dict):
        raise fail("[event] must be a table", _line_of(text, r"^\s*event\s*="))
    slug = str(event.get("slug") or "event")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", slug):
        raise fail(
            f"event slug {slug!r} may only use letters, digits, '.', '_' and '-'",
            _line_of(text, r"^\s*slug\s*="),
        )
    check_text(slug, "slug", _line_of(text, r"^\s*slug\s*="), SLUG_MAX)
    title = str(event.get("title") or slug)
    check_text(title, "title", _line_of(text, r"^\s*title\s*="), TITLE_MAX)
    starts_at = event.get("starts_at")
    if starts_at is not None and not isinstance(starts_at, datetime):
        raise fail(
            "starts_at must be a TOML date-time such as 2020-06-19T18:00:00+02:00",
            _line_of(text, r"^\s*starts_at\s*="),
        )

    timezone = event.get("timezone", DEFAULT_TIMEZONE)
    try:
        zone = ZoneInfo(timezone) if isinstance(timezone, str) and timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        raise fail(
            f'timezone {timezone!r} is not a time zone name such as "Europe/Berlin"',
            _line_of(text, r"^\s*timezone\s*="),
        )
    if starts_at is not None and starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=zone)

    hosts = event.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise fail("hosts must be a list of names", _line_of(text, r"^\s*hosts\s*="))
    check_text(hosts, "hosts", _line_of(text, r"^\s*hosts\s*="))

    raw_projects = data.get("projects")
    if not isinstance(raw_projects, list) or not raw_projects:
        raise fail("no [[projects]] defined", None)
    projects: list[Project] = []
    seen_keys: set[str] = set()
    seen_hotkeys: set[str] = set()
    for index, raw in enumerate(raw_projects):
        line = _line_of(text, r"^\s*\[\[projects\]\]", index)
        for required in ("key", "name"):
            if not raw.get(required):
                raise fail(f"project #{index + 1} has no {required!r}", line)
        key = str(raw["key"])
        check_text(key, f"key of project {key!r}", line, PROJECT_KEY_MAX)
        check_text(str(raw["name"]), f"name of project {key!r}", line, PROJECT_NAME_MAX)
        check_text(str(raw.get("description", "")), f"description of project {key!r}", line)
        if key in seen_keys:
            raise fail(f"project key {key!r} is used twice", line)
        seen_keys.add(key)
        hotkey = str(raw.get("hotkey", ""))
        if hotkey and (len(hotkey) != 1 or not hotkey.isdigit()):
            raise fail(f"hotkey {hotkey!r} of project {key!r} must be a single digit", line)
        if hotkey and hotkey in seen_hotkeys:
            raise fail(f"hotkey {hotkey!r} is used twice", line)
        seen_hotkeys.add(hotkey)
        for list_field in ("keywords", "aliases"):
            value = raw.get(list_field, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(f"{list_field} of project {key!r} must be a list of strings", line)
            check_text(value, f"{list_field} of project {key!r}", line)
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
        raise fail("more than one project is marked general = true", None)
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
        raise fail(
            "matching thresholds must be numbers", _line_of(text, r"^\s*\[matching\]")
        ) from None
    raw_overlay = data.get("overlay", {})
    if not isinstance(raw_overlay, dict):
        raise fail("[overlay] must be a table", _line_of(text, r"^\s*overlay\s*="))
    line = _line_of(text, r"^\s*\[overlay\]")
    overlay = OverlaySettings().with_values(
        raw_overlay, where=f"{source}:{line}" if line else source
    )
    agenda: list[Slot] = []
    raw_agenda = data.get("agenda", [])
    if not isinstance(raw_agenda, list):
        raise fail("agenda must be [[agenda]] tables", _line_of(text, r"^\s*agenda\s*="))
    keys = {p.key for p in projects}
    for index, raw in enumerate(raw_agenda):
        line = _line_of(text, r"^\s*\[\[agenda\]\]", index)
        entry = raw if isinstance(raw, dict) else {}
        at, presented = entry.get("starts_at"), entry.get("project")
        if not isinstance(at, datetime):
            raise fail(
                "an agenda slot needs starts_at, a TOML date-time such as 2020-06-19T18:10:00",
                line,
            )
        if presented not in keys:
            raise fail(f"agenda project {presented!r} is not one of the projects' keys", line)
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
        raise fail(f'language {value!r} is not supported; use "de" or "en"', line)
    return code


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False, ensure_exists=True)


def _user_toml(path: Path, what: str) -> dict:
    """A TOML file of the user's; missing means empty, broken is a `ConfigError` naming the
    file (and, for bad TOML, the line)."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid {what}: {exc}") from None


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
    data = _user_toml(path, "settings")
    unknown = sorted(set(data) - SETTINGS_KEYS)
    if unknown:
        known = ", ".join(sorted(SETTINGS_KEYS))
        raise ConfigError(f"{path}: unknown setting {', '.join(unknown)} (known: {known})")
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f'{path}: {key} must be a text, e.g. {key} = "…"')
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
    data = _user_toml(path, "key map")
    keymap = data.get("keys", data)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()):
        raise ConfigError(f'{path}: every entry must be binding-id = "keys"')
    return dict(keymap)
