"""Personal data: what the publishable exports leave out, and what a purge removes.

Runs on a real SQLite file and the real PostgreSQL server with real mail files.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from moderator.domain.personal import EMAIL_MASK, PHONE_MASK, mask_contacts
from moderator.services import EventService
from moderator.services.exporting import export_result, masked_note
from moderator.services.ingesting import import_paths
from tests.factories import msg

MAIL = Path(__file__).parent / "data" / "mail"
CONTACT_MAIL = MAIL / "hand_contact_details.eml"
# What hand_contact_details.eml carries: its sender, a quoted third person, two numbers.
NAMES = ("Hannelore", "Schwarzkopf-Ebling", "Otmar", "Quellenberg")
EMAILS = ("h.schwarzkopf@beispiel-verein.de", "o.quellenberg@example.net")
PHONES = ("0631 3651234", "+49 170 9876543")


def _texts_of(data: str | bytes, fmt: str) -> str:
    """Everything a reader of the export sees, as one string."""
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    return text.replace("\\[", "[").replace("\\]", "]") if fmt == "md" else text


# --------------------------------------------------------------------------- item 8


def test_masking_finds_german_numbers_and_addresses_but_not_years_or_prices() -> None:
    text, masked = mask_contacts(
        "Tel. 0631 365-1234, mobil 0170/12 34 567, anna.b@example.org; 2019 gab es 65 % "
        "für 67655 Kaiserslautern, am 12.03.2025 um 18:00 Uhr, siehe https://example.org/0631365"
    )
    assert (masked.phones, masked.emails) == (2, 1)
    assert "0631 365-1234" not in text and "anna.b@example.org" not in text
    assert text.count(PHONE_MASK) == 2 and EMAIL_MASK in text
    for kept in ("2019", "65 %", "67655", "12.03.2025", "18:00", "https://example.org/0631365"):
        assert kept in text


def test_default_json_export_leaves_out_originals_and_names(service: EventService) -> None:
    summaries = import_paths(service, [CONTACT_MAIL, MAIL / "registration_example.eml"])
    assert [s.new for s in summaries] == [1, 1]

    published = export_result(service, fmt="json", status="all")
    doc = json.loads(published.data)
    assert doc["personal_data"] is False
    assert all("original" not in m and "author" not in m for m in doc["messages"])
    for secret in (*NAMES[2:], *EMAILS, *PHONES, "Jürgen Müller <jm@example.de>", "jm@example.de"):
        assert secret not in published.data, secret
    assert (published.masked.emails, published.masked.phones) == (1, 2)

    private = export_result(service, fmt="json", status="all", include_askers=True)
    doc = json.loads(private.data)
    assert doc["personal_data"] is True
    assert any("Otmar Quellenberg" in m["original"] for m in doc["messages"])
    assert all(phone in private.data for phone in PHONES)
    assert private.masked.total == 0


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "xlsx"])
def test_publishable_exports_mask_contact_details(service: EventService, fmt: str) -> None:
    import_paths(service, [CONTACT_MAIL])
    service.import_messages(
        [msg(1, "Wird LoRaWAN auch für Privatleute geöffnet? Antwort gern an otto@example.com")]
    )

    published = export_result(service, fmt=fmt, status="all")
    seen = _texts_of(published.data, fmt)
    for secret in (*EMAILS, *PHONES, "otto@example.com"):
        assert secret not in seen, (fmt, secret)
    assert PHONE_MASK in seen and EMAIL_MASK in seen
    assert "Fackelstraße" in seen and "LoRaWAN" in seen
    assert (published.masked.emails, published.masked.phones) == (2, 2)

    kept = export_result(service, fmt=fmt, status="all", include_askers=True)
    seen = _texts_of(kept.data, fmt)
    assert all(secret in seen for secret in (*PHONES, "otto@example.com"))
    assert kept.masked.total == 0


def test_masked_note_in_german_and_english() -> None:
    from moderator.domain.personal import Masked

    assert masked_note(Masked(), language="de") is None
    assert masked_note(Masked(emails=1, phones=2), language="de") == (
        "1 E-Mail-Adresse und 2 Telefonnummern im Fragetext unkenntlich gemacht "
        "(--include-askers behält sie)"
    )
    assert masked_note(Masked(emails=3), language="en") == (
        "masked 3 e-mail addresses in question text (--include-askers keeps them)"
    )


def test_cli_export_says_how_many_were_masked(tmp_path: Path) -> None:
    from tests.test_cli import run

    db = f"sqlite:///{tmp_path / 'm.db'}"
    run("import", str(CONTACT_MAIL), db=db)
    result = run("export", "--format", "md", "--status", "all", db=db)
    assert not re.search(r"0631 3651234|h\.schwarzkopf@", result.stdout)
    # The default event is German, so the CLI says it in German.
    assert "1 E-Mail-Adresse und 2 Telefonnummern im Fragetext unkenntlich gemacht" in (
        result.stderr
    )
    kept = run("export", "--format", "md", "--status", "all", "--include-askers", db=db)
    assert "0631 3651234" in kept.stdout and "unkenntlich" not in kept.stderr
