"""Live sync while other consoles and importers write many times a second."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from moderator.domain.models import Kind, QueueState
from tests.factories import msg
from tests.ui.helpers import make_app, second_moderator, seed, settle, wait_until


def count_calls(obj: Any, name: str) -> list[tuple]:
    """Wrap one instance's method so each call is recorded (its arguments) and still runs."""
    calls: list[tuple] = []
    method: Callable = getattr(obj, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return method(*args, **kwargs)

    setattr(obj, name, counted)
    return calls


async def test_chatter_count_follows_imports_but_a_tag_does_not_count_again(sqlite_service, clock):
    ids = seed(sqlite_service)
    other = second_moderator(sqlite_service, clock)
    app = make_app(sqlite_service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        assert screen.chatter_count == 1
        counted = count_calls(sqlite_service, "chatter_count")
        polls = count_calls(screen.reader, "poll")
        other.tag(ids["Eva"], "logistik")
        assert await wait_until(
            pilot, lambda: screen.model.groups[ids["Eva"]].project_key == "logistik"
        )
        assert polls and counted == []  # read by a poll, without counting the chatter
        other.import_messages([msg(80, "Danke, sehr spannend bisher!", kind=Kind.CHATTER)])
        assert await wait_until(pilot, lambda: screen.chatter_count == 2)
        assert counted


async def test_a_burst_of_writes_is_read_by_few_polls_and_shown_in_full(service, clock):
    ids = sorted(set(seed(service).values()))
    other = second_moderator(service, clock)
    projects = ["logistik", "dialog", "cim", "lotsen"]
    app = make_app(service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        # A wide gap, so the count below does not depend on how fast this machine writes.
        screen.min_poll_gap = 1.0
        polls = count_calls(screen.reader, "poll")

        def burst() -> None:  # another console, as fast as it can
            for n in range(45):
                other.tag(ids[n % len(ids)], projects[n % len(projects)])
            for group_id in ids[:5]:
                other.send_live(group_id)

        await asyncio.to_thread(burst)
        summaries = {g.id: g for g in service.summaries()}
        live = [g.id for g in service.live_queue()]
        inbox = {i: g.project_key for i, g in summaries.items() if g.state == QueueState.NEW}

        def shown() -> bool:
            rows = {r.id: r.project_key for r in screen.main_list.rows}
            return rows == inbox and [r.id for r in screen.live_list.rows] == live

        assert await wait_until(pilot, shown, steps=100)
        assert len(live) == 5 and all(screen.model.groups[i] == summaries[i] for i in ids)
        assert len(polls) <= 10  # 50 writes; one poll per notification would be 50
