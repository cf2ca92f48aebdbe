"""`ModeratorApp`: the console the moderator works in during the event."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial

from textual.app import App, SystemCommand
from textual.screen import Screen

from moderator.services.console import EventService
from moderator.ui.bindings import main_bindings
from moderator.ui.i18n import Strings
from moderator.ui.main_screen import DETAIL_DELAY, MainScreen
from moderator.ui.sync import FIRST_LINES, PAGED_ABOVE


def local_now() -> datetime:
    return datetime.now().astimezone()


class ModeratorApp(App):
    """Inbox, live queue and detail of one event; every key a service call."""

    CSS_PATH = "moderator.tcss"
    TITLE = "moderator"

    def __init__(
        self,
        service: EventService,
        *,
        poll_interval: float = 0.4,
        clock: Callable[[], datetime] | None = None,
        language: str = "de",
        keymap: Mapping[str, str] | None = None,
        detail_delay: float = DETAIL_DELAY,
        first_lines: int = FIRST_LINES,
        paged_above: int = PAGED_ABOVE,
    ) -> None:
        """`first_lines`, `paged_above`: an event listing more than `paged_above` questions
        shows its newest `first_lines` first (`Reader.load_first`)."""
        super().__init__()
        self.first_screen = {"first_lines": first_lines, "paged_above": paged_above}
        self.service = service
        self.poll_interval = poll_interval
        self.clock = clock or local_now
        self.strings = Strings(language)
        self.detail_delay = detail_delay
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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            for title, keys, action in screen.palette_commands():
                yield SystemCommand(title, keys, partial(screen.run_action, action))
