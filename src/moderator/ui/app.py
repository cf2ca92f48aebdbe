"""`ModeratorApp`: the console the moderator works in during the event."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial

from textual.app import SystemCommand
from textual.screen import Screen

from moderator.services.console import EventService
from moderator.ui.bindings import main_bindings
from moderator.ui.i18n import Strings
from moderator.ui.main_screen import DETAIL_DELAY, MainScreen
from moderator.ui.sync import FIRST_LINES, PAGED_ABOVE
from moderator.ui.textual_texts import SpeaksLanguage


def local_now() -> datetime:
    return datetime.now().astimezone()


class ModeratorApp(SpeaksLanguage):
    """Inbox, live queue and detail of one event; every key a service call."""

    CSS_PATH = "moderator.tcss"
    TITLE = "moderator"

    def __init__(
        self,
        service: EventService,
        *,
        poll_interval: float = 0.4,
        clock: Callable[[], datetime] | None = None,
        language: str | None = None,
        keymap: Mapping[str, str] | None = None,
        detail_delay: float = DETAIL_DELAY,
        first_lines: int = FIRST_LINES,
        paged_above: int = PAGED_ABOVE,
        database: str | None = None,
    ) -> None:
        """`first_lines`, `paged_above`: an event listing more than `paged_above` questions
        shows its newest `first_lines` first (`Reader.load_first`). `language`: the
        interface's (default: the event's); `database`: its URL, shown in the status line in
        place of the event's title and in a notice at the start (the demo's temporary file,
        so that a stage can be opened on it beside the console)."""
        super().__init__()
        self.first_screen = {"first_lines": first_lines, "paged_above": paged_above}
        self.service = service
        self.poll_interval = poll_interval
        self.clock = clock or local_now
        self.strings = Strings(language or service.language)
        self.detail_delay = detail_delay
        self.database = database
        self.title = service.event.title
        # Bindings are per event (project hotkeys) and per language, so the class is made here.
        self._screen_class = type(
            "MainScreen",
            (MainScreen,),
            {"BINDINGS": main_bindings(self.strings, service.projects)},
        )
        if keymap:
            self.set_keymap(dict(keymap))

    def get_default_screen(self) -> Screen:
        return self._screen_class(
            self.service,
            self.strings,
            clock=self.clock,
            poll_interval=self.poll_interval,
            detail_delay=self.detail_delay,
            **self.first_screen,
        )

    @property
    def main_screen(self) -> MainScreen:
        """The main screen (the bottom of the screen stack)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        if self.database is not None:  # the demo: say how to open a stage beside it
            self.notify(
                self.strings("notice.database", url=self.database), timeout=30, markup=False
            )

    @property
    def status_title(self) -> str:
        """What the status line starts with: the event's title, or (the demo) its database
        in the title's place, so that nothing else on the line is pushed out."""
        if self.database is None:
            return self.service.event.title
        return self.strings("status.database", path=self.database)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Quit (see `SpeaksLanguage`), then every action of the main screen."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            for title, keys, action in screen.palette_commands():
                yield SystemCommand(title, keys, partial(screen.run_action, action))
