"""Two consoles, as two laptops would run them, on one real PostgreSQL database."""

from __future__ import annotations

import pytest

from moderator.domain.models import QueueState
from moderator.ui.stage import StageApp
from tests.ui.helpers import laptops, make_app, seed, select, settle, wait_until

pytestmark = pytest.mark.postgres


async def test_an_action_in_one_console_appears_in_the_other(postgres_url, clock):
    with laptops(clock, (postgres_url, "Anna"), (postgres_url, "Ben")) as (anna, ben):
        ids = seed(anna)
        first, second = make_app(anna, clock), make_app(ben, clock)
        async with first.run_test(size=(120, 40)) as p1, second.run_test(size=(120, 40)) as p2:
            await settle(first, p1)
            await settle(second, p2)
            await select(first, p1, ids["Eva"])
            await p1.press("l")  # Anna: to the live queue
            await settle(first, p1)
            assert anna.group(ids["Eva"]).state == QueueState.LIVE
            live = second.main_screen.live_list
            # wait_until gives up after 2 s (a bound for a loaded CI machine; typically ~0.2 s)
            assert await wait_until(p2, lambda: [r.id for r in live.rows] == [ids["Eva"]])
            assert ben.change_mode == "notify"  # LISTEN/NOTIFY, not polling
            # and back: Ben dismisses, Anna's inbox no longer lists it as new
            await select(second, p2, ids["Frank"])
            await p2.press("d")
            await settle(second, p2)
            rows = first.main_screen.main_list
            assert await wait_until(p1, lambda: ids["Frank"] not in [r.id for r in rows.rows])


async def test_the_stage_on_another_laptop_follows_by_notification(postgres_url, clock):
    with laptops(clock, (postgres_url, "Anna"), (postgres_url, "Bühne")) as (anna, viewer):
        ids = seed(anna)
        for name in ("Anna", "Bernd", "Carla"):
            anna.send_live(ids[name])
        # A slow safety look (10 s): what arrives sooner came by LISTEN/NOTIFY.
        stage = StageApp(viewer, poll_interval=10)
        async with stage.run_test(size=(100, 30)) as pilot:
            assert await wait_until(pilot, lambda: stage.data is not None)
            assert stage.data.on_air is None
            assert [g.id for g in stage.data.next] == [ids["Anna"], ids["Bernd"]]
            anna.advance(ids["Anna"])
            assert await wait_until(
                pilot, lambda: stage.data.on_air is not None and stage.data.on_air.id == ids["Anna"]
            )
            assert viewer.change_mode == "notify"
            assert [g.id for g in stage.data.next] == [ids["Bernd"], ids["Carla"]]
            anna.advance(ids["Anna"])  # answered live
            assert await wait_until(pilot, lambda: stage.data.on_air is None)
        assert viewer._listener is None  # its LISTEN connection was released on exit
