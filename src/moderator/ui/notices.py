"""Notices of other moderators' actions: kept in `activity`, shown as short notices at
most one per gap (a flood stays calm, an action on the selected question comes first)."""

from __future__ import annotations

import time

from moderator.domain.actions import QUIET, touched_groups
from moderator.domain.models import (
    Action,
)
from moderator.ui.room import Room
from moderator.ui.wording import describe

MAX_NOTES = 3  # other moderators' actions shown at once; the rest are counted


class Notices(Room):
    """Tells the moderator what the others did."""

    def _report_others(self, actions: list[Action], selected: int | None) -> None:
        """Other moderators' actions go into `activity` and into short notices ("Bea hat
        #17 …, vor 2 s"), at most one per `note_gap`.

        Imports are not announced: the new rows in the list are the notice. Actions that
        come within the gap wait and are shown together when it is over; the first after a
        quiet spell is shown at once. So is one that changed the `selected` question, as it
        matters to the moderator, but that too at most once per gap (a flood stays calm).
        """
        mine = self.service.moderator
        others = [a for a in actions if a.moderator != mine]
        if not others:
            return
        now = self.clock()
        lines = [describe(a, now, lang=self.t.language) for a in others]
        self.activity = (self.activity + lines)[-20:]
        told = [a for a in others if a.verb not in QUIET]
        if not told:
            return
        self._notes_due.extend(told)
        moment = time.monotonic()
        urgent = (
            selected is not None
            and moment - self._last_urgent >= self.note_gap
            and any(selected in touched_groups(a) for a in told)
        )
        wait = self._last_note + self.note_gap - moment
        if wait <= 0:
            self._show_notes()
        elif urgent:
            self._last_urgent = moment
            self._show_notes()
        elif self._note_timer is None:
            self._note_timer = self.set_timer(wait, self._notes_timer_fired)

    def _notes_timer_fired(self) -> None:
        self._note_timer = None
        self._show_notes()

    def _show_notes(self) -> None:
        """One notice of the actions waiting, the newest MAX_NOTES of them spelt out."""
        if self._note_timer is not None:
            self._note_timer.stop()
            self._note_timer = None
        due, self._notes_due = self._notes_due, []
        if not due:
            return
        now = self.clock()  # "vor 3 s" as of now, not as of their arrival
        lines = [describe(a, now, lang=self.t.language) for a in due]
        shown = lines[-MAX_NOTES:]
        if len(lines) > MAX_NOTES:
            shown.insert(0, self.t("note.more", n=len(lines) - MAX_NOTES))
        self._last_note = time.monotonic()
        self.notify("\n".join(shown), markup=False, timeout=5)
