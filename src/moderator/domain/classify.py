"""Is a chat line a question, chatter or a vote ("+1", "me too") for another question?

Pure rules for German (and some English) webinar chat. The guiding rule: a question must
never be silently lost, so whenever the rules are unsure the answer is QUESTION. A question
mark alone does not make a question ("Hallo?", "Hört man mich?"), and its absence does not
make chatter ("Mich würde interessieren wie ...").

Only the first `ANALYSE_CHARS` characters are looked at, so a huge paste costs nothing; any
message longer than `LONG_IS_QUESTION` characters is a question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from moderator.domain.models import Kind

ANALYSE_CHARS = 2000
LONG_IS_QUESTION = 300
#: A sentence without any signal but at least this many words is treated as a question.
SUBSTANCE_WORDS = 8
#: A vote ("+1", "ich auch") must be short; longer messages are judged as text.
VOTE_MAX_CHARS = 120

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_INTERROGATIVE_LIST = (
    "wie wieso was wann wo wer wen wem wessen warum weshalb weswegen welche welcher welches "
    "welchen welchem wozu woher wohin womit wofür wodurch worauf woran worüber wovon wobei "
    "inwiefern inwieweit wieviel wieviele gibts "
    "what when where who why how which"
)
_INTERROGATIVES = _words(_INTERROGATIVE_LIST)
#: Words that make a longer sentence a question wherever they stand ("..., ob ...").
_EMBEDDED = _words("wie wieso wann wo wer warum weshalb welche welcher welches welchen ob")
_VERB_FIRST = _words(
    "ist sind wird werden kann können kommt kommen gibt hat haben soll sollen darf dürfen "
    "muss müssen funktioniert funktionieren besteht bestehen bekommt bekommen wurde wurden "
    "würde würden sieht läuft plant planen könnte könnten sollte sollten müsste hätte "
    "wäre gilt gelten braucht brauchen zahlt bezahlt entstehen entsteht fließen fließt "
    "is are will can does do could should would has have"
)

_VOTE = re.compile(
    r"""
    ^\s*\+[\s+]*\d*
    | (?<![\w+])\+\s?1\b
    | ^(?:same|mich\ auch|mir\ auch|ich\ auch|auch\ ich)\W*$
    | \b(?:me\ too|same\ here|same\ question|\+1\ from\ me|ich\ auch|dito|ebenso
        |geht\ mir\ genauso|gleiche\ frage|selbe\ frage|genau\ meine\ frage|genau\ das)\b
    | \bwürde\ mich\ (?:auch|ebenfalls|ebenso)\ (?:\w+\ )?interessieren
    | \binteressiert\ mich\ (?:auch|ebenfalls)
    | \bfrage\ ich\ mich\ (?:auch|ebenfalls)
    | \bwürde\ ich\ (?:auch|ebenfalls)\ gerne?\ wissen
    | \bwollte\ ich\ (?:auch\ |gerade\ |auch\ gerade\ |gerade\ auch\ )+fragen
    | \bschlie(?:ß|ss)e\ (?:mich|ich\ mich)\b.{0,40}?\ban\b
    | \bfrage\ hätte\ ich\ auch
    | \bgute\ frage\b
    | \bsehe\ ich\ (?:genauso|auch\ so)
    | \bfrage\ von\ [\w-]+(?:\ [\w-]+)?\ (?:finde\ ich\ (?:sehr\ )?wichtig|unterstütze\ ich)
    | \bbitte\ (?:die|diese)\ frage\ (?:von\ [\w-]+\ )?(?:unbedingt\ |auch\ )?beantworten
    """,
    re.X,
)

# Strong chatter: trouble with sound/picture, organisation, moderator announcements.
_TECH = re.compile(
    r"""
    \b(?:ton|mikro|mikrofon|audio|sound|bildschirm|screen|folien?|ruckelt|ruckel\w*
    |eingefroren|stumm\w*|mute\w*|kamera|verbindung|hallt|echo|kein\ bild|nur\ schwarz
    |ist\ schwarz|sehr\ leise|zu\ leise|ziemlich\ leise|(?:etwas|viel|bitte)\ lauter
    |lauter\ bitte|hör(?:e|en|t)|höre|hört|link\ geht|link\ funktioniert|sehen?\ nur
    |sehen?\ nichts|sehen?\ die\ präsentation\ nicht|aufzeichnung\ läuft|test(?:\ \d+)?
    |jetzt\ geht\ es|jetzt\ klappt|geht\ (?:es\ )?(?:gleich\ )?los|schon\ (?:los|gestartet)
    |webinar\ schon|liegt\ das\ an\ mir|bei\ euch\ auch|bei\ ihnen\ auch|nur\ bei\ mir
    |bei\ mir\ (?:auch|jetzt\ auch)|ist\ bei\ mir|kurz\ raus|telefon\ eingewählt
    |per\ telefon\ dabei|frage\ stellen|habe\ eine\ frage|hätte\ eine\ frage$
    |frage\ kommt|später\ (?:noch\ )?mit\ einer\ frage|hat\ sich\ erledigt
    |(?:schon|bereits)\ beantwortet|frage\ ist\ beantwortet|damit\ ist\ meine\ frage)\b
    """,
    re.X,
)
_ANNOUNCEMENT = re.compile(
    r"""
    \b(?:wir\ (?:starten|beginnen|machen|kommen|sammeln|beantworten|schicken|senden
        |zeigen|sind\ gleich)
    |(?:beantworten|schicken|senden|sammeln|starten|zeigen|veröffentlichen|stellen)\ wir
    |bitte\ stellen\ sie|stellen\ sie\ ihre\ fragen|kurze\ pause|nächste\ präsentation
    |willkommen)\b
    """,
    re.X,
)
_SELF = re.compile(
    r"^(?:ich\ bin|bin\ |ich\ habe\ mich|ich\ muss|muss\ leider|ich\ melde\ mich"
    r"|ich\ habe\ kein|habe\ kein|sorry|entschuldigung)",
    re.X,
)
_ACK = _words(
    "ok okay ja nein jep jo yes no genau stimmt richtig lol haha hahaha hihi cool danke "
    "merci thx thanks test moin hi hey hallo hallöchen servus tschüss ciao super prima "
    "klasse toll spannend top"
)
_GREETING = re.compile(
    r"^(?:hallo|hallöchen|hi|hey|moin|servus|guten\ (?:abend|morgen|tag)|gute\ nacht"
    r"|liebe\ grüße|viele\ grüße|grüße|gruß|tschüss|tschüs|ciao|bis\ (?:bald|dann)"
    r"|schönen\ abend|einen\ schönen|good\ evening|hello)\b",
    re.X,
)
_THANKS = re.compile(
    r"\b(?:danke\w*|vielen\ dank|herzlichen\ dank|thanks|thank\ you|merci)\b", re.X
)
_PRAISE = re.compile(
    r"\b(?:super|toll\w*|spannend\w*|klasse|prima|genial|interessant|gut\ erklärt"
    r"|wichtiges\ thema|guter\ punkt|ist\ mir\ (?:sehr\ )?wichtig|gespannt|freue\ mich"
    r"|schön,?\ dass|schön,?\ dabei|haha\w*|job)\b",
    re.X,
)
_QUESTION_PHRASES = re.compile(
    r"""
    \bmich\ würde\ (?:\w+\ )?interessieren|\bmich\ interessiert\b|\binteressiert\ mich,
    |\b(?:würde|möchte|will)\ (?:\w+\ )?(?:gerne?\ )?wissen|\bich\ frage\ mich
    |^frage\ (?:an|zu|zur|zum|für)\b|\bmir\ ist\ (?:nicht\ klar|unklar)|\bich\ verstehe\ nicht
    |\bist\ (?:es\ )?geplant|\bich\ fände|\bes\ wäre\ (?:schön|gut|wünschenswert|toll)
    |\bmehr\ informationen|\bschon\ gefragt|\bnoch\ nicht\ beantwortet|\bmeine\ frage\b
    |\b(?:wollte|möchte)\ (?:gerne?\ )?fragen|\bwissen,\ ob\b|\bbitte\ um\ (?:info|auskunft)
    """,
    re.X,
)
_SPLIT = re.compile(
    r"[.!?;:…]+(?=\s|$)|\n|\s[–—-]\s"
    r"|,\s+(?=(?:" + "|".join(sorted(_INTERROGATIVES, key=len, reverse=True)) + r")\b)"
)


def classify(text: str, language: str = "de") -> Kind:
    """QUESTION, CHATTER or VOTE for one chat message (QUESTION when unsure).

    `language` is the event's language: "en" judges sentences by English rules (see
    `moderator.domain.classify_en`), anything else by the German ones.
    """
    english = language.lower().startswith("en")
    judge = _sentence_kind_en if english else _sentence_kind
    raw = text.strip()
    if len(raw) > LONG_IS_QUESTION:
        return Kind.QUESTION
    # lower(), not casefold(): casefold turns "ß" into "ss" and the patterns use "ß".
    lowered = _URL.sub(" URL ", raw[:ANALYSE_CHARS]).lower().replace("’", "'")
    if not _LETTER.search(lowered.replace("url", "")):
        if _VOTE.search(lowered) and "+" in lowered:
            return Kind.VOTE
        return Kind.CHATTER
    if len(raw) <= VOTE_MAX_CHARS:
        vote = _vote(lowered, judge)
        if vote is not None:
            return vote
    kinds = [judge(s) for s in _sentences(lowered)]
    if "question" in kinds:
        return Kind.QUESTION
    return Kind.CHATTER


def _vote(lowered: str, judge: Callable[[str], str]) -> Kind | None:
    match = _VOTE.search(lowered) or _VOTE_EN.search(lowered)
    if match is None:
        return None
    rest = (lowered[: match.start()] + " " + lowered[match.end() :]).strip()
    rest_words = _WORD.findall(rest.replace("url", ""))
    if _VOTE_EN.search(rest):
        return Kind.VOTE  # "+1 would love to know too"
    own_question = any(judge(s) == "question" for s in _sentences(rest))
    if len(rest_words) >= 4 and own_question:
        return Kind.QUESTION  # "+1, und wie sieht es mit ... aus?" carries its own question
    if "frage" not in rest and (_THANKS.search(rest) or _PRAISE.search(rest)):
        return Kind.CHATTER  # "+1 für den tollen Vortrag"
    if len(rest_words) > 6 and "frage" not in rest:
        return None  # "gute Frage, aber das gehört ..." – judge as text
    return Kind.VOTE


def _sentences(lowered: str) -> list[str]:
    parts = (p.strip(" ,\t\"'„“”()[]") for p in _SPLIT.split(lowered))
    found = [p for p in parts if p]
    # Keep the question mark information: a sentence that ended with "?" is marked.
    marked: list[str] = []
    position = 0
    for part in found:
        position = lowered.find(part, position)
        end = position + len(part)
        tail = lowered[end : end + 4].lstrip(" \"'“”)")
        marked.append(part + ("?" if tail.startswith("?") else ""))
        position = end
    return marked


def _sentence_kind(sentence: str) -> str:
    asked = sentence.endswith("?")
    body = sentence.rstrip("?").strip()
    words = _WORD.findall(body.replace("url", " "))
    if not words:
        return "chatter"
    if len(words) <= 12 and _TECH.search(body):
        return "chatter"
    if len(words) <= 20 and _ANNOUNCEMENT.search(body) and not asked:
        return "chatter"
    if _SELF.match(body) and not asked:
        return "chatter"
    if len(words) <= 2 and all(w in _ACK for w in words):
        return "chatter"
    stripped = _GREETING.sub("", body, count=1).strip(" ,!")
    content = _WORD.findall(stripped.replace("url", " "))
    if content and _is_question(content, stripped, asked):
        return "question"
    if _GREETING.match(body) or _THANKS.search(body) or _PRAISE.search(body):
        return "chatter"
    if "url" in body.split() and len(words) <= SUBSTANCE_WORDS:
        return "chatter"
    return "question" if len(words) >= SUBSTANCE_WORDS else "neutral"


def _is_question(words: list[str], body: str, asked: bool) -> bool:
    first = words[0]
    if first == "und" and len(words) > 1:
        first = words[1]
    if first in _INTERROGATIVES:
        return True
    if first in _VERB_FIRST and len(words) >= 3:
        return True
    if _QUESTION_PHRASES.search(body):
        return True
    if asked and not (len(words) <= 2 and all(w in _ACK for w in words)):
        return True
    return len(words) >= 5 and any(w in _EMBEDDED for w in words[1:])


# English: "+1" and friends, and sentence rules. In English chat a long statement is
# discussion ("the optimal block is likely to be built outside the node"), so unlike the
# German rules length alone never makes a question; a question needs a question word or
# auxiliary first, a phrase such as "I'd like to know", or a question mark that is not
# rhetorical ("isn't that obvious?", "..., right?").
_VOTE_EN = re.compile(
    r"""
    \b(?:i\ second\ (?:this|that|the)|also\ (?:interested|curious)|curious\ too
    |(?:would|'d)\ (?:also\ )?(?:love|like)\ to\ know\ (?:this\ |that\ )?(?:too|as\ well)
    |i'd\ also\ like\ to\ know|(?:was\ going\ to|wanted\ to)\ ask\ the\ same
    |same\ for\ me|ditto)\b
    | ^\s*this\s*\^+\s*$
    """,
    re.X,
)
_INTERROGATIVES_EN = _words(
    "what what's whats when when's where where's who who's whom whose why how how's which "
    "any anyone anybody anything"
)
_AUX_EN = _words(
    "is are was were will would can could should shall do does did has have had may might must am"
)
_NEGATED_AUX_EN = re.compile(
    r"^(?:is|are|was|were|wo|would|ca|could|should|do|does|did"
    r"|has|have|had)n't$|^(?:aren|isn|wasn|don|doesn|didn)t$"
)
_AFTER_AUX_NOT_QUESTION = _words("have be been not")
_TECH_EN = re.compile(
    r"""
    \b(?:mut(?:e|ed|ing)|on\ mute|unmute|hear|audio|sound|mic|microphone|video|camera
    |screen(?:\ share)?|frozen|freez\w*|choppy|breaking\ up|lag\w*|echo|connection
    |dropped|background\ noise|link\ is\ broken|link\ doesn't|zoom\ link|just\ me
    |now\ it\ works|works\ now|move\ on|running\ out\ of\ time|at\ time|timebox
    |take\ (?:this|that|it)\ offline|hard\ stop|wrong\ chat|brb|raised?\ my\ hand
    |hand\ up|who\ else\ is|what\ did\ i\ miss)\b
    """,
    re.X,
)
_ACK_EN = _words(
    "ok okay yes yeah yep yup no nope right agreed agree ack noted sure exactly indeed lol "
    "haha hahaha cool nice great thanks thx ty hi hey hello back brb perfect interesting wow"
)
_QUESTION_PHRASES_EN = re.compile(
    r"""
    \b(?:i'm|i\ am|i\ was|i'd\ be|just)\ (?:curious|wondering)|\bi\ wonder\b
    |\b(?:i'd|i\ would|i\ want|i\ wanted|we'd|we\ would)\ (?:\w+\ )?(?:like\ |love\ )?to\ know
    |\b(?:don't|do\ not|didn't)\ (?:quite\ |really\ )?(?:understand|get)
        \ (?:how|why|what|whether|if)
    |\bquick\ question\b|^question\ (?:for|to|about|on|regarding)\b
    |\bis\ there\ any\b|\bany\ (?:plans?|updates?|news|chance|idea|ideas|thoughts)\b
    |\bcould\ (?:you|someone|anyone)\b|\bcan\ (?:you|someone|anyone)\ (?:explain|share|say|link)
    """,
    re.X,
)
_RHETORICAL_EN = re.compile(r"(?:,\s*|^)(?:no|right|isn't\ it|eh|yes)$|^so\b")
_THANKS_EN = re.compile(r"\b(?:thanks|thank\ you|thx|ty|cheers)\b")


def _sentence_kind_en(sentence: str) -> str:
    asked = sentence.endswith("?")
    body = sentence.rstrip("?").strip()
    words = _WORD.findall(body.replace("url", " "))
    if not words:
        return "chatter"
    if len(words) <= 12 and _TECH_EN.search(body):
        return "chatter"
    if len(words) <= 3 and all(w in _ACK_EN for w in words):
        return "chatter"
    stripped = _GREETING.sub("", body, count=1).strip(" ,!")
    content = _WORD.findall(stripped.replace("url", " "))
    if not content:
        return "chatter"
    if _QUESTION_PHRASES_EN.search(stripped):
        return "question"
    first = content[0]
    if first in ("and", "also", "but", "so") and len(content) > 1 and not (first == "so" and asked):
        content = content[1:]
        first = content[0]
    if first in _INTERROGATIVES_EN and len(content) >= 2:
        return "question"
    if (
        first in _AUX_EN
        and len(content) >= 3
        and content[1] not in _AFTER_AUX_NOT_QUESTION
        and not _NEGATED_AUX_EN.match(content[1])
    ):
        return "question"
    if asked and not _NEGATED_AUX_EN.match(first) and not _RHETORICAL_EN.search(stripped):
        return "question" if len(content) >= 3 else "neutral"
    return "chatter"


_HOST_NAME = re.compile(
    r"\b(moderation|moderator(?:in)?|host|co-host|veranstalter(?:in)?|organisation(?:steam)?|"
    r"orga-?team|technik|support)\b",
    re.I,
)


def is_host(author: str | None, hosts: Collection[str] = ()) -> bool:
    """Whether a chat author is the event's host or moderator, whose messages are
    announcements ("Projekt 3: Dritter Ort", "Wir machen kurz eine Umfrage"), not questions.

    `hosts` are the names the event configuration lists; names like "Moderation KL.digital"
    or "Host" are recognised without configuration.
    """
    if not author:
        return False
    name = " ".join(author.split()).casefold()
    if any(name == " ".join(h.split()).casefold() for h in hosts):
        return True
    return bool(_HOST_NAME.search(name))
