"""Personal data inside free text: e-mail addresses, phone numbers and known names.

Used by the publishable exports (which mask contact details in question text unless the
askers are included) and by `purge-personal-data` (which also removes the askers' names).

Phone numbers are found with `phonenumbers` (Google's libphonenumber), whose matcher reads
German and international numbers in running text ("0631 365-1234", "+49 (0)170 1234567",
"0631/3651235") and only accepts numbers that are valid for their region, so years,
prices, postcodes and dates stay as they are. Digits inside a URL are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

__all__ = [
    "EMAIL_MASK",
    "NAME_MASK",
    "PHONE_MASK",
    "Masked",
    "mask_contacts",
    "mask_names",
    "name_patterns",
]

EMAIL_MASK = "[E-Mail-Adresse entfernt]"
PHONE_MASK = "[Telefonnummer entfernt]"
NAME_MASK = "[Name entfernt]"

# Local part and domain as mail clients write them; also "anna (at) example.de" variants
# are rare enough in questions to leave aside.
EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[\w.%+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}(?![\w-])",
    re.UNICODE,
)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Phone numbers in German text: national format unless written with +country code.
PHONE_REGION = "DE"
# The matcher needs at least this many digits in a row of text to be worth asking.
_DIGITS = re.compile(r"\d")


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
    if len(_DIGITS.findall(text)) < 5:
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
