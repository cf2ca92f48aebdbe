"""The console and the meaning pass: questions that arrive without a meaning vector get one
in the background, the status line says how far it is, and the merge picker offers the
paraphrase that shares no word with its earlier wording."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, SelectionList

from moderator.config import load_default_config
from moderator.domain.models import Kind
from moderator.services import open_event
from moderator.ui.detail import DetailPane
from moderator.ui.modals import PickScreen
from tests.factories import msg
from tests.ui.helpers import make_app, plain, select, settle, wait_until

EARLIER = "Werden die Straßenlaternen nachts gedimmt oder abgeschaltet?"
PARAPHRASE = "licht aus um mitternacht??"


@pytest.fixture
def meaning_service(database, clock, e5):
    return open_event(
        database, load_default_config(), moderator="Anna", clock=clock, embedder=lambda: e5
    )


async def test_the_console_encodes_arrivals_and_offers_the_paraphrase(meaning_service, clock):
    service = meaning_service
    service.import_messages(
        [
            msg(1, EARLIER, author="Petra"),
            msg(2, "Wo sollen die Paketstationen stehen?", author="Jonas"),
            msg(3, PARAPHRASE, author="Eva"),
        ],
        source="chat",
    )
    ids = {s.author: s.id for s in service.summaries()}
    assert service.suggestions(ids["Eva"]) == []  # the words alone find nothing
    app = make_app(service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert await wait_until(
            pilot, lambda: service.meaning_status().pending == 0, steps=1200
        ), "the meaning pass did not run"
        await select(app, pilot, ids["Eva"])
        await pilot.press("M")
        await settle(app, pilot)
        options = app.screen.query_one(OptionList)
        first = plain(options.get_option_at_index(0).prompt)
        assert "Straßenlaternen" in first, first
        await pilot.press("enter")  # the first candidate: the earlier wording
        await settle(app, pilot)
        assert {m.author for m in service.group(ids["Petra"]).members} == {"Petra", "Eva"}
        # a question typed in later is encoded too, without a restart
        typed = service.add_manual("Gibt es bald Paketboxen in der Innenstadt?")
        assert await wait_until(
            pilot, lambda: service.meaning_status().pending == 0, steps=1200
        )
        assert service.suggestions(typed.id, min_score=35)


async def test_g_shows_the_look_alikes_and_merges_the_checked_ones(meaning_service, clock):
    service = meaning_service
    service.import_messages(
        [
            msg(1, "Wann kommen die Paketstationen in die Innenstadt?", author="Anna"),
            msg(2, "Werden die Straßenlaternen nachts gedimmt?", author="Bernd"),
            msg(3, "Wann kommen die Paketstationen in die Innenstadt??", author="Gül"),
            msg(4, "ab wann gibts die paketboxen in der stadt", author="Eva"),
        ],
        source="chat",
    )
    service.embed_pending()
    ids = {s.author: s.id for s in service.summaries()}
    app = make_app(service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, ids["Anna"])
        await pilot.press("g")
        await settle(app, pilot)
        listed = app.screen.query_one(SelectionList)
        values = [listed.get_option_at_index(i).value for i in range(listed.option_count)]
        assert values[0] == ids["Gül"] and ids["Eva"] in values
        assert ids["Bernd"] not in values
        assert ids["Gül"] in listed.selected  # the confident ones come checked
        threshold = service.matching.suggest_threshold
        weak = [s.group_id for s in service.similar_open(ids["Anna"]) if s.score < threshold]
        assert not set(weak) & set(listed.selected)
        listed.select(ids["Eva"])  # the moderator checks the paraphrase (if it was not)
        await pilot.press("enter")
        await settle(app, pilot)
        members = {m.author for m in service.group(ids["Anna"]).members}
        assert members == {"Anna", "Gül", "Eva"}


async def test_when_no_candidate_is_likely_the_nearest_by_meaning_are_listed_as_similar(
    meaning_service, clock
):
    """The scorer finds no candidate down to the "vielleicht" floor for "Folien zum
    Download", yet its earlier wording ("Präsentation im Nachgang") is the nearest by
    meaning: the detail pane and the merge picker list the nearest, marked "ähnlich"."""
    service = meaning_service
    texts = [
        "Kann man die Präsentation im Nachgang bekommen?",
        "Wo sollen die Paketstationen stehen?",
        "Wann fährt der autonome Bus?",
        "Gibt es die Folien hinterher zum Download?",
    ]
    service.import_messages(
        [msg(n, text, author=f"P{n}", kind=Kind.QUESTION) for n, text in enumerate(texts, 1)],
        source="chat",
    )
    service.embed_pending()
    ids = {s.author: s.id for s in service.summaries()}
    slides, talk = ids["P4"], ids["P1"]
    assert service.suggestions(slides, min_score=35) == []  # none reaches the floor
    listed = service.detail(slides).maybe
    assert listed[0].group_id == talk and listed[0].nearest and listed[0].score < 35
    assert all(s.nearest for s in listed)
    app = make_app(service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = await select(app, pilot, slides)
        text = plain(screen.query_one(DetailPane).content)
        assert f"#{talk} (ähnlich): Kann man die Präsentation" in text
        assert "vielleicht" not in text
        await pilot.press("M")
        await settle(app, pilot)
        assert isinstance(app.screen, PickScreen)
        assert app.screen.choices[0][0] == talk
        assert "(ähnlich)" in plain(app.screen.choices[0][1])
