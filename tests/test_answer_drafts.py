"""Answer drafts in the database: kept per question and moderator, forgotten by the saved
answer, on SQLite and PostgreSQL."""

from __future__ import annotations

from moderator.config import load_default_config
from moderator.services import open_event
from tests.factories import msg


def _question(service) -> int:
    service.import_messages([msg(1, "Wann kommen die Paketstationen?")], source="drafts")
    return service.summaries()[0].id


def test_a_draft_is_kept_per_moderator_and_forgotten_when_the_answer_is_saved(service, clock):
    gid = _question(service)
    seq = service.change_seq()
    service.keep_answer_draft(gid, "Im Herbst, zuerst am Stiftsplatz")
    assert service.answer_draft(gid) == "Im Herbst, zuerst am Stiftsplatz"
    service.keep_answer_draft(gid, "Im Herbst, zuerst am Stiftsplatz und am Bahnhof")
    assert service.answer_draft(gid) == "Im Herbst, zuerst am Stiftsplatz und am Bahnhof"
    # No decision: nothing logged, the other consoles have nothing to read.
    assert service.change_seq() == seq
    assert [a.verb for a in service.activity(limit=10)] == ["import"]
    bea = open_event(service.db, load_default_config(), moderator="Bea", clock=clock)
    assert bea.answer_draft(gid) is None  # a draft is its moderator's alone
    bea.keep_answer_draft(gid, "Bea schreibt etwas anderes")
    service.set_answer(gid, "Im Herbst.")
    assert service.answer_draft(gid) is None
    assert bea.answer_draft(gid) == "Bea schreibt etwas anderes"
    bea.keep_answer_draft(gid, "  ")  # an empty draft is forgotten
    assert bea.answer_draft(gid) is None
