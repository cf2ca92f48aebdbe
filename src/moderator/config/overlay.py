"""How the browser overlay looks: `OverlaySettings` from the event configuration's
[overlay] table or the page's query parameters, every value checked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from moderator.config.errors import ConfigError
from moderator.domain.language import sentence

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
