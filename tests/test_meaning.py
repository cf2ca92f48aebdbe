"""Duplicates by meaning: the bundled sentence encoders, the stored vectors, the meaning pass
and the fused suggestions, against a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence

import numpy as np
import pytest

from moderator.config import load_default_config
from moderator.domain.similarity import MAYBE_SCORE
from moderator.domain.vectors import Embedder, Vector
from moderator.meaning import E5Embedder, UseEmbedder
from moderator.services import EventService, open_event
from moderator.services.exporting import export_json
from moderator.storage.db import Database
from tests.conftest import FakeClock, WrappedEncoder
from tests.factories import msg
from tests.test_cli import run

EARLIER = [
    "Werden die Straßenlaternen nachts gedimmt oder abgeschaltet?",
    "Wo genau sollen die Paketstationen in der Innenstadt stehen?",
    "Ab wann fährt der autonome Bus?",
    "Wie wird der Datenschutz bei der Datenplattform sichergestellt?",
]
# The same questions in other words: no content word in common with their earlier wording.
PARAPHRASE = "licht aus um mitternacht??"


class Counting(WrappedEncoder):
    """The real encoder, counting the texts it is asked to encode (instrumentation)."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> Vector:
        self.texts += len(texts)
        return super().encode(texts)


def _service(database: Database, embedder: Embedder | None) -> EventService:
    return open_event(
        database,
        load_default_config(),
        moderator="Anna",
        clock=FakeClock(),
        embedder=lambda: embedder,
    )


def _import(service: EventService, *texts: str, start: int = 0) -> list[int]:
    summary = service.import_messages(
        [msg(start + i, t) for i, t in enumerate(texts)], source="chat"
    )
    return summary.group_ids


def test_the_encoders_ship_their_models_and_never_touch_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(*_args: object, **_kw: object) -> None:
        raise AssertionError("a sentence encoder tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket.socket, "connect_ex", refused)
    monkeypatch.setattr(socket, "getaddrinfo", refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    for adapter in (E5Embedder, UseEmbedder):
        embedder = adapter(threads=1)  # a fresh load, not the process-wide one
        v = embedder.encode(["Paketboxen", "Paketstationen", "Straßenlaternen"])
        assert v.shape == (3, embedder.dim) and v.dtype == np.float32
        assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
        assert v[0] @ v[1] > v[0] @ v[2], embedder.model_id


def test_the_meaning_pass_finds_a_paraphrase_the_words_miss(
    database: Database, e5: Embedder
) -> None:
    service = _service(database, e5)
    groups = _import(service, *EARLIER)
    (new,) = _import(service, PARAPHRASE, start=10)
    # stored and visible at once, with the lexical suggestions only (none: no shared word)
    assert service.suggestions(new) == []
    status = service.meaning_status()
    assert status.model_id == e5.model_id and status.pending == 5

    done = service.embed_pending(batch=2)

    assert done.encoded == 5 and service.meaning_status().pending == 0
    maybe = service.suggestions(new, min_score=MAYBE_SCORE)
    assert maybe and maybe[0].group_id == groups[0], maybe
    assert service.suggestions(new) == []  # a "vielleicht", not a strong suggestion


# Same words, another question: the words alone call it a duplicate; the kind of answer
# (a price, an explanation) tells them apart.
TWIN = "Was ist die Alzura-App für Händler?"
NOT_TWIN = "Was kostet die Alzura-App für Händler?"


def test_the_fused_suggestions_replace_the_lexical_ones(database: Database, e5: Embedder) -> None:
    service = _service(database, e5)
    (twin,) = _import(service, TWIN)
    (other,) = _import(service, NOT_TWIN, start=5)
    assert [s.group_id for s in service.suggestions(other)] == [twin]  # by the words
    before = json.loads(export_json(service))
    (message,) = [m for m in before["messages"] if m["text"] == NOT_TWIN]
    assert [s["group_id"] for s in message["suggestions"]] == [twin]

    service.embed_pending()

    after = json.loads(export_json(service))
    (message,) = [m for m in after["messages"] if m["text"] == NOT_TWIN]
    assert message["suggestions"] == []
    assert service.suggestions(other) == []


def test_a_restart_reads_the_vectors_instead_of_encoding_again(
    database: Database, e5: Embedder
) -> None:
    first = _service(database, e5)
    _import(first, *EARLIER, PARAPHRASE)
    assert first.embed_pending().encoded == 5

    counting = Counting(e5)
    second = _service(database, counting)
    second.warm_up()
    (paraphrase_group,) = [g.id for g in second.groups() if g.title == PARAPHRASE]
    assert second.suggestions(paraphrase_group, min_score=MAYBE_SCORE)
    assert second.embed_pending().encoded == 0
    assert counting.texts == 0


def test_another_model_rebuilds_the_vectors(
    database: Database, e5: Embedder, use: Embedder
) -> None:
    first = _service(database, e5)
    _import(first, *EARLIER)
    first.embed_pending()

    second = _service(database, use)
    assert second.meaning_status().pending == 4  # the e5 vectors do not count for USE
    dropped, encoded = second.reindex()
    assert (dropped, encoded) == (4, 4)
    assert second.meaning_status().pending == 0
    assert _service(database, e5).meaning_status().pending == 4  # e5's were dropped


NONE = {"MODERATOR_EMBEDDER": "none"}


def test_without_an_encoder_the_words_still_match(database: Database) -> None:
    service = _service(database, None)
    (first,) = _import(service, "Wo genau sollen die Paketstationen in der Innenstadt stehen?")
    (second,) = _import(service, "Wo sollen die Paketstationen in der Innenstadt stehen?", start=5)
    assert service.embed_pending().encoded == 0
    status = service.meaning_status()
    assert status.model_id is None and status.reason
    assert [s.group_id for s in service.suggestions(second)] == [first]


def test_import_runs_the_meaning_pass_before_it_returns(tmp_path, e5: Embedder) -> None:
    chat = tmp_path / "meeting_saved_chat.txt"
    lines = []
    for minute, (name, text) in enumerate(
        [
            ("Petra Kühn", TWIN),
            ("Jonas Weber", EARLIER[1]),
            ("Ali Demir", "Guten Abend zusammen!"),
            ("Eva Roth", NOT_TWIN),
        ]
    ):
        lines.append(f"18:{minute + 10:02d}:00 From  {name}  to  Everyone:\n\t{text}\n")
    chat.write_text("".join(lines), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'm.db'}"

    result = run("import", str(chat), db=db, env_extra={"MODERATOR_EMBEDDER": "e5"})
    assert "Bedeutungsabgleich: 3 Fragen" in result.stderr

    out = tmp_path / "all.json"
    run("export", "--format", "json", "--status", "all", "-o", str(out), db=db)
    data = json.loads(out.read_text(encoding="utf-8"))
    (message,) = [m for m in data["messages"] if m["text"] == NOT_TWIN]
    assert message["suggestions"] == []  # the lexical suggestion, replaced by the fused pass
    without = run("import", str(chat), db=f"sqlite:///{tmp_path / 'w.db'}", env_extra=NONE)
    assert "nicht verfügbar" in without.stderr


def test_the_meaning_pass_suggests_projects_by_meaning_and_learns(
    database: Database, e5: Embedder
) -> None:
    service = _service(database, e5)
    # "Paketboxen" is no keyword of any project; "Innenstadt" is one of the Dritter Ort
    (boxes,) = _import(service, "Paketboxen in der Innenstadt?")
    assert service.group(boxes).suggested_project == "dritter-ort"
    done = service.embed_pending()
    assert done.retagged == 1
    assert service.group(boxes).suggested_project == "logistik"
    # a tag the moderator set is never overwritten by the pass
    (late,) = _import(service, "Kommen Abholfächer auch in die Stadtteile?", start=5)
    service.tag(late, "dritter-ort")
    service.embed_pending()
    assert service.group(late).project_key == "dritter-ort"


def test_search_finds_by_meaning_as_well_as_by_words(database: Database, e5: Embedder) -> None:
    service = _service(database, e5)
    stations, bus, lights = _import(
        service,
        "Wo sollen die Paketstationen aufgestellt werden?",
        "Ab wann fährt der autonome Bus?",
        "Werden die Straßenlaternen nachts gedimmt?",
    )
    service.embed_pending()
    assert service.search("Paketboxen") == {stations}  # no word in common
    assert service.search("Bus") == {bus}  # by the word
    assert lights not in service.search("Paketboxen")
    assert _service(database, None).search("Paketboxen") == frozenset()  # words alone


def test_the_projects_texts_are_encoded_once_per_database(
    database: Database, e5: Embedder
) -> None:
    """The projects' long texts are encoded by the first service's meaning pass and stored;
    a second service (another process, a restart) tags with the stored vectors and encodes
    only its own question; both suggest the same project for the same question."""
    question = "Wo kann man im Viertel sein Paket abholen, wenn man nicht zu Hause ist?"
    first = Counting(e5)
    service = _service(database, first)
    (a,) = _import(service, question)
    service.embed_pending()
    projects = len(load_default_config().projects)
    assert first.texts == projects + 1  # the projects' texts, then the question

    second = Counting(e5)
    again = _service(database, second)
    (b,) = _import(again, question, start=10)
    again.embed_pending()
    assert second.texts == 1  # the question only: the projects' vectors were stored
    assert again.group(b).suggested_project == service.group(a).suggested_project
