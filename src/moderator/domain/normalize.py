"""German-aware text normalisation for matching questions.

Pure Python, no third-party imports. Two entry points:

* `normalize(text)` gives a comparable string: casefolded, umlauts and ß spelled out
  (ä → ae, ö → oe, ü → ue, ß → ss, so "Größe" and "groesse" are equal), quotes and
  punctuation removed, gendered forms reduced to the base word, greetings and filler
  phrases removed. Every word that carries meaning is kept (stopwords too).
* `tokens(text)` gives the content tokens used for matching: the normalised words minus
  stopwords, lightly stemmed, with a few general synonyms folded together. Question words
  ("wo", "wann", "wer" ...) are kept: they tell "Wo stehen die Paketstationen?" apart from
  "Wann kommen die Paketstationen?".

Both work on any length of text in linear time; callers that index text should truncate it
first (see `MAX_MATCH_CHARS`).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_MATCH_CHARS", "QUESTION_WORDS", "normalize", "stem", "tokens"]

#: How much of a message is worth comparing. Questions are short; a pasted 10 MB log is not a
#: question, and comparing its first 2,000 characters is enough to place it.
MAX_MATCH_CHARS = 2000

# --- gendered forms (applied before casefolding: "BürgerInnen" needs the capital I) ------

# "Bürgerinnen und Bürger", "Kundinnen und Kunden", "Bürger und Bürgerinnen" -> one word.
_PAIR_FORM = re.compile(
    r"\b(\w+?)innen\s+(?:und|&|oder|bzw\.?)\s+(\1(?:en|n)?)\b"
    r"|\b(\w+?)(?:en|n)?\s+(?:und|&|oder|bzw\.?)\s+(\3innen)\b",
    re.IGNORECASE,
)
# "Bürger/-innen", "Bürger/innen", "Bürger*innen", "Bürger:innen", "Bürger_innen",
# "Bürger(innen)", "Bürger/-in", "Bürger*in", "Bürger:in", "Bürger(in)".
_SPLIT_FORM = re.compile(r"(?<=\w)(?:[/*:_·]-?|\()in(?:nen)?\)?(?![\w])", re.IGNORECASE)
# Binnen-I: "BürgerInnen", "BürgerIn" (capital I inside a word only).
_BINNEN_I = re.compile(r"(?<=[a-zäöüß])In(?:nen)?\b")


def _pair_repl(match: re.Match[str]) -> str:
    return match.group(2) or match.group(0).split()[0]


# --- character level ---------------------------------------------------------------------

_CHAR_MAP = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "ẞ": "ss",
        # apostrophes inside words disappear ("gibt's" -> "gibts")
        "'": "",
        "’": "",
        "‘": "",
        "`": "",
        "´": "",
    }
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile(r"[\u0300-\u036f]")

# --- greetings and filler phrases (matched on the umlaut-free, punctuation-free form) ------

_FILLER_PHRASES = (
    # greetings and sign-offs
    r"hallo(?: zusammen| allerseits| in die runde| an alle)?",
    r"hi(?: zusammen| alle)?",
    r"hey",
    r"moin",
    r"servus",
    r"guten (?:abend|tag|morgen)(?: zusammen| allerseits)?",
    r"(?:liebe|lieber|sehr geehrte|sehr geehrter) (?:alle|damen und herren|referenten|"
    r"referentinnen|veranstalter|moderatorin|moderator|frau \w+|herr \w+)",
    r"(?:vielen|herzlichen|besten) dank(?: fuer (?:den|die|das) \w+)?",
    r"danke(?: schoen| sehr| euch| ihnen)?",
    r"(?:mit )?(?:freundlichen|viele|beste|liebe) gruesse",
    r"lg",
    r"mfg",
    # announcing a question
    r"ich haette (?:da )?(?:noch )?(?:mal )?(?:eine|ne|1) (?:kurze )?frage(?: zu \w+)?",
    r"ich habe (?:da )?(?:noch )?(?:mal )?(?:eine|ne|1) (?:kurze )?frage(?: zu \w+)?",
    r"(?:eine|ne|kurze) frage(?: noch)?",
    r"meine frage(?: waere| ist)?",
    r"frage an (?:die|den) \w+",
    r"mich wuerde (?:mal )?interessieren(?: ob)?",
    r"mich interessiert(?: ob)?",
    r"ich wuerde (?:gerne|gern) wissen(?: ob)?",
    r"ich moechte (?:gerne |gern )?wissen(?: ob)?",
    r"ich frage mich(?: ob)?",
    r"(?:koennen|koenntet|koennten|koennt) (?:sie|ihr) (?:mir |uns )?(?:bitte )?"
    r"(?:nochmal |noch mal |kurz )?(?:sagen|erklaeren|erlaeutern)(?: ob)?",
    r"weiss jemand(?: ob)?",
    r"sorry",
    r"entschuldigung",
    # fillers
    r"bitte",
    r"eigentlich",
    r"ernsthaft",
    r"genau",
    r"mal",
    r"denn",
    r"ueberhaupt",
    r"nochmal",
    r"noch mal",
    r"halt",
    r"eben",
    r"ja",
    r"doch",
    r"bzw",
    r"zb",
    r"z b",
    r"usw",
    r"etc",
)
_FILLER = re.compile(r"\b(?:" + "|".join(_FILLER_PHRASES) + r")\b")
_SPACES = re.compile(r"\s+")

#: Words that ask. Kept as tokens: they separate different questions on the same subject.
QUESTION_WORDS = frozenset(
    {
        "wo",
        "wohin",
        "woher",
        "wann",
        "wer",
        "wem",
        "wen",
        "wessen",
        "was",
        "wie",
        "wieviel",
        "warum",
        "wieso",
        "weshalb",
        "wozu",
        "wofuer",
        "welche",
    }
)

# Function words that do not tell questions apart. In umlaut-free spelling.
_STOPWORD_TEXT = """
    a ab aber alle allem allen aller alles als also am an ander andere anderem anderen
    anderer anderes auch auf aus bei beim bin bis bist bzw da dabei dadurch dafuer dagegen
    daher damit dann daran darauf daraus darf darueber darum das dass dein deine dem den denen
    der deren des dessen dich die dies diese diesem diesen dieser dieses dir doch dort du
    durch ein eine einem einen einer eines einmal er es etwa etwas euch euer eure fuer gab
    gegen gewesen gibt gibts habe haben hat hatte hatten hier hin ich ihm ihn ihnen ihr ihre
    ihrem ihren ihrer im in ins ist jede jedem jeden jeder jedes jemand jetzt kann kannst
    koennen koennt koennte koennten man manche mein meine mich mir mit muss muessen musst
    nach nicht nichts noch nun nur ob oder ohne schon sehr sein seine seinem seinen seiner
    sich sie sind so soll sollen sollte sollten sonst um und uns unser unsere unter vom von
    vor waere waeren war waren wart weil wenn werde werden wird wir wirklich wollen wollt
    wuerde wuerden zu zum zur ueber also bereits dazu denn davon
    es gibts gehts geht
    geben gibt gab kommen kommt kam machen macht lassen laesst bald neu neue neuen neuer
    mehr irgendwo irgendwie einzeln einzelnen konkret insgesamt extra zukuenftig kuenftig
    heute momentan derzeit genau da dann hier
    kein keine keinen keinem keiner keines will willst moechte moechten moechtest mag magst
    moegen darf duerfen duerfte ne nen nem ner halt eben mal ja nee eigentlich ueberhaupt
    wohl vielleicht evtl eventuell sowie usw zb etc ganz ganze ganzen immer wieder gerade
    inzwischen mittlerweile endlich selbst selber bitte danke gerne gern frage fragen
    interessieren interessiert interessant wissen erfahren eigene eigenen eigener
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# General German equivalences (not tied to one event): every word of a group is read as the
# first one. Stemmed at import, so inflected forms follow.
_SYNONYM_GROUPS = (
    ("smartphone", "handy", "mobiltelefon"),
    ("kostenlos", "gratis", "umsonst", "kostenfrei", "unentgeltlich"),
    ("kosten", "kostet", "teuer", "preis"),
    ("menschen", "leute", "personen"),
    ("senioren", "seniorinnen", "aeltere", "aelteren"),
    ("folien", "praesentation", "slides", "charts"),
    ("aufzeichnung", "aufgezeichnet", "mitschnitt", "aufnahme"),
    ("online", "internet", "netz", "web"),
    ("strecke", "route", "linie"),
    ("autonom", "autonome", "autonomer", "selbstfahrend", "selbstfahrende", "fahrerlos"),
    ("unternehmen", "firmen", "betriebe"),
    ("geschaefte", "laeden", "shops"),
    ("kommunen", "staedte", "gemeinden"),
    ("herunterladen", "runterladen", "download", "downloaden"),
    ("ansehen", "anschauen", "angucken"),
    ("bekommen", "erhalten", "kriegen"),
    ("fahrrad", "rad", "fahrraeder", "raeder"),
)
# Question words of one meaning read as one (the first).
_QUESTION_SYNONYMS = {
    "wohin": "wo",
    "woher": "wo",
    "wem": "wer",
    "wen": "wer",
    "wessen": "wer",
    "wieso": "warum",
    "weshalb": "warum",
    "wofuer": "wozu",
}
# "wie viele" / "wieviele" are one question word.
_WIE_VIELE = re.compile(r"\bwie ?viele?\b")


def normalize(text: str) -> str:
    """Return a comparable form of a German question (see module docstring)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _PAIR_FORM.sub(_pair_repl, text)
    text = _SPLIT_FORM.sub("", text)
    text = _BINNEN_I.sub("", text)
    text = text.casefold().translate(_CHAR_MAP)
    if not text.isascii():
        # strip remaining accents (é -> e); other scripts fall away as punctuation
        text = _COMBINING.sub("", unicodedata.normalize("NFD", text))
    text = _NON_WORD.sub(" ", text)
    text = _FILLER.sub(" ", text)
    text = _WIE_VIELE.sub("wieviel", text)
    return _SPACES.sub(" ", text).strip()


def _build_synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in _SYNONYM_GROUPS:
        canonical = stem(group[0])
        for word in group:
            table[stem(word)] = canonical
    return table


def stem(word: str) -> str:
    """Strip German inflection endings lightly (a reduced CISTEM-style stemmer).

    Works on the umlaut-free lowercase form. Removes at most two endings and never shortens
    a word below four letters, so "paketstationen" -> "paketstation", "buergern" -> "buerg",
    "stehen" -> "steh".
    """
    if len(word) <= 4 or word.isdigit():
        return word
    for _ in range(2):
        if len(word) > 5 and word.endswith(("em", "er", "nd", "en")):
            word = word[:-2]
        elif len(word) > 4 and word[-1] in "tesn":
            word = word[:-1]
        else:
            break
    return word


_SYNONYMS = _build_synonyms()
_stem_cache: dict[str, str] = {}


def _content_token(word: str) -> str:
    cached = _stem_cache.get(word)
    if cached is None:
        cached = stem(word)
        cached = _SYNONYMS.get(cached, cached)
        if len(_stem_cache) < 200_000:
            _stem_cache[word] = cached
    return cached


def tokens(text: str) -> list[str]:
    """Content tokens of `text` for matching, in order, duplicates removed.

    Stopwords and one-letter words are dropped; question words are kept (unstemmed).
    """
    return normalized_tokens(normalize(text))


def normalized_tokens(norm: str) -> list[str]:
    """`tokens` of a text that is `normalize`d already (`norm`)."""
    seen: set[str] = set()
    out: list[str] = []
    for word in norm.split():
        if word in QUESTION_WORDS:
            token = _QUESTION_SYNONYMS.get(word, word)
        elif len(word) < 2 or word in _STOPWORDS:
            continue
        else:
            token = _content_token(word)
        if token not in seen:
            seen.add(token)
            out.append(token)
    return out
