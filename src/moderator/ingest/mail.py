"""E-mail importer: .eml files, mbox files (Thunderbird's too) and Maildir folders.

Each mail becomes one `IncomingMessage` on the e-mail channel. Its `text` is the new part
of the mail without registration boilerplate (the questions), `original` the whole decoded
body under the subject line. A mail that cannot be read becomes a `MailProblem` naming the
file (and position or Message-ID); the other mails are still imported.
"""

from __future__ import annotations

import contextlib
import email
import email.header
import email.utils
import hashlib
import mailbox
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import errors, policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from pathlib import Path

from moderator.domain.language import Sentence, sentence
from moderator.domain.models import Channel, IncomingMessage, Kind
from moderator.ingest.base import ImportProblem
from moderator.ingest.mail_clean import has_question, new_part, question_text
from moderator.ingest.mail_text import decode_bytes, html_to_text, repair_c1, unflow

__all__ = [
    "MailProblem",
    "MailResult",
    "has_question",
    "is_maildir",
    "looks_like_eml",
    "looks_like_mbox",
    "parse_eml",
    "parse_maildir",
    "parse_mbox",
    "parse_message_bytes",
]

FORMAT_EML = "eml"
FORMAT_MBOX = "mbox"
FORMAT_MAILDIR = "maildir"

# mbox writers escape body lines starting with "From " as ">From " (mboxrd adds one more
# ">" per level); reading them back removes one level so the text is what the sender typed.
_MANGLED_FROM = re.compile(rb"(?m)^>(>*From )")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_ANALYSE_LIMIT = 64_000
_HEADER_NAME = re.compile(rb"^[!-9;-~]+:")
_KNOWN_HEADERS = re.compile(
    rb"^(?:from|to|subject|date|message-id|received|return-path|mime-version|delivered-to"
    rb"|reply-to|cc|content-type|x-[a-z0-9-]+):",
    re.IGNORECASE | re.MULTILINE,
)


#: A mail (or file) that could not be imported, and why: a problem like every importer's,
#: said in the event's language (`ImportProblem.text`).
MailProblem = ImportProblem


@dataclass(slots=True)
class MailResult:
    """What one file or folder gave: the messages, and the problems met on the way."""

    format: str
    messages: list[IncomingMessage] = field(default_factory=list)
    problems: list[MailProblem] = field(default_factory=list)


# -- detection ---------------------------------------------------------------------------


def _strip_bom(head: bytes) -> bytes:
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def looks_like_mbox(head: bytes) -> bool:
    """An mbox starts with a "From " separator line followed by header lines."""
    head = _strip_bom(head).lstrip(b"\r\n")
    if not head.startswith(b"From "):
        return False
    lines = head.split(b"\n")
    return len(lines) > 1 and bool(_HEADER_NAME.match(lines[1].rstrip(b"\r")))


def looks_like_eml(head: bytes) -> bool:
    """A single RFC 5322 message: it starts with header lines, some of them well known."""
    head = _strip_bom(head).lstrip(b"\r\n")
    if head.startswith(b"From ") and not head.startswith(b"From: "):
        return False
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if not _HEADER_NAME.match(first):
        return False
    header_block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    return len(_KNOWN_HEADERS.findall(header_block)) >= 2


def is_maildir(path: Path | str) -> bool:
    """A directory holding the Maildir subfolders cur, new and tmp."""
    path = Path(path)
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


# -- file formats -----------------------------------------------------------------------


def parse_eml(path: Path) -> MailResult:
    """Import one .eml file (an mbox "From " line in front is tolerated)."""
    result = MailResult(FORMAT_EML)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        result.problems.append(
            MailProblem(str(path), None, sentence("cannot_read_file", detail=error))
        )
        return result
    if data.startswith(b"From ") and not data.startswith(b"From: "):
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    _collect(result, parse_message_bytes(data, source_name=str(path)))
    return result


def parse_mbox(path: Path) -> MailResult:
    """Import every mail of an mbox file; Thunderbird's extension-less files included."""
    result = MailResult(FORMAT_MBOX)
    path = Path(path)
    if not path.is_file():
        result.problems.append(MailProblem(str(path), None, sentence("mail_not_a_file")))
        return result
    try:
        box = mailbox.mbox(path, factory=None, create=False)
        keys = box.keys()
        if not keys:
            result.problems.append(MailProblem(str(path), None, sentence("no_mails")))
        lines = _from_line_numbers(path)
        for index, key in enumerate(keys):
            line = lines[index] if index < len(lines) else None
            try:
                data = box.get_bytes(key)
            except (OSError, KeyError) as error:
                problem = sentence("cannot_read_mail", detail=error)
                result.problems.append(MailProblem(str(path), line, problem))
                continue
            data = _MANGLED_FROM.sub(rb"\1", data)
            outcome = _parse(data, f"{path}#{index + 1}")
            if isinstance(outcome, IncomingMessage):
                result.messages.append(replace(outcome, source_line=line))
            else:
                message_id, reason = outcome
                said = (
                    sentence("mail_number_id", n=index + 1, id=message_id, reason=reason)
                    if message_id
                    else sentence("mail_number", n=index + 1, reason=reason)
                )
                result.problems.append(MailProblem(str(path), line, said))
        box.close()
    except (OSError, mailbox.Error) as error:
        result.problems.append(
            MailProblem(str(path), None, sentence("cannot_read_mbox", detail=error))
        )
    return result


def parse_maildir(path: Path) -> MailResult:
    """Import the mails of a Maildir folder (new/ and cur/, tmp/ is work in progress)."""
    result = MailResult(FORMAT_MAILDIR)
    path = Path(path)
    if not is_maildir(path):
        result.problems.append(MailProblem(str(path), None, sentence("not_maildir")))
        return result
    for sub in ("new", "cur"):
        for file in sorted((path / sub).iterdir()):
            if file.name.startswith(".") or not file.is_file():
                continue
            try:
                data = file.read_bytes()
            except OSError as error:
                result.problems.append(
                    MailProblem(str(file), None, sentence("cannot_read_file", detail=error))
                )
                continue
            _collect(result, parse_message_bytes(data, source_name=str(file)))
    return result


def _collect(result: MailResult, outcome: IncomingMessage | MailProblem) -> None:
    if isinstance(outcome, MailProblem):
        result.problems.append(outcome)
    else:
        result.messages.append(outcome)


def _from_line_numbers(path: Path) -> list[int]:
    """1-based line numbers of the "From " separators, the same lines `mailbox.mbox` uses."""
    numbers: list[int] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith(b"From "):
                numbers.append(number)
    return numbers


# -- one message ------------------------------------------------------------------------


def parse_message_bytes(data: bytes, *, source_name: str) -> IncomingMessage | MailProblem:
    """Turn the raw bytes of one mail into an `IncomingMessage`, or say why not."""
    outcome = _parse(data, source_name)
    if isinstance(outcome, IncomingMessage):
        return outcome
    message_id, reason = outcome
    where = f"{source_name} (Message-ID {message_id})" if message_id else source_name
    return MailProblem(where, None, reason)


def _parse(data: bytes, source_name: str) -> IncomingMessage | tuple[str, Sentence]:
    """The message, or (Message-ID or "", reason) when it cannot be imported."""
    try:
        msg = email.message_from_bytes(data, policy=policy.default)
        raw_headers = BytesHeaderParser(policy=policy.compat32).parsebytes(_header_block(data))
    except Exception as error:  # the parser is lenient; this guards against the unexpected
        return "", sentence("cannot_parse_mail", detail=error)
    assert isinstance(msg, EmailMessage)

    message_id = _clean_message_id(_header(msg, raw_headers, "Message-ID"))
    subject = _header(msg, raw_headers, "Subject")
    author, author_email = _sender(msg, raw_headers)
    received_at = _date(msg, raw_headers)

    try:
        body = _body_text(msg)
    except UndecodableBody:
        return message_id, sentence("bad_base64")
    if body is None:
        return message_id, sentence("no_text_part")

    # Questions sit at the top; the rules look at the first part only, so a huge mail
    # (a pasted log, a 10 MB HTML newsletter) costs little. `original` keeps everything.
    new = new_part(_head_of(body))
    text = question_text(new)
    # Nothing left once greeting, registration and organisation are cut: no question (the
    # whole new part is kept as the text of the chatter message).
    asks = bool(text) and (has_question(text) or has_question(new))
    if not text:
        text = new or subject or ""
    if not text.strip():
        return message_id, sentence("mail_no_text")

    if message_id:
        key = f"email:{message_id}"
    else:
        key = "email:sha1:" + _content_hash(author_email, _raw(raw_headers, "Date"), subject, body)

    original = f"Subject: {subject}\n\n{body}" if subject else body
    return IncomingMessage(
        source_key=key,
        channel=Channel.EMAIL,
        text=text,
        author=author,
        author_email=author_email,
        received_at=received_at,
        original=original,
        kind_hint=Kind.QUESTION if asks else Kind.CHATTER,
        source_name=source_name,
    )


def _header_block(data: bytes) -> bytes:
    match = _BLANK_LINE.search(data)
    return data[: match.end()] if match else data


def _head_of(body: str) -> str:
    if len(body) <= _ANALYSE_LIMIT:
        return body
    cut = body.rfind("\n", 0, _ANALYSE_LIMIT)
    return body[: cut if cut > 0 else _ANALYSE_LIMIT]


def _clean_message_id(value: str) -> str:
    value = "".join(value.split())
    return value.strip("<>")


def _raw(raw_headers: Message, name: str) -> str:
    """The header as it stands in the file (8-bit bytes kept as surrogate escapes)."""
    wanted = name.lower()
    for key, value in raw_headers.raw_items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else str(value)
    return ""


def _recover_raw(raw: str) -> str:
    """A header value with raw 8-bit bytes: read them as UTF-8 or cp1252, decode RFC 2047."""
    data = raw.encode("ascii", "surrogateescape")
    text = decode_bytes(data, None)
    text = re.sub(r"\r?\n[ \t]+", " ", text)
    if "=?" in text:
        with contextlib.suppress(ValueError, LookupError, UnicodeError):
            text = str(email.header.make_header(email.header.decode_header(text)))
    return text.strip()


def _header(msg: EmailMessage, raw_headers: Message, name: str) -> str:
    raw = _raw(raw_headers, name)
    if raw and any("\udc80" <= ch <= "\udcff" for ch in raw):
        return _recover_raw(raw)
    try:
        value = msg.get(name)
    except Exception:  # a malformed header the registry cannot parse
        value = None
    text = str(value) if value is not None else raw
    return repair_c1(re.sub(r"\s*\n\s*", " ", text)).strip()


def _sender(msg: EmailMessage, raw_headers: Message) -> tuple[str | None, str | None]:
    """Name and address of the sender.

    The address is taken from the header as it stands in the file, before any encoded word
    is decoded: an encoded word in the name (``=?utf-8?Q?Eve=0D=0A<x@evil.org>?=``) may
    decode to a line break or an address of its own, which must stay part of the name.
    """
    raw = re.sub(r"\r?\n[ \t]+", " ", _raw(raw_headers, "From")).strip()
    if not raw:
        return None, None
    name, address = email.utils.parseaddr(raw)
    if not address and not name:
        return None, None
    if any("\udc80" <= ch <= "\udcff" for ch in name):  # raw 8-bit bytes in the name
        name = decode_bytes(name.encode("ascii", "surrogateescape"), None)
    if "=?" in name:
        with contextlib.suppress(ValueError, LookupError, UnicodeError):
            name = str(email.header.make_header(email.header.decode_header(name)))
    clean_name = " ".join(repair_c1(name).split()).strip('"').strip() or None
    clean_address = "".join(address.split()).lower() or None
    return clean_name, clean_address


def _date(msg: EmailMessage, raw_headers: Message) -> datetime | None:
    raw = _raw(raw_headers, "Date").strip()
    if not raw:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": time in UTC, zone of the sender unknown
        moment = moment.replace(tzinfo=UTC)
    return moment


def _content_hash(sender: str | None, date: str, subject: str, body: str) -> str:
    normalised = unicodedata.normalize("NFC", body).replace("\r\n", "\n")
    normalised = "\n".join(line.rstrip() for line in normalised.split("\n")).strip()
    normalised = re.sub(r"\n{3,}", "\n\n", normalised)
    parts = [(sender or "").lower(), " ".join(date.split()), " ".join(subject.split()), normalised]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


# -- body -------------------------------------------------------------------------------


def _body_part(msg: EmailMessage) -> EmailMessage | None:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is not None:
        return part  # type: ignore[return-value]  # the stdlib stubs say MIMEPart
    # get_body ignores text parts marked as attachments and odd structures; take the first
    # plain or HTML part anywhere before giving up.
    for candidate in msg.walk():
        if candidate.get_content_type() in ("text/plain", "text/html"):
            return candidate
    return None


class UndecodableBody(ValueError):
    """The text part's transfer encoding cannot be undone."""


def _body_text(msg: EmailMessage) -> str | None:
    part = _body_part(msg)
    if part is None:
        return None
    payload = part.get_payload(decode=True)
    if any(isinstance(d, errors.InvalidBase64LengthDefect) for d in part.defects):
        # The stdlib hands back the undecoded base64 text here: not the sender's words.
        raise UndecodableBody("the text part is base64 that cannot be decoded")
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
    text = decode_bytes(payload, part.get_param("charset"))  # type: ignore[arg-type]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    if str(part.get_param("format", "")).lower() == "flowed":
        text = unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
    return text.strip("\n")
