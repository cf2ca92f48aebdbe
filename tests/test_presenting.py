"""The presented project is the team's: stored with the event, logged, and one order of the
live queue (on air, then the presented project, then queue order) for every reader."""

from __future__ import annotations

import pytest

from moderator.config import load_default_config
from moderator.domain.actions import Verb
from moderator.services import open_event
from moderator.services.errors import ServiceError
from moderator.ui.wording import describe
from tests.ui.helpers import seed


def test_present_is_stored_logged_and_seen_by_another_moderator(service, clock):
    ids = seed(service)
    other = open_event(service.db, load_default_config(), moderator="Bea", clock=clock)
    assert other.presenting() is None
    seq = other.change_seq()
    service.present("logistik")
    assert other.presenting() == "logistik"
    assert other.change_seq() > seq  # the change watch of every reader wakes up
    action = other.history(limit=1)[0]
    assert action.verb == Verb.PRESENT and action.moderator == "Anna"
    assert action.before == {"project": None}
    assert action.after == {"project": "logistik", "name": "Lokale Logistik"}
    assert describe(action, clock(), lang="de").startswith(
        "Anna hat das präsentierte Projekt gewählt: Lokale Logistik"
    )
    service.present(None)
    assert other.presenting() is None
    assert other.history(limit=1)[0].after == {"project": None, "name": None}
    with pytest.raises(ServiceError):
        service.present("no-such-project")
    assert ids  # the seeded questions are untouched by all this
    assert all(g.state.value == "new" for g in other.summaries())


def test_stage_orders_the_next_questions_by_the_presented_project(service):
    ids = seed(service)
    service.tag(ids["Eva"], "lotsen")
    service.tag(ids["Bernd"], "dialog")
    for name in ("Anna", "Bernd", "Carla", "Eva"):
        service.send_live(ids[name])
    service.advance(ids["Anna"])  # on air
    stage = service.stage()
    assert stage.on_air is not None and stage.on_air.id == ids["Anna"]
    assert [g.id for g in stage.next] == [ids["Bernd"], ids["Carla"]]
    assert stage.presenting is None
    service.present("lotsen")
    stage = service.stage()
    assert stage.presenting is not None and stage.presenting.name.startswith("Lotsensystem")
    assert [g.id for g in stage.next] == [ids["Eva"], ids["Bernd"]]
    assert stage.seq == service.change_seq()
