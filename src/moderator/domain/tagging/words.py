"""The words of a question as the tagger sees them: a small German normalisation, the
matching key of a word (folded and stemmed), the words never matched or learned, and the
words about the webinar itself, which count towards the general block."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_HYPHENATED = re.compile(r"[a-z0-9]+(?:[-‐‑–][a-z0-9]+)+|[a-z0-9]+")
_HYPHEN = re.compile(r"[-‐‑–]")
_SUFFIXES = ("ern", "en", "er", "es", "em", "e")
_MIN_STEM = 3
_MIN_LEARNED = 4  # shorter words are not learned

# Function words, question words and words every webinar question uses. They are never
# matched against keywords and never learned.
_STOPWORDS_TEXT = """
aber alle allem allen aller alles also am an ander andere anderen anders auch auf aus bei
beim bereits bin bis bisher bitte bleibt da dabei dadurch dafuer dagegen daher damit dann
daran darauf darf darueber das dass davon dazu dem den denen denn der deren des deshalb
dessen die dies diese diesem diesen dieser dieses doch dort du durch ein eine einem einen
einer eines einfach einmal eigentlich er es etwa etwas euch euer fuer gab ganz gar geben
gibt gerade gern gerne geht gehen gemacht genau gilt gut hab habe haben hat hatte hier
hin hinaus ich ihr ihre ihrem ihren ihrer im immer in ins insgesamt ist ja jede jedem jeden
jeder jetzt kann kein keine keinen koennen koennte konkret man mehr mein meine meinem
meinen meiner mich mir mit moechte moeglich moeglichkeit muss muessen nach nein nicht
nichts noch nun nur ob oder ohne schon sehr sein seine seit sich sie sind so soll sollen
sollte sondern sonst ueber um und uns unser unsere unter viel viele vielen vom von vor
wann war waere warum was weil welche welchem welchen welcher welches wenn wer werden wie
wieder wieso wir wird wo wobei wohl wollen worden wurde wuerde wurden zu zum zur zwar
zwischen heute dann gut bald spaeter frage fragen danke hallo bzw usw eigentlich
stadt kaiserslautern kl projekt projekte projekten smart city geplant plan plaene
automatisch innen leute menschen buerger buergerin buergerinnen
"""


def _fold(token: str) -> str:
    """Fold spelled-out umlauts once more so umlaut plurals meet their singular."""
    return token.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def stem(token: str) -> str:
    """A light suffix stemmer for inflections ("sensoren" → "sensor")."""
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=65_536)
def key(token: str) -> str:
    """The matching key of a normalised token: folded and stemmed."""
    return stem(_fold(token))


def normalize_tokens(text: str) -> list[str]:
    """Casefolded, umlaut-spelled, accent-free word tokens; hyphenated words joined and split."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    tokens: list[str] = []
    for match in _HYPHENATED.finditer(text):
        word = match.group()
        if not word.isalnum():
            parts = _HYPHEN.split(word)
            tokens.append("".join(parts))
            tokens.extend(parts)
        else:
            tokens.append(word)
    return tokens


STOPWORDS = frozenset(stem(_fold(w)) for w in _STOPWORDS_TEXT.split())

# Words about the webinar itself and taking part in it: a question that uses them ("Wann
# ist die Aufzeichnung verfügbar? Mich interessiert der Teil zum Bus.") is organisational
# and belongs to the general block unless a project is really its subject. Each counts
# once towards the general block: the things of the event (recording, slides, link)
# `_EVENT_THING`, taking part (register, take part) `_EVENT_TAKING_PART`, together at
# most `_EVENT_CAP` (weights chosen on the dev splits with `scripts/eval_tagging.py`).
_EVENT_THINGS_TEXT = """
webinar webinars webseminar seminar veranstaltung veranstaltungen aufzeichnung aufzeichnungen
mitschnitt folien foliensatz praesentation praesentationen link links zugangsdaten
einwahldaten einwahl zugangslink newsletter untertitel untertiteln teilnahmebestaetigung
protokoll pdf herunterladen download browser tablet chat gebaerdensprache
recording slides
"""
_EVENT_TAKING_PART_TEXT = """
anmelden anmeldung angemeldet registrieren registrierung teilnahme teilnehmen teilnehmende
teilnehmer verschickt zugeschickt nachlesen ansehen anschauen verpasst
register registration attend
"""
_EVENT_THINGS = frozenset(stem(_fold(w)) for w in _EVENT_THINGS_TEXT.split())
_EVENT_TAKING_PART = frozenset(stem(_fold(w)) for w in _EVENT_TAKING_PART_TEXT.split())
_EVENT_THING = 1.0
_EVENT_TAKING_PART_WEIGHT = 0.75
_EVENT_CAP = 2.5


def event_evidence(stems: Sequence[str]) -> float:
    """Evidence for the general block from words about the event itself."""
    things = {s for s in stems if s in _EVENT_THINGS}
    taking_part = {s for s in stems if s in _EVENT_TAKING_PART}
    value = _EVENT_THING * len(things) + _EVENT_TAKING_PART_WEIGHT * len(taking_part)
    return min(value, _EVENT_CAP)


def learnable(word: str) -> bool:
    """Whether a content word no keyword explains is recorded by `Tagger.learn`."""
    return len(word) >= _MIN_LEARNED and word.isalpha()
