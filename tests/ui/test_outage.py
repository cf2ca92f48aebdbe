"""The console through a real outage of its PostgreSQL server (restart, network drop).

Anna's console reaches the real server through a TCP relay that goes down and comes back;
Ben works directly on the server the whole time.
"""

from __future__ import annotations

import pytest

from moderator.domain.models import QueueState as S
from moderator.ui.stage import StageApp, StageConnection
from tests.relay import NetworkLink, TcpRelay, terminate_others
from tests.ui.helpers import laptops, make_app, plain, seed, select, settle, wait_until

pytestmark = pytest.mark.postgres

RECONNECT_STEPS = 240  # x 0.05 s: the listener's backoff is at most 5 s
# x 0.05 s: a dead connection is given up after 5 s without an acknowledgement; without that
# setting the kernel would wait about 15 minutes.
SILENT_DROP_STEPS = 400


async def test_the_console_rides_out_a_server_outage_and_loses_nothing(postgres_url, clock):
    with (
        TcpRelay.for_url(postgres_url) as relay,
        laptops(clock, (postgres_url, "Ben"), (relay.url(postgres_url), "Anna")) as (ben, anna),
    ):
        ids = seed(ben)
        app = make_app(anna, clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.main_screen
            banner = screen.query_one("#banner")
            await select(app, pilot, ids["Carla"])
            await pilot.press("l")  # saved before the outage
            await settle(app, pilot)
            assert ben.group(ids["Carla"]).state == S.LIVE
            title = screen.query_one("#view-title")
            assert f"✓ #{ids['Carla']} → live" in plain(title.content)
            assert await wait_until(pilot, lambda: anna.change_mode == "notify")
            inbox_before = [r.id for r in screen.main_list.rows]

            relay.down()
            # The listening connection breaks: the console notices without a key press.
            assert await wait_until(pilot, lambda: banner.display)
            assert "Datenbank nicht erreichbar" in plain(banner.content)
            assert [r.id for r in screen.main_list.rows] == inbox_before  # it keeps its data
            # Ben goes on working meanwhile.
            ben.send_live(ids["Eva"])
            # Anna's key is refused visibly: shown at once, then taken back with a notice.
            await select(app, pilot, ids["Bernd"])
            await pilot.press("d")
            await settle(app, pilot)
            failed = [n for n in app._notifications if n.severity == "error"]
            assert failed and failed[-1].title == "Nicht gespeichert"
            assert "✓" not in plain(title.content)  # the last confirmation is withdrawn
            assert screen.main_list.current.id == ids["Bernd"]
            assert not screen.model.pending
            assert ben.group(ids["Bernd"]).state == S.NEW  # nothing was written
            assert [r.id for r in screen.live_list.rows] == [ids["Carla"]]

            relay.up()
            # It reconnects by itself and catches up with what happened while it was away.
            assert await wait_until(pilot, lambda: not banner.display, steps=RECONNECT_STEPS)
            live = screen.live_list
            assert await wait_until(
                pilot,
                lambda: [r.id for r in live.rows] == [ids["Carla"], ids["Eva"]],
                steps=RECONNECT_STEPS,
            )
            # Ben's next action arrives by notification again.
            assert await wait_until(pilot, lambda: anna.change_mode == "notify")
            ben.dismiss(ids["Frank"])
            assert await wait_until(
                pilot, lambda: ids["Frank"] not in [r.id for r in screen.main_list.rows]
            )
            # The refused key, pressed again, is saved now.
            await select(app, pilot, ids["Bernd"])
            await pilot.press("d")
            await settle(app, pilot)
            assert ben.group(ids["Bernd"]).state == S.DISMISSED
        assert relay.accepted >= 3  # the engine and the listener connected again
        # The log has every committed action once, and nothing for the refused key.
        moves = [
            (a.moderator, a.group_id, a.after.get("state"))
            for a in reversed(ben.history(limit=None))  # newest first
            if a.verb == "move"
        ]
        assert moves == [
            ("Anna", ids["Carla"], "live"),
            ("Ben", ids["Eva"], "live"),
            ("Ben", ids["Frank"], "dismissed"),
            ("Anna", ids["Bernd"], "dismissed"),
        ]


async def test_two_consoles_lose_nothing_when_their_backends_are_terminated(postgres_url, clock):
    with laptops(clock, (postgres_url, "Anna"), (postgres_url, "Ben")) as (anna, ben):
        ids = seed(anna)
        first, second = make_app(anna, clock), make_app(ben, clock)
        async with first.run_test(size=(120, 40)) as p1, second.run_test(size=(120, 40)) as p2:
            await settle(first, p1)
            await settle(second, p2)
            await select(first, p1, ids["Carla"])
            await p1.press("l")
            await settle(first, p1)
            assert await wait_until(p2, lambda: ben.change_mode == "notify")
            # Every connection of both consoles (pools and LISTEN) ends in mid-session.
            assert terminate_others(postgres_url) >= 3
            # The next keys on either side are saved: the pools reconnect on checkout.
            await select(second, p2, ids["Eva"])
            await p2.press("l")
            await settle(second, p2)
            await select(first, p1, ids["Frank"])
            await p1.press("d")
            await settle(first, p1)
            errors = [
                n for app in (first, second) for n in app._notifications if n.severity == "error"
            ]
            assert errors == []
            assert anna.group(ids["Eva"]).state == S.LIVE
            assert ben.group(ids["Frank"]).state == S.DISMISSED
            # Both listeners reconnected: each console shows the other's action.
            live = first.main_screen.live_list
            assert await wait_until(
                p1,
                lambda: [r.id for r in live.rows] == [ids["Carla"], ids["Eva"]],
                steps=RECONNECT_STEPS,
            )
            inbox = second.main_screen.main_list
            assert await wait_until(
                p2, lambda: ids["Frank"] not in [r.id for r in inbox.rows], steps=RECONNECT_STEPS
            )
            assert anna.change_mode == ben.change_mode == "notify"
        moves = [
            (a.moderator, a.group_id)
            for a in reversed(anna.history(limit=None))
            if a.verb == "move"
        ]
        assert moves == [("Anna", ids["Carla"]), ("Ben", ids["Eva"]), ("Anna", ids["Frank"])]


@pytest.mark.timeout(60, method="thread")  # without the fix: hangs ~15 min (kernel)
async def test_the_console_notices_a_silent_network_drop(postgres_url, clock):
    """Wi-Fi gone: no reset, no error, packets just vanish. Within seconds (not the
    kernel's quarter of an hour) the console says so, refuses the key, and comes back."""
    if reason := NetworkLink.unavailable():
        pytest.skip(reason)
    with (
        NetworkLink.for_url(postgres_url) as link,
        laptops(clock, (postgres_url, "Ben"), (link.url(postgres_url), "Anna")) as (ben, anna),
    ):
        ids = seed(ben)
        app = make_app(anna, clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.main_screen
            banner = screen.query_one("#banner")
            assert await wait_until(pilot, lambda: anna.change_mode == "notify")
            inbox_before = [r.id for r in screen.main_list.rows]
            await select(app, pilot, ids["Bernd"])

            link.cut()
            ben.send_live(ids["Eva"])
            await pilot.press("d")  # the write waits on a dead connection, then gives up
            assert await wait_until(pilot, lambda: banner.display, steps=SILENT_DROP_STEPS)
            assert "Datenbank nicht erreichbar" in plain(banner.content)
            failed = lambda: [n for n in app._notifications if n.severity == "error"]  # noqa: E731
            assert await wait_until(pilot, failed, steps=SILENT_DROP_STEPS)
            assert failed()[-1].title == "Nicht gespeichert"
            assert [r.id for r in screen.main_list.rows] == inbox_before
            assert screen.main_list.current.id == ids["Bernd"]
            assert ben.group(ids["Bernd"]).state == S.NEW

            link.restore()
            assert await wait_until(pilot, lambda: not banner.display, steps=SILENT_DROP_STEPS)
            live = screen.live_list
            assert await wait_until(
                pilot, lambda: [r.id for r in live.rows] == [ids["Eva"]], steps=RECONNECT_STEPS
            )
            await settle(app, pilot)
            await pilot.press("d")
            await settle(app, pilot)
            assert ben.group(ids["Bernd"]).state == S.DISMISSED


async def test_the_stage_says_it_shows_the_last_state_and_catches_up(postgres_url, clock):
    with (
        TcpRelay.for_url(postgres_url) as relay,
        laptops(clock, (postgres_url, "Anna"), (relay.url(postgres_url), "Bühne")) as seats,
    ):
        anna, viewer = seats
        ids = seed(anna)
        anna.send_live(ids["Anna"])
        stage = StageApp(viewer, poll_interval=0.2)
        failed_reads: list[StageConnection] = []

        def hook(message) -> None:
            if isinstance(message, StageConnection) and not message.ok:
                failed_reads.append(message)

        async with stage.run_test(size=(100, 30), message_hook=hook) as pilot:
            assert await wait_until(pilot, lambda: stage.data is not None)
            offline = stage.query_one("#stage-offline")
            assert not offline.display
            relay.down()
            assert await wait_until(pilot, lambda: offline.display, steps=RECONNECT_STEPS)
            assert "letzte Stand" in plain(offline.content)
            anna.advance(ids["Anna"])  # on air while the stage cannot see it
            # Two more failed reads: at least one of them began after the change.
            seen = len(failed_reads)
            assert await wait_until(pilot, lambda: len(failed_reads) >= seen + 2)
            assert stage.data.on_air is None  # the last known state, labelled as such
            relay.up()
            assert await wait_until(
                pilot,
                lambda: stage.data.on_air is not None and stage.data.on_air.id == ids["Anna"],
                steps=RECONNECT_STEPS,
            )
            assert await wait_until(pilot, lambda: not offline.display)
