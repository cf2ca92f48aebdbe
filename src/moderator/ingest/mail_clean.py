"""Find the new part of a registration e-mail and the questions in it.

`new_part` cuts what the sender did not write just now: quoted replies, forwarded or
Outlook-style original messages, signatures, closings and everything after them, mobile
"sent from" lines and legal disclaimers. `question_text` then removes the registration
boilerplate (greeting, "hiermit melde ich mich an", "Vorab eine Frage:") and keeps the
questions, several of them in one text when the sender numbered or bulleted them.

The rules are line based and linear in the length of the mail. `mail-parser-reply`
contributes its reply-header patterns (German and English); its signature rule is not used
because it treats every line starting with "- " as a signature and would cut bullet lists.
"""

from __future__ import annotations

import re
import unicodedata

from mailparser_reply.parser import EmailMessage

from moderator.domain.dividing import LIST_ITEM, SENTENCE_SPLIT, asks

#: Whether a text probably asks something: the domain's rule (`domain.dividing.asks`).
has_question = asks

# Bodies longer than this skip the third-party header regex (a precaution: our own rules
# are line based, the library's patterns are not guaranteed to be linear).
_LIBRARY_LIMIT = 100_000

_REPLY_START = re.compile(r"^(?:Am|On)\s", re.IGNORECASE)
_REPLY_END = re.compile(r"\b(?:schrieb|wrote)\b[^\n]{0,200}:\s*$", re.IGNORECASE)
_REPLY_NAMED = re.compile(
    r"^[^\n]{0,200}(?:<[^<>\s]+@[^<>\s]+>|\S+@\S+\.\w+)[^\n]{0,80}\b(?:schrieb|wrote)\b[^\n]{0,80}:\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^[-=_* ]{2,}\s*(?:Urspr(?:ü|ue)ngliche Nachricht|Original Message|Weitergeleitete Nachricht"
    r"|Forwarded message|Original-Nachricht)\s*[-=_* ]{2,}$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{8,}\s*$")
_HEADER_LINE = re.compile(
    r"^\*?(?:Von|From|Gesendet|Sent|An|To|Betreff|Subject|Datum|Date|Cc)\*?:", re.IGNORECASE
)
_FROM_LINE = re.compile(r"^\*?(?:Von|From)\*?:\s*\S", re.IGNORECASE)
_SIG_DELIMITER = re.compile(r"^--\s*$")
_CLOSING = re.compile(
    r"^(?:"
    r"(?:mit\s+)?(?:freundlichen|besten|herzlichen|lieben|vielen|sonnigen)\s+gr(?:ü|ue)(?:ß|ss)en"
    r"|(?:viele|beste|liebe|herzliche|freundliche|schöne|sonnige|bestens?)\s+gr(?:ü|ue)(?:ß|ss)e"
    r"|(?:mit\s+)?freundliche[mn]?\s+gru(?:ß|ss)"
    r"|gr(?:ü|ue)(?:ß|ss)e|gru(?:ß|ss)|mfg|lg|vg|vlg|bg"
    r"|(?:best|kind|warm|many)\s+regards|regards|best\s+wishes|cheers|sincerely|yours\s+sincerely"
    r")\b(?P<tail>.*)$",
    re.IGNORECASE,
)
_SENT_FROM = re.compile(
    r"^(?:von\s+meinem\s+.{1,60}\s+gesendet|gesendet\s+(?:von|mit)\s+.{1,60}"
    r"|sent\s+(?:from|with)\s+(?:my\s+)?.{1,60}|get\s+outlook\s+for\s+.{1,30})\.?$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^(?:diese\s+e-?mail|diese\s+nachricht|dieses\s+e-?mail|der\s+inhalt\s+dieser\s+e-?mail"
    r"|this\s+e-?mail|this\s+message|the\s+information\s+(?:contained\s+)?in\s+this"
    r"|confidentiality\s+notice|disclaimer:|haftungsausschluss)\b",
    re.IGNORECASE,
)
_DISCLAIMER_WORDS = re.compile(
    r"vertraulich|rechtlich\s+geschützt|irrtümlich|nicht\s+der\s+richtige\s+adressat"
    r"|confidential|privileged|intended\s+(?:solely\s+)?for|received\s+this",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

_GREETING = re.compile(
    r"^(?:hallo|hi|hey|moin|servus|grüß\s+gott|grüezi|bonjour|guten\s+(?:morgen|tag|abend)|sehr\s+geehrte[rs]?"
    r"|liebe[rs]?|dear|hello|good\s+(?:morning|afternoon|evening))\b[^.?!:]{0,60}[,!]?$",
    re.IGNORECASE,
)
_LIST_ITEM = LIST_ITEM
_SENTENCE_SPLIT = SENTENCE_SPLIT
_REGISTRATION = re.compile(
    r"\bmelde\b.*\b(?:mich|uns)\b.*\ban\b|\b(?:anmelden|anmeldung|teilnehmen|dabei\s+sein)\b"
    r"|\bnehmen?\b.*\bteil\b|\b(?:bin|sind)\s+(?:gerne\s+)?dabei\b"
    r"|\bregister\b|\bregistration\b|\bsign\s+(?:me|us)\s+up\b|\blike\s+to\s+(?:attend|join)\b",
    re.IGNORECASE,
)
# Sentences that only organise the sender's taking part: asking to be registered or put on
# the list, how many will come, joining by phone, the link or access data. Cut like the
# greeting when they ask nothing (`_REQUEST` below for the ones phrased as a question).
_ORGANISE = re.compile(
    r"\b(?:registrieren|eintragen|vormerken|angemeldet|anmeldebest(?:ä|ae)tigung|teilnehmerliste"
    r"|teilnahmebest(?:ä|ae)tigung)\b"
    r"|\b(?:melden|tragen|merken)\s+sie\s+(?:mich|uns)\b"
    # how many will come
    r"|\b(?:wir|uns)\s+(?:\w+\s+){0,3}(?:zu\s+(?:zweit|dritt|viert|f(?:ü|ue)nft|sechst|\d+)"
    r"|mit\s+(?:\d+|zwei|drei|vier|f(?:ü|ue)nf|sechs)\s+(?:personen|leuten|teilnehmer\w*))\b"
    r"|\b(?:wir\s+sind|sind\s+wir|kommen\s+wir|wir\s+kommen)\s+(?:\w+\s+){0,2}"
    r"(?:\d+|zwei|drei|vier|f(?:ü|ue)nf|sechs|sieben|acht)\s*(?:personen|leute|teilnehmer\w*)?\b"
    r"|\bf(?:ü|ue)r\s+(?:\d+|zwei|drei|vier|f(?:ü|ue)nf|sechs)\s+(?:personen|teilnehmer\w*|pl(?:ä|ae)tze)\b"
    r"|\b(?:mein|meine|meinen)\s+(?:mann|frau|partner\w*|kolleg\w*|sohn|tochter|nachbar\w*"
    r"|freund\w*|mutter|vater|chef\w*|mitarbeiter\w*)\b.{0,80}\b(?:kommt|kommen|nimmt|nehmen"
    r"|m(?:ö|oe)chte|w(?:ü|ue)rde|ist|sind|wird)\b.{0,40}\b(?:mit|dabei|teil|ebenfalls|auch)\b"
    r"|\bbringe\b.{0,40}\bmit\b|\bkomme\b.{0,30}\bmit\s+(?:meine[mnr]?|unsere[mnr]?)\b"
    r"|\b(?:\d+|zwei|drei|vier|f(?:ü|ue)nf|sechs)\s+personen\b"
    # joining by phone
    r"|\b(?:telefonisch|per\s+telefon|(?:ü|ue)ber\s+(?:das\s+|mein\s+)?telefon|per\s+handy"
    r"|by\s+phone|via\s+phone|dial(?:ling)?\s+in)\b"
    r"|\beinw(?:ä|ae)hl\w*|\bw(?:ä|ae)hle\b.{0,40}\bein\b"
    # the link, access data, invitation
    r"|\b(?:link|zugangslink|zugangsdaten|einwahldaten|einwahllink|einladung|zugang)\b.{0,60}"
    r"\b(?:schicken|senden|zusenden|zukommen|erhalten|bekommen|zuschicken|weiterleiten)\b"
    r"|\b(?:schicken|senden)\b.{0,40}\b(?:link|zugangsdaten|einwahldaten|einladung)\b"
    r"|\b(?:we\s+will\s+be|there\s+will\s+be)\s+(?:\d+|two|three|four|five)\b"
    r"|\bsend\s+(?:me|us)\s+the\s+(?:link|access|invitation)\b",
    re.IGNORECASE,
)
# A request to register or for the link, phrased as a question ("Können Sie mich und meine
# Kollegin bitte anmelden?"): organisation, not a question for the speakers. "Wie kann ich
# mich anmelden?" is a question about taking part and stays.
_REQUEST = re.compile(
    r"^(?:k(?:ö|oe)nn(?:en|ten)|w(?:ü|ue)rden|w(?:ä|ae)ren)\s+sie\b.{0,80}\b(?:mich|uns|mir)\b.{0,80}"
    r"\b(?:anmelden|registrieren|eintragen|vormerken|liste\s+setzen|(?:zu)?schicken|(?:zu)?senden"
    r"|zukommen\s+lassen)\b[^?]{0,40}\?\s*$"
    r"|^(?:can|could|would)\s+you\b.{0,60}\b(?:register|sign\s+up|add)\s+(?:me|us)\b[^?]{0,60}\?\s*$",
    re.IGNORECASE,
)
_REQUEST_OBJECT = re.compile(
    r"\b(?:anmelden|registrieren|eintragen|vormerken|liste|link|zugangsdaten|einwahldaten"
    r"|einladung|register|sign\s+up)\b",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"^(?P<lead>[^?:\n]{0,80}\b(?:fragen?|questions?)\b[^?:\n]{0,40}:)\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_LEAD_TOPIC = re.compile(
    r"\b(?:fragen?|questions?)\s+((?:zu[mr]?|zum\s+thema|about|on|regarding)\s[^:?]{2,60}?)\s*:$",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"^(?:vielen\s+dank|danke(?:\s+schön)?|besten\s+dank|thanks?|thank\s+you)\b[^?]{0,60}[.!]?$",
    re.IGNORECASE,
)


def _library_header_regex() -> re.Pattern[str]:
    return EmailMessage(text="", languages=["de", "en"]).HEADER_REGEX


_LIBRARY_HEADERS = _library_header_regex()


def normalise_lines(text: str) -> list[str]:
    """Lines without CR, invisible characters, NBSPs or trailing blanks."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text).replace("\xa0", " ").replace("\u2028", "\n")
    return [line.rstrip() for line in text.split("\n")]


def _is_reply_header(lines: list[str], i: int) -> int:
    """Number of lines (1 or 2) of a reply header starting at line i, else 0."""
    line = lines[i].strip()
    if _QUOTED.match(line):
        return 0
    if _REPLY_START.match(line):
        if _REPLY_END.search(line):
            return 1
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if nxt and len(line) < 200 and _REPLY_END.search(line + " " + nxt):
            return 2
    if _REPLY_NAMED.match(line):
        return 1
    return 0


def _is_outlook_block(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    if _SEPARATOR.match(line):
        return True
    following = [s.strip() for s in lines[i + 1 : i + 6] if s.strip()]
    if _UNDERSCORES.match(line):
        return bool(following) and bool(_HEADER_LINE.match(following[0]))
    if _FROM_LINE.match(line):
        return bool(following) and bool(_HEADER_LINE.match(following[0]))
    return False


def _is_closing(line: str) -> bool:
    match = _CLOSING.match(line.strip())
    if not match:
        return False
    tail = match.group("tail").strip()
    # "Viele Grüße", "LG Anna", "Beste Grüße aus Kaiserslautern" - not "Grüße an das Team?"
    if len(tail) > 60 or "?" in tail:
        return False
    first = tail.lstrip(",.!;: ").split(" ", 1)[0]
    return not first[:1].islower() or first.lower() in _CLOSING_TAIL_WORDS


_CLOSING_TAIL_WORDS = frozenset({"aus", "von", "vom", "nach", "in", "und", "an", "from", "to"})
_INLINE_CLOSING = re.compile(r"(?<=[.!])\s+(?=\S)")


def _inline_closing(line: str) -> int | None:
    """Where a closing starts after a sentence on the same line ("... an. Viele Grüße")."""
    for match in _INLINE_CLOSING.finditer(line):
        if _is_closing(line[match.end() :]):
            return match.start()
    return None


def _is_disclaimer(lines: list[str], i: int) -> bool:
    if not _DISCLAIMER.match(lines[i].strip()):
        return False
    window = " ".join(lines[i : i + 3])
    return bool(_DISCLAIMER_WORDS.search(window))


def _library_cut(text: str) -> int | None:
    """Line index of the first reply header mail-parser-reply finds, if any."""
    if len(text) > _LIBRARY_LIMIT:
        return None
    for match in _LIBRARY_HEADERS.finditer(text):
        start = match.start()
        # The library's Outlook pattern may start on the newline before the header.
        while start < len(text) and text[start] == "\n":
            start += 1
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip(" >*"):
            continue  # only matches that start a line
        if text[line_start:].lstrip().startswith(">"):
            continue  # headers inside quoted text belong to older mails
        return text.count("\n", 0, line_start)
    return None


def new_part(body: str) -> str:
    """The part of a mail body its sender wrote now: no quotes, signature, closing, footer."""
    lines = normalise_lines(body)
    kept: list[str] = []
    i = 0
    library_cut = _library_cut("\n".join(lines))
    while i < len(lines):
        stripped = lines[i].strip()
        header_lines = _is_reply_header(lines, i)
        is_cut = (
            header_lines
            or i == library_cut
            or _is_outlook_block(lines, i)
            or _SIG_DELIMITER.match(lines[i])
            or _is_closing(stripped)
            or _SENT_FROM.match(stripped)
            or _is_disclaimer(lines, i)
        )
        if is_cut:
            if any(line.strip() for line in kept):
                break
            # Nothing written above (bottom posting): skip the header and the quote below it.
            i += max(1, header_lines)
            continue
        if not _QUOTED.match(lines[i]):
            inline = _inline_closing(lines[i]) if len(stripped) < 300 else None
            if inline is not None:
                kept.append(lines[i][:inline])
                break
            kept.append(lines[i])
        i += 1
    return _squeeze_blank_lines(kept)


def _squeeze_blank_lines(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    return "\n".join(out).strip()


def _paragraphs(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _join_list(block: list[str]) -> list[str]:
    """List items as one line each; wrapped continuation lines join their item."""
    items: list[str] = []
    for line in block:
        if _LIST_ITEM.match(line) or not items:
            items.append(line)
        else:
            items[-1] = items[-1] + " " + line
    return items


def _strip_sentences(paragraph: str) -> str:
    sentences = _SENTENCE_SPLIT.split(paragraph)
    kept: list[str] = []
    for sentence in sentences:
        s = sentence.strip()
        if not s:
            continue
        if _organises(s) or ("?" not in s and _THANKS.match(s)):
            continue
        lead = _LEAD_IN.match(s)
        if lead and "?" not in lead.group("lead") and len(lead.group("lead").split()) <= 10:
            # "Noch zwei Fragen zum autonomen Bus:" keeps its topic as context: "Zum
            # autonomen Bus:"; "Vorab eine Frage:" goes.
            topic = _LEAD_TOPIC.search(lead.group("lead"))
            rest = lead.group("rest").strip()
            s = f"{topic.group(1)[:1].upper()}{topic.group(1)[1:]}: {rest}" if topic else rest
            s = s.strip()
            if not s:
                continue
        kept.append(s)
    return " ".join(kept)


def _organises(sentence: str) -> bool:
    """A sentence that only registers or organises: it asks nothing (a request to be
    registered or for the link aside) and registers, counts heads, joins by phone or asks
    for the access data."""
    if _REQUEST.match(sentence) and _REQUEST_OBJECT.search(sentence):
        return True
    if "?" in sentence or (asks(sentence) and not sentence.rstrip().endswith(":")):
        return False  # it asks (a lead-in "... drei Fragen:" asks nothing itself)
    return bool(_REGISTRATION.search(sentence) or _ORGANISE.search(sentence))


_NAME_WORD = re.compile(r"^(?:[A-ZÄÖÜ][\w'’-]*\.?|[A-ZÄÖÜ]\.|von|van|de|zu|Dr\.|Prof\.)$")


def _is_name_block(block: list[str]) -> bool:
    """A signature without closing: a short block whose first line is a name."""
    if len(block) > 5 or any(len(line) > 60 or "?" in line for line in block):
        return False
    if any(_LIST_ITEM.match(line) for line in block):
        return False
    words = block[0].split()
    return 1 <= len(words) <= 4 and all(_NAME_WORD.match(word) for word in words)


def _signature_block(block: list[str]) -> bool:
    """A name below the text, alone or after a thanks ("Danke!" / "Hans Weber")."""
    if _is_name_block(block):
        return True
    return len(block) > 1 and bool(_THANKS.match(block[0])) and _is_name_block(block[1:])


def question_text(new: str) -> str:
    """The new part without greeting and registration boilerplate; lists kept line by line."""
    out: list[str] = []
    blocks = _paragraphs(new)
    if len(blocks) > 1 and _signature_block(blocks[-1]):
        blocks = blocks[:-1]
    for n, block in enumerate(blocks):
        if n == 0 and _GREETING.match(block[0]):
            block = block[1:]
            if not block:
                continue
        if any(_LIST_ITEM.match(line) for line in block):
            lead_lines = []
            while block and not _LIST_ITEM.match(block[0]):
                lead_lines.append(block.pop(0))
            lead = _strip_sentences(" ".join(lead_lines)) if lead_lines else ""
            items = _join_list(block)
            out.append("\n".join([lead, *items] if lead else items))
        else:
            paragraph = _strip_sentences(" ".join(block))
            if paragraph:
                out.append(paragraph)
    return "\n\n".join(out).strip()
