"""The stage as the pages see it, read again whenever the event changed.

A thread waits on the change watch every console uses (`EventService.wait_for_change`:
LISTEN/NOTIFY on PostgreSQL, the change counter on SQLite), reads the stage, and hands the
new state to the server's event loop, where every open page's event stream wakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from moderator.config import OverlaySettings
from moderator.services.console import EventService
from moderator.services.errors import ConnectionLostError
from moderator.web.state import state_of

log = logging.getLogger(__name__)

WAIT = 0.25  # longest wait for a change notification before looking again
SAFETY_POLL = 3.0  # read the stage this often even without a notification
MIN_GAP = 0.1  # between two reads: a burst of changes (an import) is read once


@dataclass(frozen=True, slots=True)
class Options:
    language: str = "de"
    look: OverlaySettings = field(default_factory=OverlaySettings)
    token: str | None = None  # required on every request when set
    stale_after: float = 5.0  # seconds without a word from the server: the page says so


class Feed:
    """The stage as JSON, read again in a thread whenever the event changed; waiters in
    the event loop wake when it did."""

    def __init__(self, service: EventService, options: Options) -> None:
        self.service = service
        self.options = options
        self.state: dict[str, Any] | None = None
        self.version = 0
        self.connected = True
        self.closing = False
        self.reads = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tick: asyncio.Event | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="web-feed", daemon=True)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._tick = asyncio.Event()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.closing = True
        self._wake()
        if self._thread.is_alive():
            self._thread.join(timeout=3)

    async def changed(self, version: int, timeout: float) -> bool:
        """Wait up to `timeout` seconds for a state newer than `version`."""
        if self.version != version or self.closing:
            return True
        assert self._tick is not None
        tick = self._tick
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(tick.wait(), timeout)
        return self.version != version

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        self._read()
        quiet = 0.0
        while not self._stop.is_set():
            try:
                changed = self.service.wait_for_change(WAIT)
            except Exception:  # the read below reports the trouble
                changed = True
                self._stop.wait(WAIT)
            quiet = 0.0 if changed else quiet + WAIT
            if (changed or quiet >= SAFETY_POLL) and not self._stop.is_set():
                quiet = 0.0
                self._read()
                self._stop.wait(MIN_GAP)

    def _read(self) -> None:
        options = self.options
        try:
            data = self.service.stage()
        except ConnectionLostError as exc:
            if self.connected:
                log.warning("web pages: the database is away: %s", exc)
            self._post(None, False)
            return
        except Exception:  # a bug: the pages keep the last state, the next change retries
            log.exception("reading the stage failed")
            return
        self.reads += 1
        state = state_of(
            data,
            self.service.projects,
            language=options.language,
            show_names=options.look.show_names,
        )
        self._post(state, True)

    def _post(self, state: dict[str, Any] | None, connected: bool) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._publish, state, connected)

    # ------------------------------------------------------------------ in the loop
    def _publish(self, state: dict[str, Any] | None, connected: bool) -> None:
        if state is None:
            state = self.state
        if state is None:
            self.connected = connected
            return
        state = {**state, "connected": connected}
        same = self.state is not None and _content(self.state) == _content(state)
        self.connected = connected
        if same:
            return
        self.state = state
        self.version += 1
        self._wake()

    def _wake(self) -> None:
        tick, loop = self._tick, self._loop
        if tick is None or loop is None or loop.is_closed():
            return
        self._tick = asyncio.Event()
        loop.call_soon_threadsafe(tick.set)


def _content(state: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k != "read_at"}


# ---------------------------------------------------------------------------- the app
