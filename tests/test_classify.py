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
