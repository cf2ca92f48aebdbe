"""Textual's own words in the app's language: what Ctrl+C says, the command palette's
prompt and its system commands. Textual writes them in English; both our apps (the console
and the stage) take them from `ui.i18n` instead."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen

from moderator.ui.i18n import Strings


class SpeaksLanguage(App):
    """An app whose Textual texts follow `self.strings`."""

    strings: Strings

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit a Textual app: say (in the app's language) which key does."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(self.strings("quit.hint", keys=self.strings.key(key)), markup=False)
                return

    def action_command_palette(self) -> None:
        """The command palette, with its search prompt in the app's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(
                CommandPalette(
                    placeholder=self.strings("palette.placeholder"), id="--command-palette"
                )
            )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Quit; Textual's other system commands (theme, keys panel, screenshot) speak
        English only and are left out."""
        t = self.strings
        yield SystemCommand(t("palette.quit"), t("palette.quit_help"), self.action_quit)
