"""Small modal screens: pick one of a list, pick a project by digit, edit text, help."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Select, SelectionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from moderator.domain.models import Channel, Project
from moderator.ui.help import HelpSection
from moderator.ui.i18n import CHANNEL_ICONS, Strings
from moderator.ui.text import literal

#: What each key of a small window does, by its action: the catalogue key of its words.
MODAL_KEY_WORDS = {
    "cancel": "modal.key.cancel",
    "confirm": "modal.key.ok",
    "save": "modal.key.save",
    "save(False)": "modal.key.save",
    "save(True)": "modal.key.save_done",
    "close": "modal.key.close",
    "scroll(-1)": "modal.key.up",
    "scroll(1)": "modal.key.down",
    "scroll(-10)": "modal.key.page_up",
    "scroll(10)": "modal.key.page_down",
    "scroll(-100000)": "modal.key.top",
    "scroll(100000)": "modal.key.bottom",
}

S = TypeVar("S", bound=ModalScreen)
_SPEAKING: dict[tuple[type, str], type] = {}


def in_language(screen: type[S], strings: Strings) -> type[S]:
    """`screen` with the descriptions of its keys (footer, command palette) in the
    language of `strings`: Textual reads a screen's bindings from its class, so the class
    is made once per language, as the main screen's is (`ui.app`)."""
    made = _SPEAKING.get((screen, strings.language))
    if made is None:
        bindings = [
            replace(binding, description=strings(MODAL_KEY_WORDS[binding.action]))
            for binding in screen.BINDINGS
            if isinstance(binding, Binding)
        ]
        made = type(screen.__name__, (screen,), {"BINDINGS": bindings})
        _SPEAKING[(screen, strings.language)] = made
    return made


class PickScreen(ModalScreen[int | None]):
    """Choose one item; dismisses with its value, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[int, Text]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal"):
            yield Static(Text(self.title_text), classes="modal-title")
            yield OptionList(*[Option(label, id=str(v)) for v, label in self.choices])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


class SimilarScreen(ModalScreen[list[int] | None]):
    """Look-alike open questions with check boxes; enter merges the checked ones into the
    question the moderator came from, space checks and unchecks, escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
        Binding("enter", "confirm", "OK", id="modal.confirm", priority=True),
    ]

    def __init__(self, title: str, choices: Sequence[tuple[int, Text, bool]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal"):
            yield Static(Text(self.title_text), classes="modal-title")
            yield SelectionList[int](
                *[Selection(label, value, checked) for value, label, checked in self.choices]
            )

    def action_confirm(self) -> None:
        self.dismiss(list(self.query_one(SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class ProjectChoice:
    key: str | None  # None: clear


class ProjectKeyScreen(ModalScreen[ProjectChoice | None]):
    """A digit picks a project (`p` + digit); `x` clears; escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, title: str, projects: Sequence[Project], none_label: str) -> None:
        super().__init__()
        self.title_text = title
        self.projects = list(projects)
        self.none_label = none_label

    def compose(self) -> ComposeResult:
        lines = Text()
        for p in self.projects:
            lines.append(f" {p.hotkey} ", style="bold reverse")
            lines.append(f" {p.name}\n")
        lines.append(" x ", style="bold reverse")
        lines.append(f" {self.none_label}")
        with Vertical(classes="modal"):
            yield Static(Text(self.title_text), classes="modal-title")
            yield Static(lines)

    def on_key(self, event: events.Key) -> None:
        if event.character == "x":
            event.stop()
            self.dismiss(ProjectChoice(None))
            return
        for project in self.projects:
            if event.character == project.hotkey:
                event.stop()
                self.dismiss(ProjectChoice(project.key))
                return

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class ManualQuestion:
    text: str
    author: str | None
    channel: Channel


class ManualEntryScreen(ModalScreen[ManualQuestion | None]):
    """Type in a question from a phone participant or the hall."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
        Binding("ctrl+s", "save", "Save", id="modal.save", priority=True),
    ]

    def __init__(self, strings: Strings) -> None:
        super().__init__()
        self.t = strings

    def compose(self) -> ComposeResult:
        t = self.t
        channels = [Channel.PHONE, Channel.MANUAL, Channel.EMAIL, Channel.CHAT]
        with Vertical(classes="modal"):
            yield Static(Text(t("modal.manual")), classes="modal-title")
            yield TextArea(id="manual-text", soft_wrap=True, placeholder=t("modal.manual_text"))
            yield Input(id="manual-author", placeholder=t("modal.manual_author"))
            yield Select(
                [(f"{CHANNEL_ICONS[c]} {t.channel(c)}", c) for c in channels],
                value=Channel.PHONE,
                allow_blank=False,
                id="manual-channel",
            )
            yield Static(Text(t("modal.manual_hint"), style="dim"))

    @on(Input.Submitted)
    def action_save(self) -> None:
        text = self.query_one("#manual-text", TextArea).text.strip()
        if not text:
            self.query_one("#manual-text", TextArea).focus()
            return
        author = self.query_one("#manual-author", Input).value.strip() or None
        channel = self.query_one("#manual-channel", Select).value
        self.dismiss(ManualQuestion(text, author, Channel(str(channel))))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class EditedText:
    text: str
    mark_done: bool = False
    draft: bool = False  # left with Esc: not saved, to be kept as a draft


class TextEditScreen(ModalScreen[EditedText | None]):
    """A multi-line editor (the written answer). Esc never throws typed text away: it
    dismisses with the text as a draft when it differs from `saved` (None: nothing to
    keep, the text is what is stored)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
        Binding("ctrl+s", "save(False)", "Save", id="modal.save", priority=True),
        Binding("ctrl+g", "save(True)", "Save, answered", id="modal.save_done", priority=True),
    ]

    def __init__(self, title: str, text: str, hint: str, *, saved: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.initial = text
        self.hint = hint
        self.saved = text if saved is None else saved

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal modal-wide"):
            yield Static(Text(self.title_text), classes="modal-title")
            yield TextArea(self.initial, id="edit-text", soft_wrap=True)
            yield Static(Text(self.hint, style="dim"))

    def action_save(self, done: bool) -> None:
        self.dismiss(EditedText(self.query_one(TextArea).text, done))

    def action_cancel(self) -> None:
        text = self.query_one(TextArea).text
        if text == self.saved and self.initial == self.saved:
            self.dismiss(None)  # nothing typed, no draft before: nothing to keep
        else:
            self.dismiss(EditedText(text, draft=True))


class PartsEditScreen(ModalScreen[str | None]):
    """Divide a wording: the parts one per line, ctrl+s divides, escape cancels. Returns
    the edited text (the service's domain rule reads the lines)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="modal.cancel"),
        Binding("ctrl+s", "save", "Save", id="modal.save", priority=True),
    ]

    def __init__(self, title: str, text: str, hint: str) -> None:
        super().__init__()
        self.title_text = title
        self.initial = text
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal modal-wide"):
            yield Static(Text(self.title_text), classes="modal-title")
            yield TextArea(self.initial, id="parts-text", soft_wrap=True)
            yield Static(Text(self.hint, style="dim"))

    def action_save(self) -> None:
        self.dismiss(self.query_one("#parts-text", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LineEditScreen(ModalScreen[str | None]):
    """One line of text: the search, a question's wording."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, title: str, text: str = "", hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial = text
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal"):
            yield Static(Text(self.title_text), classes="modal-title")
            yield Input(self.initial, id="line-input")
            if self.hint:
                yield Static(Text(self.hint, style="dim"))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key of the main screen, grouped by task; scrolls (arrows, j/k, page keys)."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="modal.close"),
        Binding("up,k", "scroll(-1)", "Up", show=False),
        Binding("down,j", "scroll(1)", "Down", show=False),
        Binding("pageup", "scroll(-10)", "Page up", show=False),
        Binding("pagedown,space", "scroll(10)", "Page down", show=False),
        Binding("home", "scroll(-100000)", "Top", show=False),
        Binding("end", "scroll(100000)", "Bottom", show=False),
    ]

    def __init__(self, title: str, sections: Sequence[HelpSection], footer: str) -> None:
        super().__init__()
        self.title_text = title
        self.sections = list(sections)
        self.footer = footer

    def keys_text(self) -> Text:
        """The sections as one text: a bold title, then `keys  what they do` rows."""
        width = max((cell_len(r.keys) for s in self.sections for r in s.rows), default=0)
        text = Text()
        for n, section in enumerate(self.sections):
            if n:
                text.append("\n")
            text.append(section.title, style="bold underline")
            for row in section.rows:
                text.append("\n")
                text.append(" " * (width - cell_len(row.keys) + 1))
                text.append(row.keys, style="bold")
                text.append("  ")
                text.append(row.description)
        return text

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal modal-wide", id="help-box"):
            yield Static(Text(self.title_text), classes="modal-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(self.keys_text(), id="help-keys")
            yield Static(Text(self.footer, style="dim"), id="help-footer")

    def action_scroll(self, delta: int) -> None:
        self.query_one("#help-scroll", VerticalScroll).scroll_relative(y=delta, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class ActivityLine:
    text: str  # "Bea hat #7 mit #1 zusammengeführt, vor 10 s" (may hold user text)
    mine: bool  # the moderator's own action
    undone: bool


class ActivityScreen(ModalScreen[None]):
    """Who did what, newest first: the team's recent actions from the action log."""

    BINDINGS = [
        Binding("escape,h,q", "close", "Close", id="modal.close"),
        Binding("up,k", "scroll(-1)", "Up", show=False),
        Binding("down,j", "scroll(1)", "Down", show=False),
    ]

    def __init__(
        self, title: str, lines: Sequence[ActivityLine], footer: str, *, empty: str, undone: str
    ) -> None:
        super().__init__()
        self.title_text = title
        self.lines = list(lines)
        self.footer = footer
        self.empty = empty
        self.undone = undone

    def compose(self) -> ComposeResult:
        text = Text()
        for n, line in enumerate(self.lines):
            if n:
                text.append("\n")
            # User text (a moderator's name, a question's wording) is never markup.
            text.append_text(literal(line.text, "dim" if line.mine else ""))
            if line.undone:
                text.append(f"  ({self.undone})", style="italic")
        if not self.lines:
            text.append(self.empty, style="italic")
        with Vertical(classes="modal modal-wide"):
            yield Static(Text(self.title_text), classes="modal-title")
            with VerticalScroll(id="activity-scroll"):
                yield Static(text, id="activity-lines")
            yield Static(Text(self.footer, style="dim"))

    def action_scroll(self, delta: int) -> None:
        self.query_one("#activity-scroll", VerticalScroll).scroll_relative(y=delta, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
