"""Issue 16, item 15: hostile mails and files at the parsers (real bytes, real parsers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator.ingest.base import UnknownFormatError
from moderator.ingest.detect import parse_file
from moderator.ingest.mail import MailProblem, parse_message_bytes


def mail(sender: str, body: str, *, encoding: str = "8bit") -> bytes:
    return (
        f"From: {sender}\r\nTo: events@example.org\r\nSubject: Frage\r\n"
        "Message-ID: <hostile-1@example.de>\r\nDate: Tue, 16 Jun 2020 22:03:44 +0200\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("sender", "name"),
    [
        # An encoded CR LF (and an address) inside the display name must not become the
        # sender's address or break the header.
        ("=?utf-8?Q?Eve_=3Cx=40evil=2Eorg=3E=0D=0A?= <eve@example.de>", "Eve <x@evil.org>"),
        ("=?utf-8?Q?Eve=0D=0ABcc=3A_x=40evil=2Eorg?= <eve@example.de>", "Eve Bcc: x@evil.org"),
        ("=?utf-8?Q?M=C3=BCller=2C_Eve?= <eve@example.de>", "Müller, Eve"),
        ('"Eve, Anna" <Eve@Example.de>', "Eve, Anna"),
        ("eve@example.de (Eve Beispiel)", "Eve Beispiel"),
    ],
)
def test_encoded_crlf_in_the_sender_name(sender: str, name: str) -> None:
    message = parse_message_bytes(mail(sender, "Wann kommt der Bus?"), source_name="x.eml")
    assert not isinstance(message, MailProblem), message
    assert message.author_email == "eve@example.de"
    assert message.author == name


def test_undecodable_base64_is_a_problem_not_chatter() -> None:
    outcome = parse_message_bytes(
        mail("Fritz <f@example.de>", "!!!not*base64***", encoding="base64"), source_name="x.eml"
    )
    assert isinstance(outcome, MailProblem)
    assert "hostile-1@example.de" in str(outcome) and "base64" in outcome.reason
    # Base64 that only lacks its padding is read as usual.
    fine = parse_message_bytes(
        mail("Fritz <f@example.de>", "V2FubiBrb21tdCBkZXIgQnVzPw", encoding="base64"),
        source_name="x.eml",
    )
    assert not isinstance(fine, MailProblem) and fine.text == "Wann kommt der Bus?"


@pytest.mark.parametrize("fmt", ["eml", "mbox", "zoom", "lines", "csv"])
def test_forced_text_format_refuses_a_binary_file(tmp_path: Path, fmt: str) -> None:
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 20)
    with pytest.raises(UnknownFormatError, match=r"foto\.jpg: binary file"):
        parse_file(photo, format=fmt)
