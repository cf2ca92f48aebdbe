"""The question/chatter/vote classifier against the labelled German chat lines."""

import sys
from pathlib import Path

import pytest

from moderator.domain.classify import classify
from moderator.domain.models import Kind

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import eval_classify  # noqa: E402

LABELS = ROOT / "tests" / "data" / "chat_classification.tsv"


def test_labelled_set_is_large_enough():
    rows = eval_classify.load(LABELS)
    assert len(rows) >= 200
    assert {label for label, _ in rows} == {Kind.QUESTION, Kind.CHATTER, Kind.VOTE}


def test_eval_script_passes_its_thresholds(capsys):
    assert eval_classify.main(["eval_classify.py"]) == 0
    out = capsys.readouterr().out
    assert "== held-out" in out and "precision" in out


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mich würde interessieren wie die Daten geschützt werden", Kind.QUESTION),
        ("Hallo?", Kind.CHATTER),
        ("Hört man mich?", Kind.CHATTER),
        ("+1", Kind.VOTE),
        ("same question as Anna", Kind.VOTE),
        ("👍👍", Kind.CHATTER),
        ("https://www.kaiserslautern.de", Kind.CHATTER),
        ("Das würde mich auch interessieren", Kind.VOTE),
        ("+1, und wie ist es mit den Kosten für die Stadtteile?", Kind.QUESTION),
        ("", Kind.CHATTER),
    ],
)
def test_examples_from_the_brief(text, kind):
    assert classify(text) is kind


def test_long_text_is_a_question_and_cheap():
    assert classify("Hallo " * 2_000_000) is Kind.QUESTION


def test_host_messages_are_announcements() -> None:
    from moderator.domain.classify import is_host

    assert is_host("Moderation KL.digital")
    assert is_host("Host")
    assert is_host("Anna Schmidt", hosts=["anna  schmidt"])
    assert not is_host("Anna Schmidt")
    assert not is_host("Hostmann, Peter")
    assert not is_host(None)


LABELS_EN = ROOT / "tests" / "data" / "chat_classification_en.tsv"


def test_english_labelled_set_is_large_enough():
    rows = eval_classify.load(LABELS_EN)
    assert len(rows) >= 200
    assert {label for label, _ in rows} == {Kind.QUESTION, Kind.CHATTER, Kind.VOTE}


def test_english_eval_passes_and_beats_the_question_mark_rule(capsys):
    assert eval_classify.main(["eval_classify.py", "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert "language en" in out and "question-mark rule" in out
    _, held_out = eval_classify.split(eval_classify.load(LABELS_EN))
    ours = eval_classify.precision_recall([(k, classify(t, "en")) for k, t in held_out])
    mark = eval_classify.precision_recall(
        [(k, eval_classify.question_mark_rule(t)) for k, t in held_out]
    )
    assert min(ours) >= 0.90
    assert eval_classify.beaten(*ours, *mark)


def test_eval_rejects_an_unknown_language(capsys):
    assert eval_classify.main(["eval_classify.py", "--language", "fr"]) == 2
    assert "--language" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # the statements the issue found called questions
        ("the optimal block is likely to be built outside the node", Kind.CHATTER),
        ("sorry, I didn't do a hand up", Kind.CHATTER),
        ("isn't that obvious?", Kind.CHATTER),
        ("that was the plan all along, no?", Kind.CHATTER),
        ("You're on mute Tim", Kind.CHATTER),
        ("https://github.com/ethereum/pm/issues/512", Kind.CHATTER),
        ("same here", Kind.VOTE),
        ("+1 would love to know too", Kind.VOTE),
        # questions with and without a question mark
        ("is the recording going to be on YouTube", Kind.QUESTION),
        ("I'm curious how clients will handle reorgs deeper than two blocks", Kind.QUESTION),
        ("Hi all, quick question: does the new format require a resync?", Kind.QUESTION),
        ("+1, and what about the impact on light clients?", Kind.QUESTION),
    ],
)
def test_english_examples(text, kind):
    assert classify(text, "en") is kind


def test_german_rules_stay_the_default():
    # The German rules take a long statement as a question; English ones do not.
    statement = "the optimal block is likely to be built outside the node"
    assert classify(statement) is Kind.QUESTION
    assert classify(statement, "de") is Kind.QUESTION
    assert classify(statement, "en") is Kind.CHATTER
