"""The console's background work on meaning: filling the duplicate index once the whole
event is loaded (the warm-up), then the meaning pass every few seconds, which encodes the
questions that arrived without a meaning vector; the status line shows how far it is."""

from __future__ import annotations

import contextlib
import logging

from textual import on, work

from moderator.services.errors import ServiceError
from moderator.ui.loading import keep_out_of_gc
from moderator.ui.messages import MeaningProgress, WarmedUp
from moderator.ui.room import Room

log = logging.getLogger(__name__)
MEANING_EVERY = 2.0  # seconds between looks for questions without a meaning vector


class MeaningPass(Room):
    """The warm-up and the meaning pass, each in a worker of its own."""

    def _start_background(self) -> None:
        """At mount: the meaning pass looks every `MEANING_EVERY` seconds (it starts once
        the warm-up is done)."""
        self.set_interval(MEANING_EVERY, self._start_meaning_pass)

    def _start_warm_up(self) -> None:
        """Once, when the whole event is loaded."""
        if not self._warm_up_started:
            self._warm_up_started = True
            self._warm_up()

    def _stop_background(self) -> None:
        """At unmount: a warm-up under way is abandoned, one not begun will not be."""
        if self._warm_up_started:
            self.service.stop_warm_up()
        else:
            self.service.defer_index(False)

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        try:
            with contextlib.suppress(ServiceError):  # else the first write fills the index
                self.service.warm_up()  # loads the sentence encoder too
                self.post_message(WarmedUp())  # dropped if the screen closed meanwhile
        finally:
            self._warmed = True  # the meaning pass may start (it fills the index itself)

    @on(WarmedUp)
    def _warmed_up(self) -> None:
        keep_out_of_gc()  # the index is long-lived too
        if (current := self._selected_id()) is not None:
            self._load_detail(current)  # its candidates scored against the whole event now
        self._start_meaning_pass()

    def _start_meaning_pass(self) -> None:
        """Every `MEANING_EVERY` seconds after the warm-up: one meaning pass at a time (a
        long one is never cancelled by the next look)."""
        if not self._warmed or self._meaning_running:
            return
        seq = self.reader.seq  # the event's change counter as the console last read it
        if seq == self._meaning_seq and seq >= 0:
            return  # nothing changed since the last pass: no question can lack a vector
        self._meaning_running, self._meaning_seq = True, seq
        self._meaning_pass()

    @work(thread=True, group="meaning", exit_on_error=False)
    def _meaning_pass(self) -> None:
        """Encode the questions that arrived without a meaning vector (from any console or
        import) and store their fused suggestions; the status line shows how far it is."""
        service = self.service
        try:
            service.match_pending()  # what an import stopped halfway left to compare
            if service.embedder() is None:
                status = service.meaning_status()
                if not self._meaning_off_said and status.wanted:
                    self.post_message(MeaningProgress(0, 0, None, status.reason))
                return
            service.embed_pending(
                progress=lambda done, total: self.post_message(
                    MeaningProgress(done, total, service.model_id)
                )
            )
        except ServiceError:
            self._meaning_seq = -2  # the database is away: the next round tries again
        finally:
            self._meaning_running = False

    @on(MeaningProgress)
    def _meaning_progress(self, message: MeaningProgress) -> None:
        if message.model_id is None:
            if not self._meaning_off_said:
                self._meaning_off_said = True
                log.info("no sentence encoder: %s", message.reason)
                self.notify(self.t("notice.meaning_off"), timeout=8)
            return
        running = message.done < message.total
        self._meaning = (message.done, message.total) if running else None
        self._update_status()
