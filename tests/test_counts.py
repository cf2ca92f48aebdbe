"""The Q&A page's "how many asked" line, from counts the real database produced."""

from __future__ import annotations

from moderator.domain.models import Kind
from moderator.export.base import count_label
from moderator.services import EventService
from moderator.services.exporting import export_to
from tests.factories import msg


def test_count_label_counts_supporters_not_askers(service: EventService) -> None:
    """One asker: no count line; two askers: no invented supporters; "+1"s are supporters."""
    summary = service.import_messages(
        [
            msg(1, "Wann fährt der autonome Bus in Kaiserslautern?"),
            msg(2, "Wird LoRaWAN auch für Privatleute geöffnet?"),
            msg(3, "Gibt es eine Liste der teilnehmenden Händler?"),
            msg(4, "+1", kind=Kind.VOTE, reply_to=3),
            msg(5, "+1", kind=Kind.VOTE, reply_to=3),
            msg(6, "Welche Händler machen bei der Paketstation mit?"),
            msg(7, "Wie hoch ist die Strahlenbelastung durch die Sensoren?"),
            msg(8, "+1", kind=Kind.VOTE, reply_to=7),
        ],
        source="chat",
    )
    bus, lora, haendler, paket, sensoren = summary.group_ids
    service.merge(paket, lora)
    by_id = {g.id: g for g in service.groups()}

    assert (by_id[bus].votes, by_id[bus].extra_votes) == (1, 0)
    assert count_label(by_id[bus]) is None
    assert count_label(by_id[lora]) == "2 Personen haben das gefragt"
    assert count_label(by_id[haendler]) == "2 weitere Personen unterstützen die Frage"
    assert count_label(by_id[sensoren]) == "1 weitere Person unterstützt die Frage"

    page = export_to(service, fmt="md", status="all")
    assert page.count("weitere Person unterstützt die Frage") == 1
    assert page.count("weitere Personen unterstützen die Frage") == 1
