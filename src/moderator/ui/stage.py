"""`StageApp`: the read-only view for the speakers, in its own process.

Shows the question on air in large type with its project and vote count, and the next two
of the live queue. A listening thread wakes on every change (LISTEN/NOTIFY on PostgreSQL, a
poll of the cheap `change_seq` counter on SQLite or while the server is away) and re-reads
only when the counter moved; a slow look every few seconds covers a lost notification.
"""

from __future__ import annotations

import logging

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Digits, Static

from moderator.services.console import EventService, StageData
from moderator.services.errors import ConnectionLostError
from moderator.ui.i18n import Strings
from moderator.ui.sync import ChangeWatch
from moderator.ui.text import clean, literal, one_line
from moderator.ui.textual_texts import SpeaksLanguage

log = logging.getLogger(__name__)

_TEXT = {
    "de": {
        "on_air": "JETZT",
        "next": "Als Nächstes",
        "presenting": "Jetzt präsentiert: {name}",
        "none": "Gerade keine Frage auf Sendung",
        "votes": "Stimmen",
        "vote": "Stimme",
        "empty": "—",
        "offline": "Keine Verbindung zur Datenbank – zu sehen ist der letzte Stand",
    },
    "en": {
        "on_air": "NOW",
        "next": "Next",
        "presenting": "Presenting now: {name}",
        "none": "No question on air right now",
        "votes": "votes",
        "vote": "vote",
        "empty": "—",
        "offline": "No connection to the database – showing the last known state",
    },
}


class StageConnection(Message):
    def __init__(self, ok: bool) -> None:
        super().__init__()
        self.ok = ok


class StageArrived(Message):
    def __init__(self, data: StageData) -> None:
        super().__init__()
        self.data = data


def big_letters(text: str, width: int) -> list[str] | None:
    """`text` in FIGlet letters (five rows high) wrapped to `width`, or None if a word is too
    wide. User text is cleaned of control characters first; FIGlet only draws the letters it
    knows (ASCII and the German umlauts and ß), so nothing in it can act as markup."""
    from pyfiglet import Figlet

    figlet = Figlet(font="small", width=width)
    height = figlet.Font.height

    def fits(words: list[str]) -> bool:
        # FIGlet wraps (even inside a word) when the line is too wide: more rows than one
        # line of letters means it did not fit.
        return len(figlet.renderText(" ".join(words)).rstrip("\n").splitlines()) <= height

    lines: list[str] = []
    row: list[str] = []
    for word in clean(text).split():
        if not fits([word]):
            return None
        if row and not fits([*row, word]):
            lines.extend(_trim(figlet.renderText(" ".join(row))))
            row = [word]
        else:
            row.append(word)
    if row:
        lines.extend(_trim(figlet.renderText(" ".join(row))))
    return lines


def _trim(block: str) -> list[str]:
    rows = block.rstrip("\n").splitlines()
    while rows and not rows[-1].strip():
        rows.pop()
    return rows


class StageApp(SpeaksLanguage):
    CSS_PATH = "stage.tcss"
    TITLE = "moderator stage"
    BINDINGS = [Binding("q,escape", "quit", "Quit", id="stage.quit")]

    def __init__(
        self, service: EventService, *, poll_interval: float = 0.4, language: str = "de"
    ) -> None:
        super().__init__()
        self.service = service
        self.poll_interval = poll_interval
        self.text = _TEXT.get(language, _TEXT["de"])
        self.strings = Strings(language)
        self._seq = -1
        self.shown_question: str | None = None
        self.data: StageData | None = None
        self.offline = False  # the last read failed: the stage shows the last known state
        self._watch = ChangeWatch(
            service, self._read, interval=poll_interval, name="stage-listen", call_first=True
        )

    def _votes_word(self, count: int) -> str:
        return self.text["vote"] if count == 1 else self.text["votes"]

    def compose(self) -> ComposeResult:
        with Vertical(id="on-air"):
            yield Static(id="stage-project")
            yield Static(id="stage-question")
            yield Digits("", id="stage-votes")
            yield Static(id="stage-votes-label")
        yield Static(Text(self.text["next"]), id="next-title")
        yield Static(id="stage-next")
        yield Static(Text(self.text["offline"]), id="stage-offline")

    def on_resize(self) -> None:
        if self.shown_question is not None:
            self._render_question()

    def _render_question(self) -> None:
        """The question on air in large letters when it fits the stage, else in bold."""
        question = self.query_one("#stage-question", Static)
        text = self.shown_question or ""
        box = self.query_one("#on-air").content_size
        room = box.height - 7  # project line, the vote digits and their label, margins
        big = big_letters(one_line(text), box.width) if box.width >= 40 else None
        if big is not None and len(big) <= room:
            question.update(Text("\n".join(big), style="bold", no_wrap=True))
        else:
            question.update(literal(text, "bold", keep_newlines=True))

    def on_mount(self) -> None:
        self.query_one("#stage-offline").display = False
        self._watch.start()

    def on_unmount(self) -> None:
        self._watch.stop()
        self.service.close()

    def _read(self) -> None:
        try:
            seq = self.service.change_seq()
            if seq != self._seq:
                data = self.service.stage()
                self._seq = seq
                self.post_message(StageArrived(data))
            if self.offline:
                self.post_message(StageConnection(True))
        except ConnectionLostError as exc:  # it keeps showing the last state, and says so
            if not self.offline:
                log.warning("stage lost the database: %s", exc)
            self._seq = -1
            self.post_message(StageConnection(False))
        except Exception:  # a bug: the stage keeps the last state and tries again
            log.exception("stage refresh failed")
            self._seq = -1

    @on(StageConnection)
    def _connection(self, message: StageConnection) -> None:
        self.offline = not message.ok
        self.query_one("#stage-offline").display = self.offline

    @on(StageArrived)
    def _show(self, message: StageArrived) -> None:
        self.data = message.data
        current = message.data.on_air
        project_widget = self.query_one("#stage-project", Static)
        question = self.query_one("#stage-question", Static)
        votes = self.query_one("#stage-votes", Digits)
        label = self.query_one("#stage-votes-label", Static)
        if current is None:
            self.shown_question = None
            project_widget.update(Text(self.text["on_air"], style="bold"))
            question.update(Text(self.text["none"], style="italic"))
            votes.update("")
            label.update("")
        else:
            project = self.service.project(current.effective_project)
            name = project.name if project else ""
            project_widget.update(Text(f"{self.text['on_air']} · {name}", style="bold reverse"))
            self.shown_question = current.title
            self._render_question()
            votes.update(str(current.votes))
            label.update(Text(self._votes_word(current.votes)))
        title = Text(self.text["next"])
        if message.data.presenting is not None:  # the team's choice, as in every console
            name = message.data.presenting.name
            title.append("  ·  ")
            title.append(self.text["presenting"].format(name=name), style="reverse")
        self.query_one("#next-title", Static).update(title)
        upcoming = Text()
        for g in message.data.next:
            project = self.service.project(g.effective_project)
            upcoming.append(f"{g.position or ''}. ", style="bold")
            upcoming.append(f"[{project.name if project else '-'}] ", style="italic")
            upcoming.append(one_line(g.title))
            upcoming.append(f"  ({g.votes} {self._votes_word(g.votes)})\n", style="dim")
        if not message.data.next:
            upcoming.append(self.text["empty"])
        self.query_one("#stage-next", Static).update(upcoming)
