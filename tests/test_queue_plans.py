"""The queue and merge planner of the domain: pure rules, no database, no console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from moderator.domain.models import Event, QueueState, effective_project, is_confirmed
from moderator.domain.queues import (
    MergeError,
    Plan,
    RowChange,
    Shift,
    TransitionError,
    advance_target,
    plan_merge,
    plan_move,
    plan_reorder,
    project_to_confirm,
)

S = QueueState


@dataclass
class G:
    id: int
    state: str = S.NEW
    position: int | None = None
    project_key: str | None = None
    project_confirmed: bool = False
    suggested_project: str | None = "mobilitaet"


@dataclass
class Queues:
    rows: list[G]

    def live(self) -> list[G]:
        return sorted((g for g in self.rows if g.state == S.LIVE), key=lambda g: g.position or 0)

    def on_air(self) -> list[G]:
        return [g for g in self.rows if g.state == S.ON_AIR]


def apply(rows: list[G], plan: Plan) -> dict[int, tuple[str, int | None]]:
    """The plan applied as the service applies it: row changes in order, shifts of the
    live queue as one statement would."""
    by_id = {g.id: g for g in rows}
    for step in plan.steps:
        if isinstance(step, RowChange):
            for name, value in step.values.items():
                setattr(by_id[step.group_id], name, value)
        else:
            for g in rows:
                if g.state == S.LIVE and g.position is not None and g.position >= step.start:
                    g.position += step.delta
    return {g.id: (S(g.state), g.position) for g in rows}


def event() -> list[G]:
    return [G(1, S.ON_AIR), G(2, S.LIVE, 1), G(3, S.LIVE, 2), G(4, S.LIVE, 3), G(5), G(6, S.LATER)]


def test_sending_live_appends_and_leaving_closes_the_gap():
    rows = event()
    q = Queues(rows)
    assert apply(rows, plan_move(rows[4], S.LIVE, q))[5] == (S.LIVE, 4)
    after = apply(rows, plan_move(rows[1], S.LATER, q))
    assert [after[i] for i in (2, 3, 4, 5)] == [
        (S.LATER, None),
        (S.LIVE, 1),
        (S.LIVE, 2),
        (S.LIVE, 3),
    ]


def test_a_place_in_the_live_queue_is_clamped_and_the_others_make_room():
    rows = event()
    q = Queues(rows)
    after = apply(rows, plan_move(rows[3], S.LIVE, q, position=1))  # #4 from 3rd to 1st
    assert [after[i][1] for i in (4, 2, 3)] == [1, 2, 3]
    after = apply(rows, plan_move(rows[5], S.LIVE, q, position=99))
    assert after[6] == (S.LIVE, 4)


def test_one_question_on_air_the_one_before_counts_as_answered_live():
    rows = event()
    plan = plan_move(rows[2], S.ON_AIR, Queues(rows))
    assert plan.previous_on_air == 1
    after = apply(rows, plan)
    assert after[1] == (S.ANSWERED_LIVE, None) and after[3] == (S.ON_AIR, None)
    assert [after[i] for i in (2, 4)] == [(S.LIVE, 1), (S.LIVE, 2)]


def test_enter_toggles_between_on_air_and_answered_live():
    assert advance_target(S.LIVE) == S.ON_AIR and advance_target("new") == S.ON_AIR
    assert advance_target(S.ON_AIR) == S.ANSWERED_LIVE


def test_a_forbidden_move_raises_and_a_repeat_changes_nothing():
    rows = event()
    with pytest.raises(TransitionError):
        plan_move(G(7, S.ANSWERED_WRITING), S.LIVE, Queues(rows))
    assert plan_move(rows[5], S.LATER, Queues(rows)).steps == ()


def test_triage_confirms_the_suggested_project_only_towards_live_or_later():
    q = Queues(event())
    untagged = G(8)
    assert plan_move(untagged, S.LIVE, q, confirm_project=True).tag == "mobilitaet"
    assert plan_move(untagged, S.LATER, q, confirm_project=True).tag == "mobilitaet"
    assert plan_move(untagged, S.DISMISSED, q, confirm_project=True).tag is None
    assert plan_move(untagged, S.LIVE, q).tag is None  # not asked
    unknown = G(9, suggested_project=None)
    assert plan_move(unknown, S.LIVE, q, confirm_project=True, general_key="allg").tag == "allg"
    tagged = G(10, S.LATER, project_key="digital", project_confirmed=True)
    assert plan_move(tagged, S.LIVE, q, confirm_project=True).tag is None
    # A repeated move changes no row but still confirms what is unconfirmed.
    assert plan_move(G(11, S.LATER), S.LATER, q, confirm_project=True).tag == "mobilitaet"


def test_one_definition_of_confirmed_and_of_the_effective_project():
    assert not is_confirmed(G(1)) and effective_project(G(1)) == "mobilitaet"
    tagged = G(2, project_key="digital", project_confirmed=True)
    assert is_confirmed(tagged) and effective_project(tagged) == "digital"
    assert effective_project(G(3, suggested_project=None), "general") == "general"
    assert project_to_confirm(G(4), "digital", "general") == "digital"
    assert project_to_confirm(G(5, suggested_project=None), None, "general") == "general"


def test_a_merged_live_source_leaves_the_queue_but_keeps_its_place_for_a_split():
    rows = event()
    plan = plan_merge(rows[1], rows[5])  # #2 (live, 1st) into #6
    assert plan.merged == (2, 6)
    after = apply(rows, plan)
    assert after[2] == (S.LIVE, 1)  # the hidden source keeps state and position
    assert [after[i] for i in (3, 4)] == [(S.LIVE, 1), (S.LIVE, 2)]
    assert plan_merge(rows[4], rows[5]).steps == ()  # not live: nothing moves
    with pytest.raises(MergeError):
        plan_merge(rows[4], rows[4])


def test_reorder_renumbers_only_what_moved():
    rows = event()
    live = Queues(rows).live()
    plan = plan_reorder(rows[3], live, -1)
    assert plan.order == (2, 4, 3)
    assert plan.steps == (RowChange(4, {"position": 2}), RowChange(3, {"position": 3}))
    assert plan_reorder(rows[1], live, -1).steps == ()  # already at the top
    with pytest.raises(TransitionError):
        plan_reorder(rows[4], live, 1)


def test_a_shift_never_moves_the_planned_group():
    rows = event()
    plan = plan_move(rows[1], S.LIVE, Queues(rows), position=3)  # #2 from 1st to 3rd
    assert isinstance(plan.steps[1], Shift)
    after = apply(rows, plan)
    assert sorted(after[i][1] for i in (2, 3, 4)) == [1, 2, 3] and after[2][1] == 3


def test_the_event_is_running_for_twelve_hours_after_its_start():
    start = datetime(2020, 6, 19, 16, 0, tzinfo=UTC)
    event_ = Event(1, "e", "E", starts_at=start.replace(tzinfo=None))  # naive, as SQLite
    assert not event_.running(start - timedelta(minutes=1))
    assert event_.running(start) and event_.running(start + timedelta(hours=11, minutes=59))
    assert not event_.running(start + timedelta(hours=12))
    assert not Event(2, "f", "F").running(start)
