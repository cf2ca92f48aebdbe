"""A large event: its newest questions and the live queue first, the rest after."""

from __future__ import annotations

import threading

from moderator.domain.models import QueueState
from moderator.ui.status import StatusBar
from tests.factories import msg
from tests.ui.helpers import make_app, plain, seed, settle, wait_until

S = QueueState


async def test_a_large_event_shows_its_newest_questions_first_and_takes_keys_meanwhile(
    sqlite_service, clock
):
    """Above `paged_above` questions the console shows a first screen (the newest
    `first_lines` of the inbox, the whole live queue, the whole event's counts in the
    titles and the status line) before the whole event is read; keys work on it, and
    the whole event then shows what it would have shown read at once."""
    seed(sqlite_service)
    sqlite_service.import_messages(
        [msg(100 + n, f"Wie laut sind die autonomen Busse in Viertel {n}?") for n in range(12)]
    )
    inbox = sorted((g.id for g in sqlite_service.summaries()), reverse=True)
    queue = [inbox[-1], inbox[-2]]  # the oldest two, far below the first screen
    for gid in queue:
        sqlite_service.send_live(gid)
    sqlite_service.answer_later(inbox[-3])
    inbox = inbox[:-3]
    # The whole event's read waits until the first screen has been looked at.
    whole_read = threading.Event()
    read = sqlite_service.summaries

    def summaries(**kw):
        if not kw:
            whole_read.wait(30)
        return read(**kw)

    sqlite_service.summaries = summaries
    app = make_app(sqlite_service, clock, first_lines=4, paged_above=5)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.main_screen
            lst, live = screen.main_list, screen.live_list
            assert await wait_until(pilot, lambda: len(lst.rows) == 4)
            assert [r.id for r in lst.rows] == inbox[:4]
            assert [r.id for r in live.rows] == queue
            title = screen.query_one("#view-title")
            assert plain(title.content).startswith(f"Eingang ({len(inbox)})")
            # A key on the first screen: the top question goes live.
            await pilot.press("l")
            assert await wait_until(pilot, lambda: sqlite_service.group(inbox[0]).state == S.LIVE)
            assert await wait_until(pilot, lambda: not screen.model.pending)
            assert len(lst.rows) == 3 and len(live.rows) == 3
            assert plain(title.content).startswith(f"Eingang ({len(inbox) - 1})")
            status = plain(screen.query_one(StatusBar).content)
            shown = plain(title.content)
            whole_read.set()
            assert await wait_until(pilot, lambda: len(lst.rows) == len(inbox) - 1)
            await settle(app, pilot)
            assert [r.id for r in lst.rows] == inbox[1:]
            # The first screen's counts were the whole event's.
            assert plain(screen.query_one(StatusBar).content) == status
            assert plain(title.content) == shown
    finally:
        whole_read.set()
