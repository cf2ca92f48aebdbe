"""Live sync while other consoles and importers write many times a second."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moderator.domain.models import Kind
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
