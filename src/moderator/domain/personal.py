"""Personal data inside free text: e-mail addresses, phone numbers and known names.

Used by the publishable exports (which mask contact details in question text unless the
askers are included) and by `purge-personal-data` (which also removes the askers' names).

Phone numbers are found with `phonenumbers` (Google's libphonenumber), whose matcher reads
German and international numbers in running text ("0631 365-1234", "+49 (0)170 1234567",
"0631/3651235") and only accepts numbers that are valid for their region, so years,
prices, postcodes and dates stay as they are. Digits inside a URL are left alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

__all__ = [
    "EMAIL_MASK",
    "NAME_MASK",
    "PHONE_MASK",
    "SOURCE_MASK",
    "Masked",
    "Scrubber",
    "contacts_in",
    "key_digest",
    "mask_contacts",
    "mask_names",
    "name_patterns",
    "name_patterns_exact",
]

EMAIL_MASK = "[E-Mail-Adresse entfernt]"
PHONE_MASK = "[Telefonnummer entfernt]"
NAME_MASK = "[Name entfernt]"
SOURCE_MASK = "[Quelle entfernt]"

# Local part and domain as mail clients write them. Disguised forms ("anna (at) example.de")
# are not recognised.
EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[\w.%+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}(?![\w-])",
    re.UNICODE,
)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Phone numbers in German text: national format unless written with +country code.
PHONE_REGION = "DE"
# Worth asking the (slower) matcher only where six or more digits stand together, with
# at most a few blanks, slashes, dots, dashes or brackets between them: every phone number
# does, while most questions' years and amounts do not.
_PHONE_HINT = re.compile(r"\d(?:[ \t/().\-]{0,3}\d){5,}")


@dataclass(frozen=True, slots=True)
class Masked:
    """How many contact details were masked."""

    emails: int = 0
    phones: int = 0

    @property
    def total(self) -> int:
        return self.emails + self.phones

    def __add__(self, other: Masked) -> Masked:
        return Masked(self.emails + other.emails, self.phones + other.phones)


def _phone_spans(text: str) -> list[tuple[int, int]]:
    if not _PHONE_HINT.search(text):
        return []
    urls = [m.span() for m in _URL_RE.finditer(text)]
    spans = []
    matcher = phonenumbers.PhoneNumberMatcher(
        text, PHONE_REGION, leniency=phonenumbers.Leniency.VALID, max_tries=10_000
    )
    for match in matcher:
        start, end = match.start, match.end
        if any(u_start < end and start < u_end for u_start, u_end in urls):
            continue
        spans.append((start, end))
    return spans


def mask_contacts(text: str) -> tuple[str, Masked]:
    """`text` with e-mail addresses and phone numbers replaced by a visible note."""
    if not text:
        return text, Masked()
    emails = 0

    def email(_: re.Match[str]) -> str:
        nonlocal emails
        emails += 1
        return EMAIL_MASK

    text = EMAIL_RE.sub(email, text)
    spans = _phone_spans(text)
    for start, end in reversed(spans):
        text = text[:start] + PHONE_MASK + text[end:]
    return text, Masked(emails=emails, phones=len(spans))


_NAME_SPLIT = re.compile(r"[\s,;]+")


def name_patterns(names: Iterable[str | None]) -> re.Pattern[str] | None:
    """One pattern for the given names: each full name and each of its words of three or
    more letters (so "Viele Grüße\\nAnna" and "A. Beispiel" in a signature are caught too),
    matched as whole words, ignoring case. None when there is nothing to look for."""
    words: set[str] = set()
    for name in names:
        if not name:
            continue
        full = " ".join(name.split())
        if len(full) >= 2:
            words.add(full)
        for part in _NAME_SPLIT.split(full):
            part = part.strip(".'\"()<>")
            if len(part) >= 3 and not part.isdigit():
                words.add(part)
    if not words:
        return None
    alternatives = "|".join(
        r"\s+".join(re.escape(piece) for piece in word.split())
        for word in sorted(words, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def mask_names(text: str, pattern: re.Pattern[str] | None) -> str:
    """`text` with every match of `pattern` (see `name_patterns`) replaced by a note."""
    if not text or pattern is None:
        return text
    return pattern.sub(NAME_MASK, text)


def key_digest(key: str) -> str:
    """SHA-256 (hex) of a message's source key: as stable as the key (the same message
    gives the same digest), but shows neither its Message-ID nor its file name."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def contacts_in(text: str) -> tuple[set[str], set[str]]:
    """The e-mail addresses (lower case) and phone numbers (E.164) written in `text`."""
    if not text:
        return set(), set()
    emails = {match.group().lower() for match in EMAIL_RE.finditer(text)}
    phones: set[str] = set()
    if _PHONE_HINT.search(text):
        for match in phonenumbers.PhoneNumberMatcher(
            text, PHONE_REGION, leniency=phonenumbers.Leniency.VALID, max_tries=10_000
        ):
            phones.add(
                phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            )
    return emails, phones


class Scrubber:
    """Removes the askers' personal data from what an event stored (`purge-personal-data`).

    Built from what the askers left: their names, and every e-mail address and phone number
    found in their messages (headers, bodies, quotes). Then:

    * `question(text, own_names)`: every e-mail address and phone number is masked, every
      asker's full name (two words or more) wherever it appears, and the words of
      `own_names` (the asker's own name, e.g. "Anna" in a signature "Viele Grüße, Anna").
    * `answer(text, askers)`: the team's text keeps its own contact details (the city's
      phone number); masked are the askers' known addresses and numbers, the askers' full
      names and the words of the names of this question's askers ("Sehr geehrte Frau …").
    * `log(value)`: a copy in the action log (any JSON value): the imported sources' file
      names and paths are replaced, and strings are masked as questions with the words of
      every asker's name.

    A single-word name ("Kaiserslautern", "Gast") is only masked in that asker's own
    messages and the answers to them, never across the event: it may be an ordinary word.
    """

    def __init__(
        self,
        names: Iterable[str | None],
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        sources: Iterable[str | None] = (),
    ) -> None:
        self.names = sorted({" ".join(n.split()) for n in names if n and n.strip()})
        self.sources = sorted({s for s in sources if s}, key=len, reverse=True)
        self.emails = {e.lower() for e in emails}
        self.phones = set(phones)
        full = [n for n in self.names if len(n.split()) > 1]
        self._full = name_patterns_exact(full)
        self._every_word = name_patterns(self.names)
        self._own: dict[tuple[str, ...], re.Pattern[str] | None] = {}

    def _words_of(self, names: Iterable[str | None]) -> re.Pattern[str] | None:
        key = tuple(sorted({n for n in names if n}))
        if key not in self._own:
            self._own[key] = name_patterns(key)
        return self._own[key]

    def question(self, text: str, own_names: Iterable[str | None] = ()) -> str:
        text, _ = mask_contacts(text)
        text = mask_names(text, self._full)
        return mask_names(text, self._words_of(own_names))

    def answer(self, text: str, askers: Iterable[str | None] = ()) -> str:
        if not text:
            return text
        text = EMAIL_RE.sub(
            lambda m: EMAIL_MASK if m.group().lower() in self.emails else m.group(), text
        )
        if self.phones and _PHONE_HINT.search(text):
            spans = [
                (match.start, match.end)
                for match in phonenumbers.PhoneNumberMatcher(
                    text, PHONE_REGION, leniency=phonenumbers.Leniency.VALID, max_tries=10_000
                )
                if phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
                in self.phones
            ]
            for start, end in reversed(spans):
                text = text[:start] + PHONE_MASK + text[end:]
        text = mask_names(text, self._full)
        return mask_names(text, self._words_of(askers))

    def log(self, value: object) -> object:
        if isinstance(value, str):
            for source in self.sources:
                value = value.replace(source, SOURCE_MASK)
            return mask_names(mask_contacts(value)[0], self._every_word)
        if isinstance(value, list):
            return [self.log(item) for item in value]
        if isinstance(value, dict):
            return {key: self.log(item) for key, item in value.items()}
        return value


def name_patterns_exact(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for whole names only (not their single words), ignoring case."""
    names = [n for n in names if n]
    if not names:
        return None
    alternatives = "|".join(
        r"\s+".join(re.escape(piece) for piece in name.split())
        for name in sorted(names, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
