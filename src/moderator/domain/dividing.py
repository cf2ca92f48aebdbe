"""Dividing one wording into several questions: a mail that asks three numbered questions
is three questions, each answered, tagged and queued on its own.

Pure rules, no I/O:

* `asks` - whether a text probably asks something (German and English heuristics, the
  rule the mail importer judges a mail by);
* `question_parts` - the questions of a bulleted or numbered text, when it has at least
  two list items that ask: a lead-in that does not ask ("Zum Lotsensystem:") is kept as
  context in front of every part, a paragraph or item that does not ask joins the part
  before it, so no word of the sender is lost;
* `plan_divide` - what dividing a wording into given parts does: the first part stays
  the wording of the message (and its question), every further part becomes a new
  message with a question of its own. The services apply it and log it as one undoable
  action; the console's `s` lets the moderator edit the parts, one per line.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from moderator.domain.language import Explained

__all__ = [
    "MAX_PARTS",
    "DivideError",
    "DividePlan",
    "asks",
    "parts_from_lines",
    "plan_divide",
    "question_parts",
    "suggested_parts",
]

#: At most this many questions from one wording (a pasted list of 200 lines is not 200
#: questions a moderator wants in the inbox at once).
MAX_PARTS = 20

_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_QUESTION_PHRASES = re.compile(
    r"mich\s+wuerde\s+interessieren|wuerde\s+mich\s+interessieren|interessiert\s+mich"
    r"|ich\s+frage\s+mich|ich\s+wuerde\s+gerne?\s+wissen|gerne?\s+wissen|\bfragen?\s*:"
    r"|i\s+wonder|i\s+would\s+like\s+to\s+know|\bquestions?\s*:",
    re.IGNORECASE,
)
_W_WORDS = re.compile(
    r"^(?:wie|was|wann|wo|woher|wohin|womit|wozu|wofuer|worauf|warum|weshalb|wieso|weswegen"
    r"|welche[rsnm]?|wer|wen|wem|wessen|inwiefern|inwieweit"
    r"|how|what|when|where|why|which|who|whom)\b",
    re.IGNORECASE,
)
_VERB_FIRST = re.compile(
    r"^(?:wird|werden|gibt\s+es|kann|koennen|koennte|koennten|ist|sind|soll|sollen|sollte"
    r"|darf|duerfen|muss|muessen|hat|haben|besteht|plant|planen|gab\s+es|wurde|wurden"
    r"|is|are|will|can|could|does|do|did|has|have|should|would)\b",
    re.IGNORECASE,
)
#: A bulleted or numbered line: "- ", "* ", "• ", "1. ", "2) ", "a) ".
LIST_ITEM = re.compile(r"^\s*(?:[-*•–·]|\d{1,2}[.)]|[a-z][.)])\s+\S", re.IGNORECASE)
_MARKER = re.compile(r"^\s*(?:[-*•–·]|\d{1,2}[.)]|[a-z][.)])\s+", re.IGNORECASE)
#: Sentence ends followed by a capital: "... an. Wie ..." (not "19. Juni", not "z.B. das").
SENTENCE_SPLIT = re.compile(r"(?<=[^\d\s][.!?])\s+(?=[A-ZÄÖÜ„\"'(])")


def _fold(text: str) -> str:
    """Umlauts spelled out, so "würde" and "wuerde" match the same pattern."""
    return text.translate(_FOLD)


def asks(text: str) -> bool:
    """Whether a text probably asks something (German and English heuristics)."""
    text = _fold(_URL.sub(" ", text))
    if "?" in text or _QUESTION_PHRASES.search(text):
        return True
    for line in text.split("\n"):
        line = _MARKER.sub("", line)
        for sentence in SENTENCE_SPLIT.split(line):
            s = sentence.strip().lstrip("„\"'(")
            if _W_WORDS.match(s):
                return True
            if _VERB_FIRST.match(s) and not s.endswith((".", "!")):
                return True
    return False


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(slots=True)
class _Unit:
    text: str
    kind: str  # "lead" (the lines above a list), "item" (a list item), "para"


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if not any(LIST_ITEM.match(line) for line in lines):
            units.append(_Unit(_one_line(" ".join(lines)), "para"))
            continue
        lead: list[str] = []
        while lines and not LIST_ITEM.match(lines[0]):
            lead.append(lines.pop(0))
        if lead:
            units.append(_Unit(_one_line(" ".join(lead)), "lead"))
        for line in lines:
            if LIST_ITEM.match(line) or units[-1].kind != "item":
                units.append(_Unit(_MARKER.sub("", line, count=1).strip(), "item"))
            else:  # a wrapped line continues its item
                units[-1].text = _one_line(units[-1].text + " " + line)
    for unit, following in itertools.pairwise(units):
        if unit.kind == "para" and unit.text.endswith(":") and following.kind == "item":
            unit.kind = "lead"  # "Zum Bus:", a blank line, then the list
    return units


def question_parts(text: str) -> list[str]:
    """The questions of a bulleted or numbered text; `[text]` when it is one question.

    A text divides when at least two of its list items ask. A lead-in line that does not
    ask is context and goes in front of each item of its list; one that asks is a question
    of its own. A paragraph that asks is a question of its own; one that does not (and an
    item that does not) joins the question before it, or the next one at the start.
    """
    units = _units(text)
    if sum(1 for u in units if u.kind == "item" and asks(u.text)) < 2:
        return [text]
    parts: list[str] = []
    pending: list[str] = []  # words without a question yet: they go in front of the next
    context = ""
    for unit in units:
        if unit.kind == "lead":
            if asks(unit.text):
                parts.append(" ".join([*pending, unit.text]))
                pending, context = [], ""
            else:
                context = unit.text
            continue
        if unit.kind == "para":
            context = ""
        if asks(unit.text):
            prefix = [context] if unit.kind == "item" and context else []
            parts.append(" ".join([*pending, *prefix, unit.text]))
            pending = []
        elif parts:
            parts[-1] = f"{parts[-1]} {unit.text}"
        else:
            pending.append(unit.text)
    if pending:
        parts.append(" ".join(pending))
    # A longer list is not a handful of questions (a pasted agenda, a log): left whole.
    return parts if len(parts) <= MAX_PARTS else [text]


def suggested_parts(text: str) -> list[str]:
    """What the divide editor offers: the listed questions (`question_parts`), else each
    sentence that asks on a line of its own (the others join the one before), else the
    text as it is."""
    parts = question_parts(text)
    if len(parts) > 1:
        return parts
    sentences = [s.strip() for s in SENTENCE_SPLIT.split(_one_line(text)) if s.strip()]
    out: list[str] = []
    pending: list[str] = []  # sentences before the first that asks go in front of it
    for sentence in sentences:
        if asks(sentence):
            out.append(" ".join([*pending, sentence]))
            pending = []
        elif out:
            out[-1] = f"{out[-1]} {sentence}"
        else:
            pending.append(sentence)
    return out if len(out) > 1 else [_one_line(text)]


def parts_from_lines(text: str) -> list[str]:
    """The parts a moderator typed, one per line: blank lines dropped, a list marker in
    front of a line ("1. ", "- ") removed, inner spaces squeezed."""
    parts = []
    for line in text.split("\n"):
        line = _MARKER.sub("", line, count=1) if LIST_ITEM.match(line) else line
        line = _one_line(line)
        if line:
            parts.append(line)
    return parts


class DivideError(Explained, ValueError):
    """The parts cannot divide the wording (fewer than two, too many); said in German and
    English (`domain.sentences`)."""


@dataclass(frozen=True, slots=True)
class DividePlan:
    """Dividing a wording: `keep` becomes the message's text, each of `new` a new message
    (same sender, channel, time and original) with a question of its own."""

    keep: str
    new: tuple[str, ...]

    @property
    def count(self) -> int:
        return 1 + len(self.new)


def plan_divide(parts: list[str] | tuple[str, ...]) -> DividePlan:
    """The plan for dividing a wording into `parts` (in order; blank ones ignored)."""
    cleaned = [_one_line(p) for p in parts if p.strip()]
    if len(cleaned) < 2:
        raise DivideError(key="divide_two")
    if len(cleaned) > MAX_PARTS:
        raise DivideError(key="divide_many", n=MAX_PARTS)
    return DividePlan(cleaned[0], tuple(cleaned[1:]))
