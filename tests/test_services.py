"""Use cases against a real database (SQLite file and PostgreSQL), one transaction each."""

from __future__ import annotations

import json

import pytest

from moderator.config import MatchingSettings
from moderator.domain.models import Channel, Kind, QueueState
from moderator.domain.queues import TransitionError
from moderator.services import ConflictError, EventService, ServiceError
from moderator.services.errors import NotFoundError
from moderator.services.exporting import export_json
from tests.factories import msg

S = QueueState


def _questions(service: EventService, *texts: str) -> list[int]:
    summary = service.import_messages([msg(i, t) for i, t in enumerate(texts)], source="t")
    return summary.group_ids


def test_import_is_idempotent_and_classifies(service: EventService) -> None:
    batch = [
        msg(1, "Guten Abend zusammen!"),
        msg(2, "Wo genau sollen die Paketstationen in der Innenstadt stehen?"),
        msg(3, "+1", kind=Kind.VOTE),
        msg(4, "Wie wird der Datenschutz bei der Datenplattform sichergestellt?"),
    ]
    first = service.import_messages(batch, source="chat")
    assert (first.new, first.questions, first.votes, first.chatter) == (4, 2, 1, 1)
    again = service.import_messages(batch, source="chat")
    assert again.new == 0 and again.already_imported == 4
    assert len(service.messages()) == 4
    groups = {g.title: g for g in service.groups()}
    paket = groups["Wo genau sollen die Paketstationen in der Innenstadt stehen?"]
    assert paket.votes == 2  # the asker and the "+1" that followed
    assert paket.suggested_project == "logistik"


def test_vote_follows_reply(service: EventService) -> None:
    service.import_messages(
        [
            msg(1, "Gibt es eine Liste der teilnehmenden Händler?"),
            msg(2, "Wann kommen die autonomen Busse nach Kaiserslautern?"),
            msg(3, "Das würde mich auch interessieren", kind=Kind.VOTE, reply_to=1),
        ]
    )
    by_title = {g.title: g for g in service.groups()}
    assert by_title["Gibt es eine Liste der teilnehmenden Händler?"].votes == 2
    assert by_title["Wann kommen die autonomen Busse nach Kaiserslautern?"].votes == 1


def test_queue_moves_keep_positions_contiguous(service: EventService) -> None:
    a, b, c = _questions(
        service,
        "Frage eins zur Mobilität?",
        "Frage zwei zu Sensoren?",
        "Frage drei zum Dritten Ort?",
    )
    for gid in (a, b, c):
        service.send_live(gid)
    assert [g.position for g in service.live_queue()] == [1, 2, 3]
    service.reorder(c, -2)
    assert [g.id for g in service.live_queue()] == [c, a, b]
    service.advance(c)  # on air
    queue = service.live_queue()
    assert queue[0].id == c and queue[0].state == S.ON_AIR
    assert [g.position for g in queue[1:]] == [1, 2]
    service.advance(a)  # a on air, c answered live
    assert service.group(c).state == S.ANSWERED_LIVE
    assert service.group(a).state == S.ON_AIR
    assert service.group(b).position == 1
    with pytest.raises(TransitionError):
        service.move(c, S.ANSWERED_WRITING)


def test_tag_and_undo(service: EventService) -> None:
    (gid,) = _questions(service, "Wie viele Sensoren hängen im LoRaWAN?")
    assert service.group(gid).suggested_project == "infrastruktur"
    service.tag(gid, "cim")
    assert service.group(gid).project_key == "cim"
    service.answer_later(gid)
    assert service.undo() is not None  # undoes the move
    assert service.group(gid).state == S.NEW
    service.undo()  # undoes the tag
    group = service.group(gid)
    assert group.project_key is None and not group.project_confirmed
    history = [a.verb for a in service.history(gid)]
    assert history[:2] == ["undo", "undo"]


def test_merge_keeps_members_and_split_restores(service: EventService) -> None:
    a, b = _questions(service, "Wo stehen die Paketstationen?", "Wo werden Paketstationen stehen?")
    service.send_live(a)
    service.send_live(b)
    before = export_json(service)
    result = service.merge(b, a)
    assert (result.id, result.touched_ids) == (a, (a, b))
    merged = service.group(a)
    assert len(merged.members) == 2 and merged.votes == 2 and result.version == merged.version
    assert [g.id for g in service.live_queue()] == [a]
    member_of_b = next(m for m in merged.members if m.text.startswith("Wo werden"))
    service.split(member_of_b.id)
    after = export_json(service)
    strip = lambda doc: {k: v for k, v in json.loads(doc).items() if k != "generated_at"}  # noqa: E731
    assert strip(before) == strip(after)


def test_merge_conflict_is_reported(service: EventService) -> None:
    a, b, c = _questions(
        service, "Frage A zum Lotsensystem?", "Frage B zum Lotsensystem?", "Frage C?"
    )
    service.merge(b, a)
    with pytest.raises(ConflictError, match="merged into"):
        service.merge(b, c)


def test_expected_version_detects_other_moderator(database, clock) -> None:
    from moderator.config import load_default_config
    from moderator.services import open_event

    anna = open_event(database, load_default_config(), moderator="Anna", clock=clock)
    ben = open_event(database, load_default_config(), moderator="Ben", clock=clock)
    (gid,) = _questions(anna, "Wird der Stadtrat live gestreamt?")
    seen = ben.group(gid).version
    anna.dismiss(gid)
    with pytest.raises(ConflictError, match="Anna"):
        ben.send_live(gid, expected_version=seen)
    assert anna.group(gid).state == S.DISMISSED


def test_manual_entry_and_empty_text(service: EventService) -> None:
    group = service.add_manual(
        "Telefonfrage: Gibt es WLAN am Stiftsplatz?", author="Herr Weber", channel=Channel.PHONE
    )
    assert group.members[0].channel == Channel.PHONE
    assert group.members[0].author == "Herr Weber"
    with pytest.raises(ServiceError):
        service.add_manual("   ")


def test_a_manual_question_auto_merged_returns_and_logs_the_group_it_joined(
    service: EventService,
) -> None:
    service.matching = MatchingSettings(auto_merge_threshold=90.0)
    (gid,) = _questions(service, "Gibt es WLAN am Stiftsplatz?")
    group = service.add_manual("Gibt es WLAN am Stiftsplatz?", channel=Channel.PHONE)
    assert group.id == gid
    assert sorted(m.channel for m in group.members) == [Channel.CHAT, Channel.PHONE]
    entry = service.history(limit=1)[0]
    assert entry.verb == "manual" and entry.group_id == gid
    assert entry.after["group"] == gid and gid in entry.after["merged"]


def test_set_kind_override_and_undo(service: EventService) -> None:
    service.import_messages([msg(1, "Danke!"), msg(2, "Wann startet das Lotsensystem?")])
    chatter = next(m for m in service.messages() if m.kind == Kind.CHATTER)
    promoted = service.set_kind(chatter.id, Kind.QUESTION)
    assert promoted.group_id is not None
    assert any(g.id == promoted.group_id for g in service.summaries())
    service.undo()
    assert all(g.id != promoted.group_id for g in service.summaries())
    assert next(m for m in service.messages() if m.id == chatter.id).kind == Kind.CHATTER


def test_chatter_count_agrees_with_the_full_counts(service: EventService) -> None:
    assert service.chatter_count() == 0
    service.import_messages([msg(1, "Danke!"), msg(2, "Wann startet das Lotsensystem?")])
    chatter = next(m for m in service.messages() if m.kind == Kind.CHATTER)
    assert service.chatter_count() == service.counts().kinds[Kind.CHATTER] == 1
    service.set_kind(chatter.id, Kind.QUESTION)
    assert service.chatter_count() == 0
    service.undo()
    assert service.chatter_count() == service.counts().kinds[Kind.CHATTER] == 1


def test_markup_text_is_stored_literally(service: EventService) -> None:
    hostile = '[bold]Hi[/] <script>alert(1)</script> \x1b[2J =HYPERLINK("x")'
    service.import_messages([msg(1, hostile, kind=Kind.QUESTION)])
    assert service.groups()[0].title == " ".join(hostile.split())
    assert service.messages()[0].text == hostile


def test_json_export_is_documented_shape(service: EventService) -> None:
    service.import_messages([msg(1, "Wie sicher sind die Daten der Plattform?", author="Eva")])
    doc = json.loads(export_json(service))
    assert doc["schema"] == "moderator.export" and doc["schema_version"] == 2
    assert doc["personal_data"] is False
    assert "author" not in doc["messages"][0]
    with_names = json.loads(export_json(service, include_askers=True))
    assert with_names["personal_data"] is True and with_names["messages"][0]["author"] == "Eva"


def test_reclassified_live_question_leaves_the_queue(service: EventService) -> None:
    a, b = _questions(service, "Wie teuer sind die Sensoren?", "Wo stehen die Ladesäulen?")
    service.send_live(a)
    service.send_live(b)
    member = service.group(a).members[0]
    service.set_kind(member.id, Kind.CHATTER)
    queue = service.live_queue()
    assert [(g.id, g.position) for g in queue] == [(b, 1)]
    service.undo()
    assert [(g.id, g.position) for g in service.live_queue()] == [(a, 1), (b, 2)]


def test_host_announcements_are_chatter(service: EventService) -> None:
    summary = service.import_messages(
        [
            msg(
                1,
                "Projekt 3: Wie entstehen Dritte Orte in der Innenstadt?",
                author="Moderation KL.digital",
            ),
            msg(2, "Wie entstehen Dritte Orte in der Innenstadt?", author="Nina Bauer"),
        ]
    )
    assert (summary.chatter, summary.questions) == (1, 1)


def test_warm_up_fills_the_duplicate_index(database, clock) -> None:
    from moderator.config import load_default_config
    from moderator.services import open_event

    writer = open_event(database, load_default_config(), moderator="Anna", clock=clock)
    _questions(writer, "Wo stehen die Paketstationen?", "Wann fährt der autonome Bus?")
    fresh = open_event(database, load_default_config(), moderator="Ben", clock=clock)
    assert len(fresh._index) == 0
    fresh.warm_up()
    assert len(fresh._index) == 2


def test_warm_up_builds_the_index_aside_and_keeps_what_came_meanwhile(database, clock) -> None:
    from moderator.config import load_default_config
    from moderator.services import open_event

    writer = open_event(database, load_default_config(), moderator="Anna", clock=clock)
    a, b = _questions(writer, "Wo stehen die Paketstationen?", "Wann fährt der autonome Bus?")
    reader = open_event(database, load_default_config(), moderator="Ben", clock=clock)
    reader.warm_up()
    # A question stored after the warm-up's read is picked up by the next use.
    (c,) = writer.import_messages([msg(9, "Wo genau stehen die Paketstationen?")]).group_ids
    assert [s.group_id for s in reader.suggestions(c)] == [a]
    assert len(reader._index) == 3
    # While a warm-up is under way the detail view gets the stored suggestions at once.
    later = open_event(database, load_default_config(), moderator="Cem", clock=clock)
    later._warming = True
    assert [s.group_id for s in later.suggestions(c)] == [a]
    assert len(later._index) == 0  # it did not build the index itself meanwhile
    assert b not in [s.group_id for s in later.suggestions(c)]


def test_moderator_writes_do_not_wait_for_the_duplicate_index(service: EventService) -> None:
    """Scoring suggestions for the detail view holds the index's lock; a tag or a queue
    move touches no index and must not queue behind it."""
    import threading

    (gid,) = _questions(service, "Wann kommen die Paketstationen?")
    done = threading.Event()

    def act() -> None:
        service.tag(gid, "logistik")
        service.send_live(gid)
        done.set()

    with service._lock:  # as `suggestions()` holds it while it scores
        worker = threading.Thread(target=act)
        worker.start()
        finished = done.wait(30)
    worker.join()
    assert finished, "a moderator's write waited for the duplicate index"
    assert service.group(gid).state == QueueState.LIVE


def test_phoned_in_questions_get_the_time_they_were_typed_in(service: EventService, clock) -> None:
    from moderator.domain.models import IncomingMessage

    phoned = IncomingMessage(
        source_key="lines:phone.txt:1", channel=Channel.PHONE, text="Gibt es WLAN im Bus?"
    )
    service.import_messages([phoned])
    assert service.messages()[0].received_at == clock.now


@pytest.mark.parametrize("target", [S.LIVE, S.LATER])
def test_move_confirming_the_project_is_one_write(
    service: EventService, target: QueueState, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console's triage key: confirm the suggested project and queue, one transaction."""
    (gid,) = _questions(service, "Wie viele Sensoren hängen im LoRaWAN?")
    fresh = service.group(gid)
    assert fresh.suggested_project == "infrastruktur" and not fresh.project_confirmed
    seq, last = service.change_seq(), service.last_action_id()
    learned: list[tuple[str, str, bool]] = []

    def learn(text: str, key: str, _vector=None) -> None:  # after the commit: a read sees it
        learned.append((text, key, service.group(gid).project_confirmed))

    monkeypatch.setattr(service._tagger, "learn", learn)
    result = service.move(gid, target, expected_version=fresh.version, confirm_project=True)
    moved = service.group(gid)
    assert result.version == moved.version == fresh.version + 1  # one write, one version
    assert (result.state, moved.project_key, moved.project_confirmed) == (
        target,
        "infrastruktur",
        True,
    )
    assert service.change_seq() == seq + 1  # one write transaction
    assert moved.version == service.group(gid).version == fresh.version + 1  # one bump
    tag, move = service.actions_since(last)
    assert (tag.verb, move.verb) == ("tag", "move") and tag.id < move.id
    assert tag.moderator == move.moderator == "Anna"
    assert tag.group_id == move.group_id == gid
    assert tag.before == {"project_key": None, "project_confirmed": False}
    assert tag.after == {"project_key": "infrastruktur", "project_confirmed": True}
    assert move.before == {"state": "new", "position": None}
    assert move.after["state"] == target.value
    assert learned == [(fresh.members[0].text, "infrastruktur", True)]


def test_move_confirming_the_project_writes_what_tag_then_move_write(database, clock) -> None:
    """Same rows, same log entries as the two calls the console made before."""
    from moderator.config import load_default_config
    from moderator.services import open_event

    service = open_event(database, load_default_config(), moderator="Anna", clock=clock)
    a, b = _questions(service, "Wann kommen die Paketstationen?", "Wo stehen die Paketstationen?")
    last = service.last_action_id()
    service.tag(a)
    service.send_live(a)
    service.send_live(b, confirm_project=True)
    two, one = service.group(a), service.group(b)
    assert (one.state, one.position - 1, one.project_key, one.project_confirmed) == (
        two.state,
        two.position,
        two.project_key,
        two.project_confirmed,
    )
    logged = [(x.verb, x.before, x.after, x.summary) for x in service.actions_since(last)]
    assert [entry[0] for entry in logged] == ["tag", "move", "tag", "move"]
    assert logged[2][1:3] == logged[0][1:3]
    assert logged[3][1] == logged[1][1]
    assert logged[3][2] == {**logged[1][2], "position": 2}
    assert logged[2][3] == logged[0][3].replace(f"#{a}", f"#{b}")


def test_move_confirming_the_project_with_a_stale_version_changes_nothing(database, clock) -> None:
    from moderator.config import load_default_config
    from moderator.services import open_event

    anna = open_event(database, load_default_config(), moderator="Anna", clock=clock)
    ben = open_event(database, load_default_config(), moderator="Ben", clock=clock)
    (gid,) = _questions(anna, "Wird der Stadtrat live gestreamt?")
    seen = ben.group(gid).version
    anna.set_answer(gid, "Ja, ab Herbst.")
    before, seq, last = anna.group(gid), anna.change_seq(), anna.last_action_id()
    with pytest.raises(ConflictError, match="Anna"):
        ben.send_live(gid, expected_version=seen, confirm_project=True)
    after = anna.group(gid)
    assert (after.state, after.project_key, after.project_confirmed, after.version) == (
        before.state,
        before.project_key,
        before.project_confirmed,
        before.version,
    )
    assert after.state == S.NEW and not after.project_confirmed
    assert anna.change_seq() == seq and anna.actions_since(last) == []
    assert [x.moderator for x in anna.history(limit=None)] == ["Anna", "Anna"]


def test_refused_move_confirms_nothing(service: EventService) -> None:
    (gid,) = _questions(service, "Wann startet das Lotsensystem?")
    service.move(gid, S.ANSWERED_WRITING)  # answered: it cannot go live any more
    seq, last = service.change_seq(), service.last_action_id()
    with pytest.raises(TransitionError):
        service.send_live(gid, confirm_project=True)
    assert not service.group(gid).project_confirmed
    assert service.change_seq() == seq and service.actions_since(last) == []


@pytest.mark.parametrize("verb", ["dismiss", "advance"])
def test_other_moves_do_not_confirm_the_project(service: EventService, verb: str) -> None:
    (gid,) = _questions(service, "Wann startet das Lotsensystem?")
    last = service.last_action_id()
    getattr(service, verb)(gid, confirm_project=True)
    group = service.group(gid)
    assert group.project_key is None and not group.project_confirmed
    assert [x.verb for x in service.actions_since(last)] == ["move"]


def test_move_does_not_tag_a_confirmed_group_again(service: EventService) -> None:
    (gid,) = _questions(service, "Wie viele Sensoren hängen im LoRaWAN?")
    service.tag(gid, "cim")
    last = service.last_action_id()
    service.answer_later(gid, confirm_project=True)
    moved = service.group(gid)
    assert (moved.state, moved.project_key) == (S.LATER, "cim")
    assert [x.verb for x in service.actions_since(last)] == ["move"]


def test_undo_takes_back_a_confirming_move_then_its_tag(service: EventService) -> None:
    (gid,) = _questions(service, "Wie viele Sensoren hängen im LoRaWAN?")
    service.send_live(gid, confirm_project=True)
    assert service.undo().verb == "move"
    group = service.group(gid)
    assert (group.state, group.position) == (S.NEW, None)
    assert (group.project_key, group.project_confirmed) == ("infrastruktur", True)
    assert service.undo().verb == "tag"
    group = service.group(gid)
    assert (group.state, group.project_key, group.project_confirmed) == (S.NEW, None, False)
    assert service.live_queue() == []
    assert [x.verb for x in service.history(gid)][:4] == ["undo", "undo", "move", "tag"]


def test_detail_and_merge_candidates_answer_in_one_call_what_took_several(
    service: EventService,
) -> None:
    a, b, c = _questions(
        service,
        "Wann kommen die autonomen Busse nach Kaiserslautern?",
        "Wann kommen denn die autonomen Busse nach Kaiserslautern?",
        "Wann fahren autonome Busse in Kaiserslautern?",
    )
    service.tag(a, "mobilitaet")
    detail = service.detail(a)
    assert detail.group == service.group(a)
    assert list(detail.history) == service.history(a, limit=20)
    maybe = service.matching.maybe_threshold
    assert list(detail.maybe) == service.suggestions(a, min_score=maybe)
    confident, weaker = service.merge_candidates(a)
    assert confident == service.suggestions(a)  # scored once, split by the threshold
    assert [s.group_id for s in confident + weaker] == [
        s.group_id for s in service.suggestions(a, min_score=maybe)
    ]
    assert {b, c} & {s.group_id for s in confident + weaker}
    with pytest.raises(NotFoundError):
        service.detail(9999)


def test_a_question_of_one_wording_becomes_chatter_in_one_call(service: EventService) -> None:
    a, b = _questions(
        service,
        "Wann kommen die autonomen Busse nach Kaiserslautern?",
        "Wie viele Sensoren hängen im LoRaWAN?",
    )
    service.merge(b, a)
    with pytest.raises(ServiceError, match="more than one wording"):
        service.set_kind(None, Kind.CHATTER, group_id=a)
    text = "Wer betreibt die Paketstationen in der Innenstadt?"
    (c,) = service.import_messages([msg(10, text)], source="t").group_ids
    message = service.set_kind(None, Kind.CHATTER, group_id=c)
    assert message.kind == Kind.CHATTER and message.group_id is None
    assert c not in {g.id for g in service.summaries()}


def test_english_event_classifies_with_english_rules(database, clock) -> None:
    from dataclasses import replace

    from moderator.config import load_default_config
    from moderator.services import open_event

    config = replace(load_default_config(), language="en")
    service = open_event(database, config, moderator="Anna", clock=clock)
    summary = service.import_messages(
        [
            msg(1, "the optimal block is likely to be built outside the node"),
            msg(2, "sorry, I didn't do a hand up"),
            msg(3, "is the recording going to be on YouTube"),
        ],
        source="en-chat",
    )
    assert (summary.questions, summary.chatter) == (1, 2)


def test_the_first_screen_of_a_large_event_is_its_newest_questions_and_the_live_queue(
    service: EventService,
) -> None:
    """`first_screen`: the newest questions of a view and the whole live queue, with the
    counts of the whole event as the console counts them (listed questions per state,
    open ones per effective project, none: general); nothing for a small event."""
    from collections import Counter

    from moderator.domain.models import GENERAL_KEY
    from moderator.domain.queues import OPEN_STATES

    ids = _questions(
        service,
        *[f"Wann kommen die Paketstationen in Viertel {n}?" for n in range(8)],
        *[f"Wie laut sind die autonomen Busse in Viertel {n}?" for n in range(8)],
        "Hallo zusammen!",
    )
    ids = sorted(set(ids))
    service.send_live(ids[0])
    service.send_live(ids[1])
    service.advance(ids[1])  # on air
    service.answer_later(ids[2])
    service.dismiss(ids[15])
    service.tag(ids[3], service.projects[2].key)
    first = service.first_screen([S.NEW], lines=4, above=10)
    assert first is not None
    whole = service.summaries()
    newest = sorted((g.id for g in whole if g.state == S.NEW), reverse=True)[:4]
    assert sorted(g.id for g in first.rows) == sorted([*newest, ids[0], ids[1]])
    assert first.rows == [g for g in whole if g.id in {*newest, ids[0], ids[1]}]
    assert first.states == dict(Counter(g.state for g in whole))
    assert first.open_by_project == dict(
        Counter(g.effective_project or GENERAL_KEY for g in whole if g.state in OPEN_STATES)
    )
    assert len(first.open_by_project) > 1
    assert service.first_screen([S.NEW], lines=4, above=len(whole)) is None
