"""Regenerate the generated mail fixtures in this folder (deterministic output).

    python tests/data/mail/make_fixtures.py

Hand-written fixtures (see README.md next to this script) are left alone. The generated
files are committed; this script documents exactly how their bytes came about.
"""

from __future__ import annotations

import base64
import mailbox
import quopri
import shutil
from email import policy
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent
SMTP = policy.SMTP.clone(linesep="\n")  # LF files; the parser accepts both


def _headers(msg: EmailMessage, *, sender: str, subject: str, date: str, mid: str | None) -> None:
    msg["From"] = sender
    msg["To"] = "Smart Cities Team <smartcities@kaiserslautern.example>"
    msg["Subject"] = subject
    msg["Date"] = date
    if mid:
        msg["Message-ID"] = mid


def _write(name: str, msg: EmailMessage) -> bytes:
    data = msg.as_bytes(policy=SMTP)
    (HERE / name).write_bytes(data)
    return data


def _raw(name: str, head: str, body: bytes) -> bytes:
    """A file whose body bytes are written as given (for lying charsets and raw bytes)."""
    data = head.encode("ascii", "surrogateescape").replace(b"\r\n", b"\n") + b"\n" + body
    (HERE / name).write_bytes(data)
    return data


def base64_numbered() -> bytes:
    msg = EmailMessage()
    _headers(
        msg,
        sender="Anna Beispiel <anna.beispiel@example.de>",
        subject="Anmeldung zum Web-Seminar am 19. Juni",
        date="Tue, 04 Mar 2025 09:15:00 +0100",
        mid="<anmeldung-anna-0304@example.de>",
    )
    msg.set_content(
        "Liebes Smart-Cities-Team,\n\n"
        "ich möchte mich hiermit für das Web-Seminar am 19. Juni anmelden.\n\n"
        "Ich hätte vorab folgende Fragen:\n"
        "1. Wie werden die Daten der Sensoren am Stiftsplatz gespeichert, und wer hat\n"
        "   Zugriff darauf?\n"
        "2. Gibt es für das Lotsensystem schon einen Zeitplan?\n"
        "3. Was kostet die Digitale Zwillingsstadt die Bürgerinnen und Bürger?\n\n"
        "Viele Grüße\n"
        "Anna Beispiel\n\n"
        "-- \n"
        "Anna Beispiel · Musterstraße 1 · 67655 Kaiserslautern\n",
        charset="utf-8",
        cte="base64",
    )
    return _write("base64_numbered.eml", msg)


def bullets_dash() -> bytes:
    msg = EmailMessage()
    _headers(
        msg,
        sender="Ben Schmidt <ben@example.net>",
        subject="Teilnahme + Fragen",
        date="Wed, 05 Mar 2025 18:02:11 +0100",
        mid="<bullets.ben@example.net>",
    )
    msg.set_content(
        "Hallo zusammen,\n\n"
        "hiermit melde ich mich für das Web-Seminar an. Folgende Fragen habe ich:\n\n"
        "- Wann wird das WLAN in der Innenstadt ausgebaut?\n"
        "- Können auch Vereine die Open-Data-Plattform nutzen?\n"
        "- Wie barrierefrei ist die neue App\n"
        "  für Menschen mit Sehbehinderung?\n\n"
        "LG Ben\n",
        charset="utf-8",
        cte="quoted-printable",
    )
    return _write("bullets_dash.eml", msg)


def html_only() -> bytes:
    msg = EmailMessage()
    _headers(
        msg,
        sender='"Müller, Carla" <carla.mueller@example.org>',
        subject="Anmeldung Web-Seminar",
        date="Thu, 06 Mar 2025 07:30:00 +0100",
        mid="<html-only.carla@example.org>",
    )
    msg.set_content(
        "<!DOCTYPE html><html><head><title>Anmeldung</title>"
        "<style>p { color: red; }</style><script>var tracking = 1;</script></head>"
        "<body><p>Sehr geehrte Damen und Herren,</p>"
        "<p>hiermit melde ich mich f&uuml;r das Web-Seminar an.</p>"
        "<p>Meine Fragen:</p><ul>"
        "<li>Wie sicher ist die <b>Bürger-App</b> gegen &lt;script&gt;-Angriffe?</li>"
        "<li>Gibt es den Newsletter auch auf Papier?</li></ul>"
        "<p>Mit freundlichen Gr&uuml;&szlig;en<br>Carla M&uuml;ller</p>"
        '<img src="cid:logo" alt="">'
        "</body></html>",
        subtype="html",
        charset="utf-8",
        cte="quoted-printable",
    )
    return _write("html_only.eml", msg)


def alternative_gmail_reply() -> bytes:
    msg = EmailMessage()
    _headers(
        msg,
        sender="Dieter Klein <dieter.klein@example.com>",
        subject="Re: Einladung: Web-Seminar Modellprojekt Smart Cities",
        date="Fri, 07 Mar 2025 12:00:00 +0100",
        mid="<CAgmail-reply-dieter@mail.example.com>",
    )
    msg["In-Reply-To"] = "<einladung-2025@kaiserslautern.example>"
    msg.set_content(
        "Hallo,\n\n"
        "ich bin dabei. Mich würde interessieren, ob die Parkplatzsensoren auch in\n"
        "den Vororten kommen.\n\n"
        "Am Di., 4. März 2025 um 09:15 Uhr schrieb Smart Cities Team <\n"
        "smartcities@kaiserslautern.example>:\n\n"
        "> Liebe Bürgerinnen und Bürger,\n"
        "> wir laden Sie herzlich zum Web-Seminar ein. Fragen? Schreiben Sie uns!\n",
        charset="utf-8",
    )
    msg.add_alternative(
        "<div dir=ltr>Hallo,<br><br>ich bin dabei. Mich würde interessieren, ob die "
        "Parkplatzsensoren auch in den Vororten kommen.</div><div class=gmail_quote>"
        "<blockquote>Liebe Bürgerinnen und Bürger</blockquote></div>",
        subtype="html",
        charset="utf-8",
    )
    msg.set_boundary("000000000000alternative0001")
    return _write("alternative_gmail_reply.eml", msg)


def flowed() -> bytes:
    body = (
        "Hallo Smart-Cities-Team,\n\n"
        "ich melde mich für das Web-Seminar an und habe eine Frage zum Digitalen \n"
        "Zwilling: Werden die 3D-Daten der Stadt auch als Open Data \n"
        "veröffentlicht?\n\n"
        " >Diese Zeile beginnt mit einem Zeichen, das gestopft wurde.\n\n"
        "Beste Grüße \n"
        "Eva\n"
    ).encode()
    head = (
        "From: Eva Wagner <eva.wagner@example.de>\n"
        "To: smartcities@kaiserslautern.example\n"
        "Subject: Frage zum Digitalen Zwilling\n"
        "Date: Sat, 08 Mar 2025 10:00:00 +0100\n"
        "Message-ID: <flowed.eva@example.de>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8; format=flowed\n"
        "Content-Transfer-Encoding: 8bit\n"
    )
    return _raw("flowed.eml", head, body)


def flowed_delsp() -> bytes:
    body = (
        "Guten Tag,\n\n"
        "gibt es beim Smart-Parking-Pilot eine Mög \n"
        "lichkeit, freie Plätze vorab zu reservie \n"
        "ren?\n\n"
        "Gruß\n"
        "Frank\n"
    ).encode()
    head = (
        "From: Frank Zimmer <frank@example.de>\n"
        "To: smartcities@kaiserslautern.example\n"
        "Subject: Smart Parking\n"
        "Date: Sat, 08 Mar 2025 11:11:11 +0100\n"
        "Message-ID: <delsp.frank@example.de>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="utf-8"; format=flowed; delsp=yes\n'
        "Content-Transfer-Encoding: 8bit\n"
    )
    return _raw("flowed_delsp.eml", head, body)


def latin1_really_cp1252() -> bytes:
    text = (
        "Sehr geehrte Damen und Herren,\n\n"
        "hiermit melde ich mich zum Web-Seminar an.\n\n"
        "Vorab eine Frage: Was kostet das Projekt „Smarte Straßenbeleuchtung“ – rund "
        "2 Mio. € oder mehr?\n\n"
        "Mit freundlichen Grüßen\n"
        "Gisela Hoffmann\n"
    )
    body = quopri.encodestring(text.encode("cp1252"))
    head = (
        "From: =?iso-8859-1?Q?Gisela_Hoffmann?= <g.hoffmann@example.de>\n"
        "To: smartcities@kaiserslautern.example\n"
        "Subject: =?iso-8859-1?Q?Anmeldung_=96_Stra=DFenbeleuchtung?=\n"
        "Date: Mon, 10 Mar 2025 08:00:00 +0100\n"
        "Message-ID: <cp1252.gisela@example.de>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n"
    )
    return _raw("latin1_really_cp1252.eml", head, body)


def unknown_charset() -> bytes:
    text = (
        "Grüß Gott,\n\nwann startet die Bürgerbeteiligung zur Smart-City-Strategie?\n\n"
        "MfG\nH. Ünal\n"
    )
    body = base64.encodebytes(text.encode("utf-8"))
    head = (
        "From: Hasan Ünal <hasan@example.de>\n".encode().decode("ascii", "surrogateescape")
        + "To: smartcities@kaiserslautern.example\n"
        "Subject: Frage\n"
        "Date: Tue, 11 Mar 2025 14:00:00 +0100\n"
        "Message-ID: <unknown-charset.hasan@example.de>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="x-unknown-utf8ish"\n'
        "Content-Transfer-Encoding: base64\n"
    )
    return _raw("unknown_charset_raw_header.eml", head, body)


def no_text_part() -> bytes:
    msg = EmailMessage()
    _headers(
        msg,
        sender="Ida Roth <ida@example.de>",
        subject="Anmeldeformular",
        date="Wed, 12 Mar 2025 09:00:00 +0100",
        mid="<no-text.ida@example.de>",
    )
    msg.make_mixed()
    msg.add_attachment(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        maintype="application",
        subtype="pdf",
        filename="Anmeldung.pdf",
    )
    msg.set_boundary("mixed-boundary-ida-0001")
    return _write("no_text_part.eml", msg)


def no_message_id() -> bytes:
    msg = EmailMessage()
    _headers(
        msg,
        sender="Jan Vogel <jan.vogel@example.de>",
        subject="Anmeldung",
        date="Thu, 13 Mar 2025 16:45:00 +0100",
        mid=None,
    )
    msg.set_content(
        "Hallo,\n\nist das Web-Seminar auch für Schulklassen geeignet?\n\nGrüße, Jan\n",
        charset="utf-8",
    )
    return _write("no_message_id.eml", msg)


def outlook_german() -> bytes:
    msg = EmailMessage()
    _headers(
        msg,
        sender="Klaus Neumann <k.neumann@firma.example>",
        subject="AW: Einladung Web-Seminar",
        date="Fri, 14 Mar 2025 10:20:00 +0100",
        mid="<AM0PR01MB0001.outlook@firma.example>",
    )
    msg.set_content(
        "Guten Tag,\n\n"
        "ich nehme teil. Wird die Aufzeichnung anschließend veröffentlicht?\n\n"
        "Klaus Neumann\n"
        "Leiter Technik\n\n"
        "Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen.\n"
        "Wenn Sie nicht der richtige Adressat sind, informieren Sie bitte sofort den Absender.\n\n"
        "________________________________\n"
        "Von: Smart Cities Team <smartcities@kaiserslautern.example>\n"
        "Gesendet: Dienstag, 4. März 2025 09:15\n"
        "An: Neumann, Klaus <k.neumann@firma.example>\n"
        "Betreff: Einladung Web-Seminar\n\n"
        "Liebe Bürgerinnen und Bürger, wir laden Sie ein.\n",
        charset="utf-8",
        cte="quoted-printable",
    )
    return _write("outlook_german.eml", msg)


def english_reply() -> bytes:
    msg = EmailMessage()
    _headers(
        msg,
        sender="Lisa Brown <lisa.brown@example.co.uk>",
        subject="Re: Webinar Smart Cities Kaiserslautern",
        date="Sat, 15 Mar 2025 20:00:00 +0000",
        mid="<english.lisa@example.co.uk>",
    )
    msg.set_content(
        "Hello,\n\n"
        "I would like to register for the webinar. Will there be English subtitles?\n\n"
        "Best regards,\n"
        "Lisa\n\n"
        "Sent from my iPhone\n\n"
        "On Tue, Mar 4, 2025 at 9:15 AM Smart Cities Team <smartcities@kaiserslautern.example> "
        "wrote:\n"
        "> Dear citizens,\n"
        "> you are invited.\n\n"
        "This e-mail may contain confidential information and is intended solely for the\n"
        "addressee.\n",
        charset="utf-8",
    )
    return _write("english_reply.eml", msg)


def literal_markup() -> bytes:
    msg = EmailMessage()
    _headers(
        msg,
        sender="Mallory Test <mallory@example.org>",
        subject="[bold]Frage[/bold] <script>",
        date="Sun, 16 Mar 2025 09:00:00 +0100",
        mid="<literal.mallory@example.org>",
    )
    msg.set_content(
        "Hallo,\n\n"
        "wird <script>alert(1)</script> in der App gefiltert? Und was passiert mit "
        '[bold]fett[/bold] und =HYPERLINK("http://example.org","klick") in Excel?\n',
        charset="utf-8",
    )
    return _write("literal_markup.eml", msg)


def mbox_messages() -> list[bytes]:
    first = EmailMessage()
    _headers(
        first,
        sender="Olga Petrowa <olga@example.de>",
        subject="Anmeldung",
        date="Mon, 03 Mar 2025 08:00:00 +0100",
        mid="<mbox-1.olga@example.de>",
    )
    first.set_content(
        "Hallo zusammen,\n\nhiermit melde ich mich für das Web-Seminar an.\n\nViele Grüße\nOlga\n",
        charset="utf-8",
    )
    second = EmailMessage()
    _headers(
        second,
        sender="Paul Meier <paul@example.de>",
        subject="Frage zum Radverkehr",
        date="Mon, 03 Mar 2025 09:30:00 +0100",
        mid="<mbox-2.paul@example.de>",
    )
    second.set_content(
        "Hallo,\n\n"
        "From the beginning I wondered: werden die Radwege-Zählstellen öffentlich "
        "einsehbar sein?\n\n"
        "Von meinem iPhone gesendet\n",
        charset="utf-8",
    )
    third = (
        "From: =?utf-8?B?UmVuw6kgR2FyY8OtYQ==?= <rene@example.fr>\n"
        "Subject: =?utf-8?Q?Fr=C3=BChere_Anmeldung?=\n"
        "Date: Tue, 04 Mar 2025 11:00:00 +0100\n"
        "Message-ID: <mbox-3.rene@example.fr>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        "Bonjour,\n\n"
        "-----Ursprüngliche Nachricht-----\n"
        "Von: Smart Cities Team\n"
        "Gesendet: Montag, 3. März 2025 10:00\n\n"
        "Gibt es noch freie Plätze?\n"
    ).encode()
    fourth = (
        "From: J\xfcrgen Sch\xe4fer <juergen@example.de>\n"
        "Subject: Anmeldung f\xfcr Web-Seminar\n"
        "Date: Tue, 04 Mar 2025 12:00:00 +0100\n"
        "Message-ID: <mbox-4.juergen@example.de>\n"
        "Content-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        "Ich melde mich an. Mich w\xfcrde interessieren, wie hoch das Budget f\xfcr \x84Smart "
        "Parking\x93 ist.\n"
        "From the city I expect an answer.\n"
    ).encode("latin-1")
    fifth = EmailMessage()
    _headers(
        fifth,
        sender="Quentin Kurz <quentin@example.de>",
        subject="Anhang",
        date="Wed, 05 Mar 2025 13:00:00 +0100",
        mid="<mbox-5.quentin@example.de>",
    )
    fifth.set_content(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png")
    return [
        first.as_bytes(policy=SMTP),
        second.as_bytes(policy=SMTP),
        third,
        fourth,
        fifth.as_bytes(policy=SMTP),
    ]


def write_mbox(path: Path, messages: list[bytes]) -> None:
    if path.exists():
        path.unlink()
    box = mailbox.mbox(path, create=True)
    for n, data in enumerate(messages):
        msg = mailbox.mboxMessage(data)
        msg.set_from("MAILER-DAEMON", (2025, 3, 3 + n, 8, 0, 0, 0, 62, 0))
        box.add(msg)
    box.flush()
    box.close()


def write_maildir(path: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(path, ignore_errors=True)
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True)
    (path / "tmp" / ".gitkeep").write_bytes(b"")
    for name, data in files.items():
        (path / name).write_bytes(data)


def main() -> None:
    base64_numbered()
    bullets = bullets_dash()
    html_only()
    alternative_gmail_reply()
    flowed()
    flowed_delsp()
    cp1252 = latin1_really_cp1252()
    unknown_charset()
    no_text_part()
    no_message_id()
    outlook = outlook_german()
    english_reply()
    literal_markup()
    messages = mbox_messages()
    write_mbox(HERE / "anmeldungen.mbox", messages[:4])
    thunderbird = HERE / "thunderbird" / "Inbox"
    thunderbird.parent.mkdir(exist_ok=True)
    write_mbox(thunderbird, messages)
    write_maildir(
        HERE / "maildir",
        {
            "new/1741075200.M1P100Q1.mail.example": bullets,
            "cur/1741075300.M2P100Q2.mail.example": cp1252,
            "cur/1741075400.M3P100Q3.mail.example": outlook,
        },
    )


if __name__ == "__main__":
    main()
