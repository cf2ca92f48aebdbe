"""The console's model: forecasts of own writes shown at once, settled by what was stored."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

from moderator.domain.models import Channel, GroupSummary, QueueState
from moderator.ui.model import EventModel, Pending, squash

S = QueueState
T0 = datetime(2020, 6, 19, 16, 0, tzinfo=UTC)


def summary(gid: int, state: QueueState = S.NEW, position: int | None = None, **kw) -> GroupSummary:
    values = dict(
        id=gid,
        title=f"Frage {gid}?",
        state=state,
        position=position,
        project_key=None,
        project_confirmed=False,
        suggested_project="mobilitaet",
        suggested_confidence=0.8,
        members=1,
        votes=1,
        channel=Channel.CHAT,
        author=f"Person {gid}",
        first_at=T0,
        created_at=T0,
        top_match_group=None,
        top_match_score=0.0,
        version=1,
        auto_merged=False,
        has_answer=False,
    )
    values.update(kw)
    return GroupSummary(**values)


def model_with(*rows: GroupSummary) -> EventModel:
    model = EventModel()
    model.replace_all(rows)
    return model


def test_a_forecast_is_shown_marked_and_the_stored_row_replaces_it_when_settled():
    model = model_with(summary(1), summary(2))
    (forecast,) = model.forecast_move(model.groups[1], S.LIVE, confirm_project=True)
    changes = model.expect([forecast])
    shown = model.groups[1]
    assert isinstance(shown, Pending) and shown.state == S.LIVE and shown.position == 1
    assert shown.project_key == "mobilitaet" and shown.project_confirmed
    assert shown.version == 1  # the stored version is unknown until it is read back
    assert changes == [(summary(1), shown)]
    assert model.state_counts[S.LIVE] == 1 and model.state_counts[S.NEW] == 1

    # A poll that still read the old row does not undo the forecast on screen...
    assert model.apply([summary(1)], asked=[1]) == []
    assert model.groups[1] is shown
    # ...nor does one that read the committed row: that waits for the write's own read-back.
    stored = summary(1, S.LIVE, 1, project_key="mobilitaet", project_confirmed=True, version=2)
    assert model.apply([stored], asked=[1]) == []

    settled = model.settle([1])
    assert model.groups[1] == stored and not isinstance(model.groups[1], Pending)
    assert settled == [(shown, stored)]
    assert model.pending == {}


def test_a_failed_write_shows_the_last_stored_row_again():
    model = model_with(summary(1))
    model.expect(model.forecast_tag(model.groups[1], "digital"))
    assert model.groups[1].project_key == "digital"
    other = summary(1, title="Von Bea bearbeitet?", version=2)  # read while the write ran
    model.apply([other], asked=[1])
    shown = model.groups[1]
    assert model.settle([1]) == [(shown, other)]
    assert model.groups[1] == other
    assert model.state_counts[S.NEW] == 1


def test_two_writes_in_flight_on_one_group_settle_after_the_second():
    model = model_with(summary(1))
    model.expect(model.forecast_tag(model.groups[1], "digital"))
    model.expect(model.forecast_move(model.groups[1], S.LATER))
    assert model.groups[1].state == S.LATER and model.groups[1].project_key == "digital"
    assert model.settle([1]) == []  # the first is done, the second not yet
    assert isinstance(model.groups[1], Pending)
    model.settle([1])
    assert model.groups[1] == summary(1)


def test_a_group_merged_away_while_pending_is_gone_once_settled():
    model = model_with(summary(1), summary(2))
    model.expect(model.forecast_tag(model.groups[1], None))
    model.apply([], asked=[1])  # merged away by someone else meanwhile
    assert 1 in model.groups
    model.settle([1])
    assert 1 not in model.groups and model.state_counts[S.NEW] == 1


def test_a_full_reload_keeps_the_forecast_until_settled():
    model = model_with(summary(1), summary(2))
    model.expect(model.forecast_move(model.groups[2], S.DISMISSED))
    model.replace_all([summary(1), summary(2, title="neu?"), summary(3)])
    assert model.groups[2].state == S.DISMISSED and isinstance(model.groups[2], Pending)
    assert model.state_counts[S.NEW] == 2 and model.state_counts[S.DISMISSED] == 1
    model.settle([2])
    assert model.groups[2] == summary(2, title="neu?") and model.state_counts[S.NEW] == 3


def test_forecasts_follow_the_queue_rules():
    on_air = summary(1, S.ON_AIR)
    live = [summary(2, S.LIVE, 1), summary(3, S.LIVE, 2), summary(4, S.LIVE, 3)]
    model = model_with(on_air, *live, summary(5), summary(6, S.DISMISSED))
    # Sending live appends; leaving the live queue closes the gap behind it.
    (sent,) = model.forecast_move(model.groups[5], S.LIVE)
    assert sent.position == 4 and sent.project_key is None  # no confirmation asked
    left = model.forecast_move(model.groups[2], S.LATER)
    assert [(g.id, g.state, g.position) for g in left] == [
        (2, S.LATER, None),
        (3, S.LIVE, 1),
        (4, S.LIVE, 2),
    ]
    # On air: whoever was on air counts as answered live.
    aired = model.forecast_advance(model.groups[3])
    assert {(g.id, g.state) for g in aired} == {
        (3, S.ON_AIR),
        (4, S.LIVE),
        (1, S.ANSWERED_LIVE),
    }
    assert [g.state for g in model.forecast_advance(model.groups[1])] == [S.ANSWERED_LIVE]
    # Dismissing confirms no project; a move the rules forbid forecasts nothing.
    (gone,) = model.forecast_move(model.groups[5], S.DISMISSED, confirm_project=True)
    assert gone.project_key is None
    assert model.forecast_advance(model.groups[6]) == []
    assert model.forecast_move(model.groups[5], S.NEW) == []
    # Reordering renumbers what moved; at the top, moving up changes nothing.
    assert [(g.id, g.position) for g in model.forecast_reorder(model.groups[4], -1)] == [
        (4, 2),
        (3, 3),
    ]
    assert model.forecast_reorder(model.groups[2], -1) == []
    assert model.forecast_reorder(model.groups[5], 1) == []


def test_squash_keeps_one_change_per_group():
    a, b = summary(1), summary(1, S.LIVE, 1)
    assert squash([(a, b), (b, a)]) == []
    assert squash([(None, a), (a, b)]) == [(None, b)]
    c = replace(a, title="x")
    assert squash([(a, b), (b, c), (None, summary(2))]) == [(a, c), (None, summary(2))]


def test_the_live_queue_and_counts_stay_right_through_reads_forecasts_and_settles():
    rng = random.Random(8)
    states = list(S)
    model = model_with(*(summary(gid) for gid in range(1, 30)))
    stored = dict(model.groups)
    in_flight: list[list[int]] = []
    for _ in range(600):
        gid = rng.randrange(1, 30)
        step = rng.random()
        if step < 0.4:  # someone else's change, or a group merged away
            row = (
                None
                if rng.random() < 0.1
                else summary(gid, rng.choice(states), rng.randrange(1, 9))
            )
            model.apply([] if row is None else [row], asked=[gid])
            if row is None:
                stored.pop(gid, None)
            else:
                stored[gid] = row
        elif step < 0.7 and gid in model.groups:
            target = rng.choice(states)
            forecast = model.forecast_move(model.groups[gid], target)
            model.expect(forecast)
            in_flight.append([g.id for g in forecast])
        elif in_flight:
            model.settle(in_flight.pop(rng.randrange(len(in_flight))))
        shown = model.groups.values()
        assert [g.id for g in model.live()] == [
            g.id
            for g in sorted(
                (g for g in shown if g.state in (S.LIVE, S.ON_AIR)),
                key=lambda g: (g.state != S.ON_AIR, False, g.position or 0, g.id),
            )
        ]
        assert model.counts() == {s: sum(g.state == s for g in shown) for s in S}
    for ids in in_flight:
        model.settle(ids)
    assert model.groups == stored and not model.pending


def test_a_merge_forecast_hides_the_source_and_counts_it_in_the_target():
    source, target = summary(5, members=2, votes=3), summary(9, members=1, votes=4)
    live = [summary(1, S.LIVE, 1), summary(2, S.LIVE, 2), summary(3, S.LIVE, 3)]
    model = model_with(source, target, *live)
    rows, gone = model.forecast_merge(source, 9)
    assert gone == [5] and [(g.id, g.members, g.votes) for g in rows] == [(9, 3, 7)]
    model.expect(rows, gone)
    assert 5 not in model.groups and isinstance(model.groups[9], Pending)
    assert model.state_counts[S.NEW] == 1
    # It failed (say the source had changed meanwhile): both are shown as stored again.
    model.settle([9, 5])
    assert model.groups[5] == source and model.groups[9] == target and not model.pending
    # A live source leaves the queue; the questions behind it move up.
    rows, gone = model.forecast_merge(model.groups[2], 9)
    assert [(g.id, g.position) for g in rows[1:]] == [(3, 2)] and gone == [2]
    model.expect(rows, gone)
    merged = summary(9, members=2, votes=5, version=2)
    model.apply([merged, summary(1, S.LIVE, 1), summary(3, S.LIVE, 2)], asked=[9, 2, 1, 3])
    model.settle([g.id for g in rows] + gone)
    assert 2 not in model.groups and model.groups[9] == merged
    assert [g.id for g in model.live()] == [1, 3] and not model.pending
    assert model.forecast_merge(source, 404) == ([], [])  # a target the console never read
