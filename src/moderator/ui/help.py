"""The help's content: every key of the main screen, grouped by task.

It is made from the bindings the screen really has (after the keymap), so a new key shows
up here by itself; `SECTIONS` only says under which task it stands. A binding whose id no
section names still shows, last, under "more" (and a test fails on it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.binding import Binding

from moderator.ui.i18n import Strings

# (section, binding ids in the order shown; an id ending in "." takes every id it begins)
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "triage",
        (
            "queue.live",
            "queue.later",
            "queue.dismiss",
            "tag.",
            "kind",
            "title",
            "manual",
            "answer",
        ),
    ),
    ("queue", ("queue.advance", "queue.up", "queue.down", "present", "focus.switch")),
    ("merge", ("group.merge", "group.merge_pick", "group.similar", "group.split")),
    (
        "views",
        (
            "view.inbox",
            "view.later",
            "view.answered",
            "view.dismissed",
            "view.all",
            "view.next",
            "view.chatter",
            "filter.project",
            "search",
            "list.",
            "focus.detail",
            "detail.",
        ),
    ),
    ("team", ("view.activity", "undo")),
    ("app", ("help", "app.palette", "app.quit")),
)
MORE = "more"

# Key names as a German or English keyboard labels them.
_KEY_NAMES = {
    "de": {
        "ctrl": "Strg",
        "shift": "Umschalt",
        "enter": "Enter",
        "escape": "Esc",
        "pageup": "Bild↑",
        "pagedown": "Bild↓",
        "home": "Pos1",
        "end": "Ende",
        "space": "Leertaste",
        "tab": "Tab",
    },
    "en": {
        "ctrl": "Ctrl",
        "shift": "Shift",
        "enter": "Enter",
        "escape": "Esc",
        "pageup": "PgUp",
        "pagedown": "PgDn",
        "home": "Home",
        "end": "End",
        "space": "Space",
        "tab": "Tab",
    },
}
_SYMBOLS = {
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "question_mark": "?",
    "slash": "/",
    "plus": "+",
    "minus": "-",
}


def key_label(key: str, language: str) -> str:
    """`ctrl+down` -> `Strg+↓`, `f2` -> `F2`, `question_mark` -> `?`, `M` -> `M`."""
    names = _KEY_NAMES.get(language, _KEY_NAMES["en"])
    parts = []
    for part in key.split("+"):
        if part in _SYMBOLS:
            parts.append(_SYMBOLS[part])
        elif part in names:
            parts.append(names[part])
        elif len(part) > 1 and part[0] == "f" and part[1:].isdigit():
            parts.append(part.upper())
        elif len(parts) and len(part) == 1:
            parts.append(part.upper())  # Strg+P, as printed on the key
        else:
            parts.append(part)
    return "+".join(parts)


def section_of(binding_id: str) -> str:
    for name, ids in SECTIONS:
        for entry in ids:
            if binding_id == entry or (entry.endswith(".") and binding_id.startswith(entry)):
                return name
    return MORE


def _rank(binding_id: str) -> int:
    for _name, ids in SECTIONS:
        for n, entry in enumerate(ids):
            if binding_id == entry or (entry.endswith(".") and binding_id.startswith(entry)):
                return n
    return 0


@dataclass(frozen=True, slots=True)
class HelpRow:
    keys: str  # "⇧↑, +"
    description: str
    binding_id: str


@dataclass(frozen=True, slots=True)
class HelpSection:
    title: str
    rows: list[HelpRow]


def help_sections(t: Strings, bindings: Iterable[Binding]) -> list[HelpSection]:
    """The help's sections in `SECTIONS` order; one row per binding id with all its keys.

    `bindings`: the keys of the screen (one `Binding` per key, as Textual keeps them);
    bindings without an id (Textual's own: focus, copy, scroll) are left out.
    """
    keys: dict[str, list[str]] = {}
    described: dict[str, str] = {}
    for binding in bindings:
        if binding.id is None:
            continue
        label = key_label(binding.key, t.language)
        shown = keys.setdefault(binding.id, [])
        if label not in shown:
            shown.append(label)
        # Textual's widgets describe their keys in English; ours are looked up by id.
        described.setdefault(binding.id, t.get(f"help.{binding.id}") or binding.description)
    order = [name for name, _ in SECTIONS] + [MORE]
    by_section: dict[str, list[HelpRow]] = {name: [] for name in order}
    for binding_id in sorted(keys, key=_rank):  # stable: equal ranks keep binding order
        row = HelpRow(", ".join(keys[binding_id]), described[binding_id], binding_id)
        by_section[section_of(binding_id)].append(row)
    return [
        HelpSection(t(f"help.section.{name}"), rows) for name, rows in by_section.items() if rows
    ]
