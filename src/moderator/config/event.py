"""The event configuration (TOML): projects, keywords, hosts, thresholds, the agenda, the
overlay's look and the language.

A bad configuration file raises `ConfigError` whose message names the file and line, in
German and English (`domain.language.ERROR_TEXT`; `language` is the file's own, when it was
read that far).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from moderator.config.errors import ConfigError, TomlDetail, error_at, line_of
from moderator.config.overlay import OverlaySettings
from moderator.domain.agenda import Slot
from moderator.domain.fit import PROJECT_KEY_MAX, PROJECT_NAME_MAX, SLUG_MAX, TITLE_MAX
from moderator.domain.language import Sentence, language_code, locale_language, sentence
from moderator.domain.models import GENERAL_KEY, Project

#: The time zone of chat times that carry none ("18:01:23" in a Zoom chat).
DEFAULT_TIMEZONE = "Europe/Berlin"


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
            key="config.invalid_toml", where=where, detail=TomlDetail(str(exc))
        ) from None

    def fail(key: str, line: int | None, **values: object) -> ConfigError:
        return error_at(f"{source}:{line}" if line else source, sentence(key, **values))

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
        raise fail("config.event_table", line_of(text, r"^\s*event\s*="))
    slug = str(event.get("slug") or "event")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", slug):
        raise fail("config.slug", line_of(text, r"^\s*slug\s*="), slug=slug)
    check_text(slug, field_of("slug"), line_of(text, r"^\s*slug\s*="), SLUG_MAX)
    title = str(event.get("title") or slug)
    check_text(title, field_of("title"), line_of(text, r"^\s*title\s*="), TITLE_MAX)
    starts_at = event.get("starts_at")
    if starts_at is not None and not isinstance(starts_at, datetime):
        raise fail("config.starts_at", line_of(text, r"^\s*starts_at\s*="))

    timezone = event.get("timezone", DEFAULT_TIMEZONE)
    try:
        zone = ZoneInfo(timezone) if isinstance(timezone, str) and timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if zone is None:
        raise fail("config.timezone", line_of(text, r"^\s*timezone\s*="), zone=timezone)
    if starts_at is not None and starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=zone)

    hosts = event.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise fail("config.hosts", line_of(text, r"^\s*hosts\s*="))
    check_text(hosts, field_of("hosts"), line_of(text, r"^\s*hosts\s*="))

    raw_projects = data.get("projects")
    if not isinstance(raw_projects, list) or not raw_projects:
        raise fail("config.no_projects", None)
    projects: list[Project] = []
    seen_keys: set[str] = set()
    seen_hotkeys: set[str] = set()
    for index, raw in enumerate(raw_projects):
        line = line_of(text, r"^\s*\[\[projects\]\]", index)
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
        raise fail("config.thresholds", line_of(text, r"^\s*\[matching\]")) from None
    raw_overlay = data.get("overlay", {})
    if not isinstance(raw_overlay, dict):
        raise fail("config.overlay_table", line_of(text, r"^\s*overlay\s*="))
    line = line_of(text, r"^\s*\[overlay\]")
    overlay = OverlaySettings().with_values(
        raw_overlay, where=f"{source}:{line}" if line else source
    )
    agenda: list[Slot] = []
    raw_agenda = data.get("agenda", [])
    if not isinstance(raw_agenda, list):
        raise fail("config.agenda_tables", line_of(text, r"^\s*agenda\s*="))
    keys = {p.key for p in projects}
    for index, raw in enumerate(raw_agenda):
        line = line_of(text, r"^\s*\[\[agenda\]\]", index)
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
        language=_language(event.get("language"), fail, line_of(text, r"^\s*language\s*=")),
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
