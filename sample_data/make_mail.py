"""Generate the registration e-mails in sample_data/mail/ byte for byte.

Run from the repository root:  python sample_data/make_mail.py

The mails are written as raw bytes (headers in the order real clients use, RFC 2047 encoded
words, quoted-printable / base64 bodies from the standard library's encoders) so that every
detail is under control; `check()` then parses each one with `email` / `mailbox` and
`policy.default`. `.eml` files use CRLF line ends (as saved by Thunderbird/Outlook on
Windows), the mbox uses LF (Thunderbird local folder). Everything is fictional.
"""

from __future__ import annotations

import base64
import email
import mailbox
import quopri
from email import policy
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAIL_DIR = HERE / "mail"
MBOX_NAME = "anmeldungen.mbox"

TO = "KL.digital Veranstaltungen <events@example.org>"
INVITE_ID = "<einladung-smartcities-20200615.0915@example.org>"
INVITE_SUBJECT = "Einladung: Web-Seminar „Modellprojekt Smart Cities“ am 19. Juni"
INVITE_BODY = """Liebe Kaiserslauterinnen und Kaiserslauterer,

am Freitag, 19. Juni 2020, um 18 Uhr stellen wir Ihnen in einem
Web-Seminar die acht Projekte des „Modellprojekts Smart Cities“ vor.

Melden Sie sich einfach per Antwort auf diese Mail an. Ihre Fragen
können Sie gleich mitschicken – wir sammeln sie und ordnen sie den
Projekten zu.

Herzliche Grüße
Ihr Team von KL.digital"""


# --------------------------------------------------------------------------------------------
# Encoders
# --------------------------------------------------------------------------------------------
def encoded_words(text: str, charset: str = "utf-8", mode: str = "Q") -> str:
    """RFC 2047 encoded words (phrase-safe), each at most 75 characters, folded with CRLF SP."""
    prefix, suffix = f"=?{charset}?{mode}?", "?="
    words: list[str] = []
    current = ""
    for ch in text:
        raw = ch.encode(charset)
        if mode == "B":
            candidate = current + ch
            encoded = base64.b64encode(candidate.encode(charset)).decode("ascii")
            if len(prefix) + len(encoded) + len(suffix) > 75:
                words.append(base64.b64encode(current.encode(charset)).decode("ascii"))
                current = ch
            else:
                current = candidate
            continue
        if ch == " ":
            piece = "_"
        elif ch.isascii() and (ch.isalnum() or ch in "!*+-/"):
            piece = ch
        else:
            piece = "".join(f"={b:02X}" for b in raw)
        if len(prefix) + len(current) + len(piece) + len(suffix) > 75:
            words.append(current)
            current = piece
        else:
            current += piece
    if mode == "B":
        words.append(base64.b64encode(current.encode(charset)).decode("ascii"))
    else:
        words.append(current)
    return "\n ".join(prefix + w + suffix for w in words)


def qp(text: str, charset: str) -> str:
    return quopri.encodestring(text.encode(charset)).decode("ascii")


def b64(text: str, charset: str = "utf-8") -> str:
    data = base64.b64encode(text.encode(charset)).decode("ascii")
    return "\n".join(data[i : i + 76] for i in range(0, len(data), 76))


def message(headers: list[tuple[str, str]], body: str) -> str:
    """Headers + blank line + body, LF line ends (converted later for .eml)."""
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    if not body.endswith("\n"):
        body += "\n"
    return head + "\n" + body


def quoted(text: str) -> str:
    return "\n".join(("> " + line) if line else ">" for line in text.split("\n"))


# --------------------------------------------------------------------------------------------
# The mails. Each entry: file or mbox position, raw text, and the annotations for expected.md.
# --------------------------------------------------------------------------------------------
def mail_schaefer_wolf() -> str:
    body = """Sehr geehrte Damen und Herren,

hiermit melde ich mich f\u00fcr das Web-Seminar "Modellprojekt Smart Cities" am 19. Juni an.

Ich bin selbst stark sehbehindert und im Blinden- und Sehbehindertenverein aktiv. \
Deshalb vorab meine Frage: Wird beim Lotsensystem f\u00fcr Blinde und Sehbehinderte auch \
der Inklusionsbeirat einbezogen? Die Betroffenen sollten von Anfang an beteiligt sein.

Mit freundlichen Gr\u00fc\u00dfen
Renate Sch\u00e4fer-Wolf"""
    return message(
        [
            ("Message-ID", "<5EE7196B.2040704@example.de>"),
            ("Date", "Mon, 15 Jun 2020 10:47:13 +0200"),
            (
                "From",
                f"{encoded_words('Renate Schäfer-Wolf', 'iso-8859-1')} "
                "<r.schaefer-wolf@example.de>",
            ),
            (
                "User-Agent",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:68.0) "
                "Gecko/20100101\n Thunderbird/68.9.0",
            ),
            ("MIME-Version", "1.0"),
            ("To", TO),
            ("Subject", "Anmeldung Web-Seminar 19.06."),
            ("Content-Type", "text/plain; charset=iso-8859-1"),
            ("Content-Language", "de-DE"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(body, "iso-8859-1"),
    )


def mail_nguyen_html() -> str:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
        "</head><body>\n"
        "<div>Hallo liebes KL.digital-Team,</div><div><br></div>\n"
        "<div>ich m&ouml;chte mich gerne f&uuml;r das Web-Seminar am 19.06. anmelden.</div>"
        "<div><br></div>\n"
        "<div>Eine Frage h&auml;tte ich schon: <b>Wo in der Innenstadt sind die Dritten Orte "
        "geplant &ndash; gibt es schon konkrete Standorte?</b> Ich wohne in der Nähe des "
        "Stiftsplatzes und fände einen Treffpunkt dort großartig.</div><div><br></div>\n"
        "<div>Viele Grüße<br>Linh Nguyen</div>\n"
        "</body></html>"
    )
    return message(
        [
            ("MIME-Version", "1.0"),
            (
                "Message-ID",
                "<trinity-6a1c2f0e-9d3b-4c7e-a1f2-3b8e5d9c0a47-1592337061113@webmail.example.org>",
            ),
            ("From", "Linh Nguyen <linh.nguyen@example.org>"),
            ("To", "events@example.org"),
            ("Subject", "Anmeldung Web-Seminar"),
            ("Content-Type", "text/html; charset=UTF-8"),
            ("Date", "Tue, 16 Jun 2020 21:51:01 +0200"),
            ("Importance", "normal"),
            ("Sensitivity", "Normal"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(html, "utf-8"),
    )


def mail_berger_reply() -> str:
    body = f"""Hallo,

ich melde mich hiermit an. Eine Frage zur neuen Mobilität: Ab wann sollen in
Kaiserslautern autonome Busse fahren, und auf welcher Route?

Gruß
Thomas Berger

Am 15.06.2020 um 09:15 schrieb KL.digital Veranstaltungen <events@example.org>:
{quoted(INVITE_BODY)}"""
    return message(
        [
            ("Subject", encoded_words("Re: " + INVITE_SUBJECT)),
            ("To", TO),
            ("References", INVITE_ID),
            ("From", "Thomas Berger <t.berger@example.de>"),
            ("Message-ID", "<b2e7c0d4-5f1a-4e93-8c2b-7d6a9e1f3b05@example.de>"),
            ("Date", "Tue, 16 Jun 2020 22:03:44 +0200"),
            (
                "User-Agent",
                "Mozilla/5.0 (X11; Linux x86_64; rv:68.0) Gecko/20100101\n Thunderbird/68.8.0",
            ),
            ("MIME-Version", "1.0"),
            ("In-Reply-To", INVITE_ID),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Language", "de-DE"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        body,
    )


def mail_imhof_iphone() -> str:
    body = """Guten Morgen,

ich melde mich f\u00fcr Freitag an. Meine Frage: Werden bei den Auftr\u00e4gen f\u00fcr \
die Smart-City-Projekte auch Handwerksbetriebe aus der Region ber\u00fccksichtigt, oder \
geht das alles an gro\u00dfe IT-Firmen?

--\u0020
Klaus Imhof
Imhof Elektrotechnik GmbH
Kaiserslautern

Von meinem iPhone gesendet"""
    return message(
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "quoted-printable"),
            ("From", "Klaus Imhof <k.imhof@example.de>"),
            ("Mime-Version", "1.0 (1.0)"),
            ("Date", "Wed, 17 Jun 2020 07:12:09 +0200"),
            ("Subject", "Anmeldung"),
            ("Message-Id", "<8F3C2B1A-6D4E-4F7A-9B2C-1E5D7A9C3F60@example.de>"),
            ("To", "events@example.org"),
            ("X-Mailer", "iPhone Mail (17F80)"),
        ],
        qp(body, "utf-8"),
    )


def mail_koehler_list() -> str:
    body = """Hallo zusammen,

ich melde mich f\u00fcr das Web-Seminar am 19.06.2020 an und habe vorab drei Fragen:

- Wird es einen Livestream der Stadtratssitzungen geben?
- Welche Daten sammeln die Sensoren an den neuen Stra\u00dfenlaternen genau?
- Kann man die Daten der Datenplattform auch als B\u00fcrgerin selbst herunterladen?

Vielen Dank und viele Gr\u00fc\u00dfe
Sandra K\u00f6hler"""
    return message(
        [
            ("From", f"{encoded_words('Sandra Köhler', 'utf-8', 'B')} <s.koehler@example.de>"),
            ("To", "<events@example.org>"),
            ("Subject", "Anmeldung Web-Seminar + Fragen"),
            ("Date", "Wed, 17 Jun 2020 16:30:55 +0200"),
            ("Message-ID", "<000001d644b2$8a1f3c70$9e5db550$@example.de>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", 'text/plain;\n\tcharset="utf-8"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
            ("X-Mailer", "Microsoft Outlook 16.0"),
            ("Thread-Index", "AdZEsolJq0bLkXwUQ5mS3uJ0xk7ZrA=="),
            ("Content-Language", "de"),
        ],
        qp(body, "utf-8"),
    )


def mail_schuetz_noquestion() -> str:
    body = """Hallo,

hiermit melde ich mich und meinen Mann G\u00fcnter f\u00fcr das Web-Seminar am 19. Juni an.

MfG
B\u00e4rbel Sch\u00fctz"""
    return message(
        [
            ("MIME-Version", "1.0"),
            ("Date", "Thu, 18 Jun 2020 19:55:31 +0200"),
            (
                "From",
                f"{encoded_words('Bärbel Schütz', 'iso-8859-1')} <baerbel.schuetz@example.de>",
            ),
            ("To", "events@example.org"),
            ("Subject", "Anmeldung"),
            ("Message-ID", "<a41f0c2b9e7d3c15e8b6f2a0d4c9e7b1@webmail.example.de>"),
            ("X-Sender", "baerbel.schuetz@example.de"),
            ("User-Agent", "Roundcube Webmail/1.4.6"),
            ("Content-Type", "text/plain; charset=iso-8859-1"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(body, "iso-8859-1"),
    )


def mail_kuehnle_outlook() -> str:
    body = f"""Guten Tag,

ich nehme gerne teil. Mich interessiert vor allem, was das gesamte Modellprojekt kostet \
und welchen Eigenanteil die Stadt Kaiserslautern selbst tragen muss.

Mit freundlichen Grüßen
Walter Kühnle

-----Ursprüngliche Nachricht-----
Von: KL.digital Veranstaltungen <events@example.org>
Gesendet: Montag, 15. Juni 2020 09:15
An: walter.kuehnle@example.de
Betreff: {INVITE_SUBJECT}

{INVITE_BODY}"""
    return message(
        [
            ("X-Mozilla-Status", "0001"),
            ("X-Mozilla-Status2", "00000000"),
            ("From", f"{encoded_words('Walter Kühnle', 'utf-8')} <walter.kuehnle@example.de>"),
            ("To", TO),
            ("Subject", encoded_words("AW: " + INVITE_SUBJECT)),
            ("Date", "Tue, 16 Jun 2020 11:05:20 +0200"),
            ("Message-ID", "<000a01d643bb$5c2e8d10$148ba730$@example.de>"),
            ("In-Reply-To", INVITE_ID),
            ("References", INVITE_ID),
            ("MIME-Version", "1.0"),
            ("Content-Type", 'text/plain;\n\tcharset="utf-8"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
            ("X-Mailer", "Microsoft Outlook 16.0"),
            ("Content-Language", "de"),
        ],
        qp(body, "utf-8"),
    )


def mail_miller_english() -> str:
    body = """Hello,

I would like to register for the web seminar on June 19.
From what I have read, the city wants to offer more services online. Will the new
online services also be available in English? Many of us in the American community
here have trouble with German forms.

Vielen Dank und freundliche Grüße
Jennifer Miller"""
    return message(
        [
            ("X-Mozilla-Status", "0001"),
            ("X-Mozilla-Status2", "00000000"),
            ("From", "Jennifer Miller <j.miller@example.org>"),
            ("To", "events@example.org"),
            ("Subject", "Registration web seminar June 19"),
            ("Date", "Wed, 17 Jun 2020 20:41:07 +0200"),
            ("Message-ID", "<CAF3x9kP2vQm7Lr8sT1wYb4nZ5dE6gH0jK@mail.example.org>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", 'text/plain; charset="UTF-8"'),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        body,
    )


def mail_petersen_cp1252() -> str:
    body = """Sehr geehrte Damen und Herren,

wir (Modehaus Petersen, Marktstraße) melden uns mit zwei Personen für das Web-Seminar an.

Zur „Lokalen Logistik“: Was kostet die Teilnahme für einen Händler – gibt es eine \
monatliche Grundgebühr, z. B. 50 € oder mehr?

Mit freundlichen Grüßen
Inge Petersen
Modehaus Petersen"""
    # Labelled iso-8859-1, but the bytes are Windows-1252 („ “ – €): the classic Outlook trap.
    return message(
        [
            ("X-Mozilla-Status", "0001"),
            ("X-Mozilla-Status2", "00000000"),
            ("From", '"Modehaus Petersen" <info@modehaus-petersen.example.de>'),
            ("To", "<events@example.org>"),
            ("Subject", "Anmeldung + Frage Lokale Logistik"),
            ("Date", "Thu, 18 Jun 2020 09:02:47 +0200"),
            ("Message-ID", "<001501d6453d$0e9b7a40$2bd26ec0$@modehaus-petersen.example.de>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", 'text/plain;\n\tcharset="iso-8859-1"'),
            ("Content-Transfer-Encoding", "quoted-printable"),
            ("X-Mailer", "Microsoft Office Outlook 12.0"),
        ],
        qp(body, "cp1252"),
    )


def mail_wolff_alternative() -> str:
    plain = """Guten Abend,

ich möchte mich für das Web-Seminar am Freitag anmelden.

Meine Frage: Funktioniert das geplante Navigationssystem für Blinde auch ohne
Smartphone, zum Beispiel mit einem einfachen Handy?

Beste Grüße
Andreas Wolff"""
    html = (
        "<html><body><p>Guten Abend,</p>\n"
        "<p>ich möchte mich für das Web-Seminar am Freitag anmelden.</p>\n"
        "<p>Meine Frage: Funktioniert das geplante Navigationssystem für Blinde auch ohne "
        "Smartphone, zum Beispiel mit einem einfachen Handy?</p>\n"
        "<p>Beste Grüße<br>\nAndreas Wolff</p></body></html>"
    )
    boundary = "_000_4f9c2a7e1b3d4c58a6e0b2d7f1c3e5a9_"
    body = (
        f"--{boundary}\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(plain)}\n\n"
        f"--{boundary}\n"
        'Content-Type: text/html; charset="utf-8"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(html)}\n\n"
        f"--{boundary}--\n"
    )
    return message(
        [
            ("X-Mozilla-Status", "0001"),
            ("X-Mozilla-Status2", "00000000"),
            ("From", "Andreas Wolff <a.wolff@example.org>"),
            ("To", "events@example.org"),
            ("Subject", "Anmeldung Web-Seminar 19.06.2020"),
            ("Date", "Thu, 18 Jun 2020 22:14:03 +0200"),
            ("Message-ID", "<AM6PR02MB4471C3E2F1B0A9D8E7C6B5A4D3E2F1A0@example.org>"),
            ("Accept-Language", "de-DE, en-US"),
            ("Content-Language", "de-DE"),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/alternative;\n\tboundary="{boundary}"'),
        ],
        body,
    )


EML = [
    ("2020-06-15_schaefer-wolf.eml", mail_schaefer_wolf),
    ("2020-06-16_nguyen.eml", mail_nguyen_html),
    ("2020-06-16_berger.eml", mail_berger_reply),
    ("2020-06-17_imhof.eml", mail_imhof_iphone),
    ("2020-06-17_koehler.eml", mail_koehler_list),
    ("2020-06-18_schuetz.eml", mail_schuetz_noquestion),
]
MBOX = [
    ("Tue Jun 16 09:05:21 2020", mail_kuehnle_outlook),
    ("Wed Jun 17 18:41:08 2020", mail_miller_english),
    ("Thu Jun 18 07:02:48 2020", mail_petersen_cp1252),
    ("Thu Jun 18 20:14:04 2020", mail_wolff_alternative),
]

# Annotations for expected.md (read by make_chat.py).
MAILS: list[dict] = [
    {
        "where": "2020-06-15_schaefer-wolf.eml",
        "message_id": "5EE7196B.2040704@example.de",
        "from_name": "Renate Schäfer-Wolf",
        "questions": [{"ref": "M-01", "project": "lotsen", "dup": "Z-lotsen-1"}],
        "must": ["Wird beim Lotsensystem für Blinde und Sehbehinderte auch der"],
        "must_not": [],
        "note": "iso-8859-1 quoted-printable body, RFC 2047 Q-encoded iso-8859-1 name; "
        "closing 'Mit freundlichen Grüßen'",
    },
    {
        "where": "2020-06-16_nguyen.eml",
        "message_id": "trinity-6a1c2f0e-9d3b-4c7e-a1f2-3b8e5d9c0a47-1592337061113"
        "@webmail.example.org",
        "from_name": "Linh Nguyen",
        "questions": [{"ref": "M-02", "project": "dritter-ort", "dup": "Z-dritter-ort-1"}],
        "must": [
            "Wo in der Innenstadt sind die Dritten Orte geplant – gibt es schon konkrete Standorte?"
        ],
        "must_not": ["<div>", "<b>", "&ndash;"],
        "note": "HTML only (text/html, utf-8 quoted-printable), entities and raw UTF-8 mixed",
    },
    {
        "where": "2020-06-16_berger.eml",
        "message_id": "b2e7c0d4-5f1a-4e93-8c2b-7d6a9e1f3b05@example.de",
        "from_name": "Thomas Berger",
        "questions": [{"ref": "M-03", "project": "mobilitaet", "dup": "Z-mobilitaet-1"}],
        "must": ["Ab wann sollen in"],
        "must_not": [
            "Am 15.06.2020 um 09:15 schrieb",
            "> Melden Sie sich einfach",
            "Melden Sie sich einfach",
        ],
        "note": "reply to the invitation: 'Am 15.06.2020 um 09:15 schrieb …:' and '> ' "
        "quoted lines; RFC 2047 subject; 8bit utf-8",
    },
    {
        "where": "2020-06-17_imhof.eml",
        "message_id": "8F3C2B1A-6D4E-4F7A-9B2C-1E5D7A9C3F60@example.de",
        "from_name": "Klaus Imhof",
        "questions": [{"ref": "M-04", "project": "general", "dup": "Z-general-7"}],
        "must": ["Handwerksbetriebe aus der Region"],
        "must_not": ["Imhof Elektrotechnik GmbH", "Von meinem iPhone gesendet"],
        "note": "signature after '-- ' (encoded as '--=20') and 'Von meinem iPhone gesendet'",
    },
    {
        "where": "2020-06-17_koehler.eml",
        "message_id": "000001d644b2$8a1f3c70$9e5db550$@example.de",
        "from_name": "Sandra Köhler",
        "questions": [
            {"ref": "M-05a", "project": "dialog", "dup": "Z-dialog-1"},
            {"ref": "M-05b", "project": "infrastruktur"},
            {"ref": "M-05c", "project": "datenplattform"},
        ],
        "must": [
            "- Wird es einen Livestream der Stadtratssitzungen geben?",
            "- Welche Daten sammeln die Sensoren",
            "- Kann man die Daten der Datenplattform",
        ],
        "must_not": [],
        "note": "three questions as a '- ' bulleted list (must not be cut as a signature); "
        "RFC 2047 B-encoded utf-8 name",
    },
    {
        "where": "2020-06-18_schuetz.eml",
        "message_id": "a41f0c2b9e7d3c15e8b6f2a0d4c9e7b1@webmail.example.de",
        "from_name": "Bärbel Schütz",
        "questions": [],
        "must": ["hiermit melde ich mich und meinen Mann Günter"],
        "must_not": [],
        "note": "registration without any question (iso-8859-1 quoted-printable; 'MfG')",
    },
    {
        "where": f"{MBOX_NAME} #1",
        "message_id": "000a01d643bb$5c2e8d10$148ba730$@example.de",
        "from_name": "Walter Kühnle",
        "questions": [{"ref": "X-1", "project": "general", "dup": "Z-general-1"}],
        "must": ["welchen Eigenanteil die Stadt Kaiserslautern selbst tragen muss"],
        "must_not": ["-----Ursprüngliche Nachricht-----", "Melden Sie sich einfach"],
        "note": "Outlook reply: '-----Ursprüngliche Nachricht-----' with Von:/Gesendet:/An:/"
        "Betreff: and the unquoted invitation below",
    },
    {
        "where": f"{MBOX_NAME} #2",
        "message_id": "CAF3x9kP2vQm7Lr8sT1wYb4nZ5dE6gH0jK@mail.example.org",
        "from_name": "Jennifer Miller",
        "questions": [{"ref": "X-2", "project": "general"}],
        "must": ["From what I have read", "available in English?"],
        "must_not": [],
        "note": "English; a body line starting with 'From ' is stored as '>From ' in the mbox",
    },
    {
        "where": f"{MBOX_NAME} #3",
        "message_id": "001501d6453d$0e9b7a40$2bd26ec0$@modehaus-petersen.example.de",
        "from_name": "Modehaus Petersen",
        "questions": [{"ref": "X-3", "project": "logistik", "dup": "Z-logistik-2"}],
        "must": [
            "Zur „Lokalen Logistik“: Was kostet die Teilnahme für einen Händler – gibt",
            "50 €",
        ],
        "must_not": [],
        "note": "labelled iso-8859-1 but the bytes are Windows-1252 (=84 =93 =96 =80): must "
        "be decoded as cp1252 to get „ “ – €",
    },
    {
        "where": f"{MBOX_NAME} #4",
        "message_id": "AM6PR02MB4471C3E2F1B0A9D8E7C6B5A4D3E2F1A0@example.org",
        "from_name": "Andreas Wolff",
        "questions": [{"ref": "X-4", "project": "lotsen", "dup": "Z-lotsen-2"}],
        "must": ["Funktioniert das geplante Navigationssystem für Blinde auch ohne"],
        "must_not": [],
        "note": "multipart/alternative, both parts base64 utf-8",
    },
]


def write() -> None:
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    for name, make in EML:
        (MAIL_DIR / name).write_bytes(make().replace("\n", "\r\n").encode("utf-8"))
    chunks = []
    for when, make in MBOX:
        text = make()
        # mboxo escaping: a body line starting with "From " gets a leading ">".
        lines = [(">" + line) if line.startswith("From ") else line for line in text.split("\n")]
        chunks.append(f"From - {when}\n" + "\n".join(lines) + "\n")
    (MAIL_DIR / MBOX_NAME).write_bytes("".join(chunks).encode("utf-8"))


def check() -> None:
    """Parse every file with policy.default; fail loudly on any defect."""
    seen = []
    for name, _ in EML:
        with open(MAIL_DIR / name, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=policy.default)
        seen.append(msg)
    box = mailbox.mbox(
        MAIL_DIR / MBOX_NAME,
        factory=lambda f: email.message_from_binary_file(f, policy=policy.default),
        create=False,
    )
    seen.extend(box)
    assert len(seen) == len(MAILS), len(seen)
    for msg, meta in zip(seen, MAILS, strict=True):
        for header in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
            assert msg[header], (meta["where"], header)
        assert msg["Message-ID"].strip().strip("<>") == meta["message_id"], meta["where"]
        assert msg["From"].addresses[0].display_name == meta["from_name"], meta["where"]
        assert msg["Date"].datetime.year == 2020 and msg["Date"].datetime.month == 6
        body = msg.get_body(preferencelist=("plain", "html"))
        raw = body.get_payload(decode=True)
        charset = body.get_content_charset()
        text = raw.decode("cp1252" if "Petersen" in meta["from_name"] else charset)
        text = text.replace("\r\n", "\n").replace("\n", " ")
        for phrase in meta["must"]:
            flat = phrase.replace("\n", " ")
            if meta["where"].endswith("nguyen.eml"):
                flat = flat.replace("–", "&ndash;")
            assert flat in text, (meta["where"], phrase)
        assert not msg.defects, (meta["where"], msg.defects)
        for part in msg.walk():
            assert not part.defects, (meta["where"], part.defects)
            if part.get_content_maintype() == "text":
                part.get_content()  # decodes without error


if __name__ == "__main__":
    write()
    check()
    print(f"wrote {len(EML)} .eml files and {MBOX_NAME} with {len(MBOX)} messages")
