"""Normalisation of German questions for matching."""

from __future__ import annotations

import time

import pytest

from moderator.domain.normalize import normalize, stem, tokens


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Größe der Straße", "groesse der strasse"),
        ("Wie läuft das mit Rückgaben?", "wie laeuft das mit rueckgaben"),
        ("STRASSE", "Straße"),
        ("Öffnungszeiten", "oeffnungszeiten"),
        ("Café", "cafe"),
        ("Gibt\u2019s das?", "gibts das"),
        # decomposed umlaut (u + combining diaeresis) equals the precomposed one
        ("Bu\u0308rger", "Bürger"),
    ],
)
def test_spellings_are_equal(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    "text",
    [
        "Bürger/-innen",
        "Bürger/innen",
        "Bürger*innen",
        "Bürger:innen",
        "Bürger_innen",
        "BürgerInnen",
        "Bürger(innen)",
        "Bürger:in",
        "BürgerIn",
        "Bürgerinnen und Bürger",
        "Bürger und Bürgerinnen",
    ],
)
def test_gendered_forms_reduce_to_base_word(text: str) -> None:
    assert normalize(text) == "buerger"


def test_gendered_pair_with_plural_ending() -> None:
    assert normalize("Kundinnen und Kunden") == "kunden"
    assert normalize("Nutzerinnen und Nutzer der App") == "nutzer der app"


def test_binnen_i_only_inside_words() -> None:
    # a sentence-initial "In" is a preposition, not a gender suffix
    assert normalize("In der Innenstadt") == "in der innenstadt"


@pytest.mark.parametrize(
    "text",
    [
        "Hallo zusammen, ich hätte eine Frage: Wo stehen die Paketstationen?",
        "Guten Abend! Wo stehen denn eigentlich die Paketstationen? Danke!",
        "Mich würde interessieren, wo die Paketstationen stehen. Vielen Dank",
        "„Wo stehen die Paketstationen?“ – bitte",
        "wo stehen die paketstationen",
    ],
)
def test_greetings_fillers_quotes_removed(text: str) -> None:
    assert sorted(tokens(text)) == sorted(tokens("Wo stehen die Paketstationen?"))


def test_punctuation_and_typographic_quotes_removed() -> None:
    assert normalize("»Dritter Ort« – was ist „das“?!") == "dritter ort was ist das"


def test_question_words_are_kept_and_synonyms_folded() -> None:
    assert tokens("Wann kommt der Bus?")[0] == "wann"
    assert tokens("Wieso?") == tokens("Warum?") == ["warum"]
    assert "wieviel" in tokens("Wie viele Ladesäulen gibt es?")
    assert tokens("Ist das gratis?") == tokens("Ist das kostenlos?")


def test_stopwords_dropped_and_inflection_stemmed() -> None:
    assert tokens("Paketstationen") == tokens("Paketstation")
    assert tokens("die der das und ist") == []
    assert stem("abc") == "abc"
    assert stem("2025") == "2025"


def test_empty_and_symbol_only_text() -> None:
    assert normalize("") == ""
    assert tokens("") == []
    assert tokens("?!… 👍 🙂") == []


def test_huge_text_is_linear() -> None:
    text = "Hallo, wo stehen die Paketstationen? " * 50_000  # ~1.9 MB
    start = time.perf_counter()
    result = tokens(text)
    assert time.perf_counter() - start < 10
    assert "wo" in result
