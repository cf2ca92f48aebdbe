"""The kind of answer a question asks for: a cost, a time, a place, a reason, a definition.

Two questions on the same subject ask different things when they want different kinds of
answer: "Ab wann fährt der autonome Bus?" wants a date, "Wie schnell fährt der autonome
Bus?" a speed, and "Was kostet der digitale Zwilling?" a price where "Was ist ein digitaler
Zwilling?" wants an explanation. A sentence encoder puts such pairs close together (their
subject dominates the vector); the kinds tell them apart. A question may have several kinds
("Wann und wo ...?") or none (most yes/no questions).

Cues are German and English phrases over the normalised text (umlauts spelled out), common
chat misspellings included ("wan"). Pure Python, no I/O.
"""

from __future__ import annotations

import re

from moderator.domain.normalize import normalize

__all__ = ["KINDS", "question_kinds"]

_CUES: dict[str, str] = {
    "cost": r"was kostet|kostet|kosten|kostenlos|kostenfrei|gratis|umsonst|gebuehr\w*|preis\w*"
    r"|teuer\w*|bezahl\w*|zahlen|finanzier\w*|foerdersumme|budget|euro|cost|costs|free"
    r"|fee|fees|pay|price|charge",
    "time": r"wann|wan|ab wann|bis wann|zeitpunkt|startdatum|zeitplan|zeitraum|termin\w*"
    r"|fertig|losgehen|startet|beginnt|beginn|demnaechst|jahr \d{4}|when|how soon|start date",
    "place": r"wo|wohin|woher|standort\w*|strecke|route|wo genau|in welchen? stadtteil\w*"
    r"|where|which route",
    "speed": r"wie schnell|geschwindigkeit|km h|tempo|how fast|speed",
    "duration": r"wie lange|dauer|dauert|how long",
    "amount": r"wieviel|anzahl|how many",
    "person": r"wer|wem|wen|wessen|ansprechpartner\w*|zustaendig\w*|verantwortlich\w*|who|whom",
    "reason": r"warum|wieso|weshalb|wozu|weswegen|why|what for",
    "definition": r"was ist|was sind|was genau ist|was bedeutet|was heisst|was versteht man"
    r"|erklaer\w*|what is|what are|what does .* mean|explain",
}
_PATTERNS = {kind: re.compile(r"\b(?:" + cues + r")\b") for kind, cues in _CUES.items()}
# "Wer bezahlt den digitalen Zwilling?" asks who pays, neither what it costs ("Was kostet der
# digitale Zwilling?") nor who else acts on it ("Wer erstellt den digitalen Zwilling?").
_PAYER = re.compile(
    r"\b(?:wer (?:be)?zahlt|wer finanziert|wer (?:traegt|uebernimmt) die kosten"
    r"|who pays|who funds|who is paying)\b"
)

#: Every kind `question_kinds` can return.
KINDS = (*_CUES, "payer")


def question_kinds(text: str, *, normalized: str | None = None) -> frozenset[str]:
    """The kinds of answer `text` asks for (see `KINDS`); empty for most yes/no questions."""
    norm = normalized if normalized is not None else normalize(text)
    rest = _PAYER.sub(" ", norm)  # "wer bezahlt" names neither a cost nor just a person
    found = {kind for kind, pattern in _PATTERNS.items() if pattern.search(rest)}
    if rest != norm:
        found.add("payer")
    if "amount" in found and "cost" in found:
        found.discard("amount")  # "wie viel kostet" asks for a price
    return frozenset(found)
