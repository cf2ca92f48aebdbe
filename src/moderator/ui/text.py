"""Turn user text into safe, literal rich `Text` for display.

User text (questions, names) may contain Rich/Textual markup like ``[bold]`` or terminal
escape sequences like ``\x1b[2J``. Nothing here interprets it: control characters (C0, DEL,
C1) become visible placeholders and everything is wrapped in `rich.text.Text`, which is
never parsed as markup.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _placeholder(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␛ for ESC, ␀ for NUL
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\u27e8{code:02X}\u27e9"  # C1 controls: ⟨9B⟩


def clean(value: object, *, keep_newlines: bool = False) -> str:
    """The text with every control character replaced by a visible placeholder."""
    text = str(value or "")
    text = text.replace("\r\n", "\n").replace("\t", " ")
    text = _CONTROL.sub(_placeholder, text)
    if not keep_newlines:
        text = text.replace("\n", " ")
    return text


def one_line(value: object) -> str:
    """A single display line: controls made visible, runs of whitespace collapsed."""
    return " ".join(clean(value).split())


def literal(value: object, style: str = "", *, keep_newlines: bool = False) -> Text:
    """User text as a `Text` that is shown exactly as typed (never parsed as markup)."""
    return Text(clean(value, keep_newlines=keep_newlines), style=style)


def clock_time(at: datetime | None, tz: tzinfo | None) -> str:
    """HH:MM in the time zone of the console's clock (UTC in tests, local in real use)."""
    if at is None:
        return "--:--"
    if at.tzinfo is None:
        from datetime import UTC

        at = at.replace(tzinfo=UTC)
    return at.astimezone(tz).strftime("%H:%M")


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
