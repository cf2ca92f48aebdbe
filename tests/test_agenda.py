"""The agenda in the event file: which project is presented from when; the console
proposes the slot's project when the slot begins (the team decides with `p`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderator.config import ConfigError, parse_config
from moderator.domain.agenda import Slot, current_slot
from moderator.services import open_event
from tests.conftest import ROOT
from tests.ui.helpers import make_app, seed, settle, wait_until

DEFAULT = (ROOT / "src/moderator/data/default_event.toml").read_text("utf-8")
AGENDA = """
[[agenda]]
project = "logistik"
starts_at = 2020-06-19T20:20:00

[[agenda]]
project = "dialog"
starts_at = 2020-06-19T20:05:00+02:00
"""


def test_agenda_is_read_in_time_order_in_the_event_timezone():
    config = parse_config(DEFAULT + AGENDA, source="event.toml")
    assert [s.project for s in config.agenda] == ["dialog", "logistik"]
    assert config.agenda[1].starts_at == datetime(2020, 6, 19, 18, 20, tzinfo=UTC)  # Berlin
    with pytest.raises(ConfigError, match=r"event.toml:\d+: agenda project 'nope'"):
        parse_config(DEFAULT + AGENDA.replace('"logistik"', '"nope"'), source="event.toml")
    with pytest.raises(ConfigError, match="needs starts_at"):
        parse_config(DEFAULT + '\n[[agenda]]\nproject = "dialog"\n', source="event.toml")


def test_current_slot_is_the_last_one_begun():
    start = datetime(2020, 6, 19, 18, 0, tzinfo=UTC)
    agenda = [Slot(start, "dialog"), Slot(start + timedelta(minutes=15), "logistik")]
    assert current_slot(agenda, start - timedelta(seconds=1)) is None
    assert current_slot(agenda, start) == agenda[0]
    assert current_slot(agenda, start + timedelta(minutes=20)) == agenda[1]
    assert current_slot([], start) is None


async def test_console_proposes_the_slots_project_when_it_begins(sqlite_service, clock):
    config = parse_config(DEFAULT + AGENDA, source="event.toml")
    service = open_event(sqlite_service.db, config, moderator="Anna", clock=clock)
    seed(service)
    app = make_app(service, clock)

    def proposals() -> list[str]:
        return [n.message for n in app._notifications if "Laut Ablauf" in n.message]

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.main_screen
        screen._agenda_tick()  # the check the console runs every second: at 18:00 no slot
        assert proposals() == [] and screen._agenda_seen is None
        clock.tick(6 * 60)  # 18:06 UTC: the "dialog" slot has begun
        assert await wait_until(pilot, lambda: len(proposals()) == 1)
        assert proposals()[0] == (
            "Laut Ablauf jetzt: Dialog Zivilgesellschaft – p 1 zeigt es allen als präsentiert"
        )
        assert service.presenting() is None  # proposed, not decided
        await pilot.press("p", "2")  # the team presents logistics already
        await settle(app, pilot)
        clock.tick(15 * 60)  # 18:21: the "logistik" slot begins, it is presented already
        screen._agenda_tick()
        assert screen._agenda_seen is not None and screen._agenda_seen.project == "logistik"
        assert len(proposals()) == 1
