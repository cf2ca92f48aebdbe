"""Personal data: what the publishable exports leave out, and what a purge removes.

Runs on a real SQLite file and the real PostgreSQL server with real mail files.
"""

from __future__ import annotations

import io
import json
import os
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
    # Message-IDs name the sender's host (here "mailer.example-verein.de"): digests instead.
    assert all(m["source_key"].startswith("sha256:") for m in doc["messages"])
    assert "example-verein.de" not in published.data and "mail.example.de" not in published.data
    for secret in (*NAMES[2:], *EMAILS, *PHONES, "Jürgen Müller <jm@example.de>", "jm@example.de"):
        assert secret not in published.data, secret
    assert (published.masked.emails, published.masked.phones) == (1, 2)

    private = export_result(service, fmt="json", status="all", include_askers=True)
    doc = json.loads(private.data)
    assert doc["personal_data"] is True
    assert any("Otmar Quellenberg" in m["original"] for m in doc["messages"])
    assert {m["source_key"] for m in doc["messages"]} == {
        "email:a7f3c2e1-contact@mailer.example-verein.de",
        "email:20200615091502.4711@mail.example.de",
    }
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


def test_cli_export_says_how_many_were_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_cli import run

    monkeypatch.setenv("MODERATOR_EMBEDDER", "none")  # words only: no encoding wait

    db = f"sqlite:///{tmp_path / 'm.db'}"
    run("import", str(CONTACT_MAIL), db=db)
    result = run("export", "--format", "md", "--status", "all", db=db)
    assert not re.search(r"0631 3651234|h\.schwarzkopf@", result.stdout)
    # The default event is German, so the CLI says it in German.
    assert "1 E-Mail-Adresse und 2 Telefonnummern im Fragetext unkenntlich gemacht" in (
        result.stderr
    )


# --------------------------------------------------------------------------- item 7

CHAT = Path(__file__).parent / "data" / "chat" / "zoom_de_meeting_saved_chat.txt"
PHONE_ASKER = "Waltraud Eberhardt-Pfeiffer"


def _fill_event(service: EventService) -> None:
    """Mails, a chat and a phone question, then what moderators do: merge, edit, answer."""
    import_paths(service, [CONTACT_MAIL, MAIL / "registration_example.eml", CHAT])
    service.add_manual(
        "Wann wird die Fackelstraße umgebaut? Rückruf bitte unter 0170 5556677.",
        author=PHONE_ASKER,
    )
    by_text = {g.title: g.id for g in service.groups()}
    contact = next(
        gid
        for title, gid in by_text.items()
        if "Fackelstraße in der" in title or "Dritten Ort in der Fackelstraße" in title
    )
    manual = next(gid for title, gid in by_text.items() if "umgebaut" in title)
    service.merge(manual, contact)
    service.set_title(contact, text="Ansprechpartner Dritter Ort? (Hannelore, 0631 3651234)")
    service.set_answer(
        contact,
        "Sehr geehrte Frau Schwarzkopf-Ebling, wir melden uns unter 0631 3651234 bei Ihnen. "
        "Fragen beantwortet auch unsere Hotline +49 631 365-0.",
    )
    # An answer begun and left unsaved (Esc in the editor) holds the same details.
    service.keep_answer_draft(contact, "Liebe Frau Schwarzkopf-Ebling, Rückruf unter 0631 3651234")


def _secrets(service: EventService) -> set[str]:
    """Every name, address and number the event holds before the purge."""
    from moderator.domain.personal import contacts_in

    found = {*NAMES, *EMAILS, *PHONES, PHONE_ASKER, "0170 5556677", "jm@example.de"}
    for message in service.messages():
        found |= {v for v in (message.author, message.author_email) if v}
        emails, _ = contacts_in(message.original)
        found |= emails
    assert "Jürgen Müller" in found and len(found) > 12
    return found


def _database_files(service: EventService) -> list[bytes]:
    """The bytes of the files the database keeps on disk."""
    db = service.db
    if db.is_sqlite:
        path = Path(db.url.database)
        return [p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists()]
    from sqlalchemy import text

    with db.engine.connect() as conn:
        conn.execute(text("CHECKPOINT"))  # the server's buffers to its files
        root = Path(conn.execute(text("SHOW data_directory")).scalar())
        files = []
        for table in ("messages", "groups", "actions"):
            relations = conn.execute(
                text(
                    "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
                    "WHERE c.oid = CAST(:t AS regclass) "
                    "OR c.oid = (SELECT reltoastrelid FROM pg_class "
                    "WHERE oid = CAST(:t AS regclass)) "
                    "OR c.oid IN (SELECT indexrelid FROM pg_index "
                    "WHERE indrelid = CAST(:t AS regclass))"
                ),
                {"t": table},
            ).scalars()
            for relative in relations:
                main = root / relative  # 1 GB segments follow as main.1, main.2, …
                files += [main, *sorted(main.parent.glob(main.name + ".[0-9]*"))]
    if not files or not os.access(files[0], os.R_OK):
        pytest.skip("the PostgreSQL data directory is not readable here")
    return [f.read_bytes() for f in files]


def test_purge_leaves_no_name_address_or_number_in_the_database_files(
    service: EventService,
) -> None:
    _fill_event(service)
    secrets = _secrets(service)
    questions_before = len(service.groups())
    service.db.dispose()
    assert any(secret.encode() in blob for blob in _database_files(service) for secret in secrets)

    result = service.purge_personal_data()

    assert result.messages >= 3
    assert result.compacted.startswith("VACUUM")
    leaks = {
        secret
        for blob in _database_files(service)
        for secret in secrets
        if secret.encode() in blob or secret.lower().encode() in blob
    }
    assert leaks == set()
    # The questions stay, readable, with the contact details and names masked:
    groups = service.groups()
    assert len(groups) == questions_before
    contact = next(g for g in groups if g.title.startswith("Ansprechpartner Dritter Ort?"))
    assert (
        contact.title == "Ansprechpartner Dritter Ort? ([Name entfernt], [Telefonnummer entfernt])"
    )
    assert contact.answer == (
        "Sehr geehrte Frau [Name entfernt], wir melden uns unter [Telefonnummer entfernt] bei "
        "Ihnen. Fragen beantwortet auch unsere Hotline +49 631 365-0."
    )
    assert service.answer_draft(contact.id) == (
        "Liebe Frau [Name entfernt], Rückruf unter [Telefonnummer entfernt]"
    )
    assert all(m.author is None and m.author_email is None for m in service.messages())
    assert any("Fackelstraße" in m.text and EMAIL_MASK in m.text for m in service.messages())

    # Importing the same sources again adds nothing: the keys are kept as hashes.
    again = import_paths(service, [CONTACT_MAIL, MAIL / "registration_example.eml", CHAT])
    assert sum(s.new for s in again) == 0


def test_cli_purge_of_the_sample_event_leaves_no_personal_data_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_db: str
) -> None:
    """As a user would check it: `strings` on the SQLite file after the purge. (Vectors:
    see the next test; here words only, so the import does not wait for encoding.)"""
    monkeypatch.setenv("MODERATOR_EMBEDDER", "none")
    import subprocess

    from moderator.domain.personal import contacts_in
    from tests.test_cli import SAMPLE, copy_db, run

    db = copy_db(demo_db, tmp_path)  # the sample event, as `moderator demo --no-tui` loads it
    path = Path(db.removeprefix("sqlite:///"))
    run("import", str(CONTACT_MAIL), db=db)
    doc = json.loads(
        run("export", "--format", "json", "--status", "all", "--include-askers", db=db).stdout
    )
    secrets = {*NAMES, *EMAILS, *PHONES}
    for message in doc["messages"]:
        secrets |= {v for v in (message["author"], message["author_email"]) if v}
        emails, _ = contacts_in(message["original"])
        secrets |= emails
    # File names of the sample mails carry names too ("2020-06-15_schaefer-wolf.eml").
    secrets |= {p.stem.split("_", 1)[1] for p in (SAMPLE / "mail").glob("2020-*.eml")}
    # The host's name is the organiser's own configuration (event.toml `hosts`), not an
    # asker's: it stays in the stored event configuration.
    secrets.discard("Moderation KL.digital")
    assert len(secrets) > 40

    result = run("purge-personal-data", "--yes", db=db)
    assert "verdichtet" in result.stdout  # the sample event is German

    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    dump = subprocess.run(
        ["strings", "-n", "3", str(path)], capture_output=True, check=True
    ).stdout.decode("utf-8", "replace")
    # `strings` sees ASCII runs only: look for umlaut names in the raw bytes as well.
    raw = path.read_bytes()
    leaks = sorted(
        s for s in secrets if s in dump or s.lower() in dump.lower() or s.encode() in raw
    )
    assert leaks == []
    after = json.loads(
        run("export", "--format", "json", "--status", "all", "--include-askers", db=db).stdout
    )
    assert len(after["messages"]) == len(doc["messages"])


def test_purge_drops_the_sentence_vectors_of_the_unmasked_text(sqlite_url: str, e5) -> None:
    """Vectors made from the text with names and numbers go; the meaning pass then encodes
    the masked text. (SQLite only: encoding is slow, and the same DELETE runs on both.)"""
    from moderator.config import load_default_config
    from moderator.services import open_event
    from moderator.storage.db import Database
    from moderator.storage.repository import Repository
    from tests.conftest import FakeClock

    embedder = e5
    database = Database(sqlite_url)
    database.upgrade()
    service = open_event(
        database, load_default_config(), moderator="Anna", clock=FakeClock(),
        embedder=lambda: embedder,
    )  # fmt: skip
    import_paths(service, [CONTACT_MAIL, MAIL / "registration_example.eml"])
    service.embed_pending()
    model = embedder.model_id

    def vectors() -> int:
        with database.reading() as session:
            rows = Repository(session).question_texts_and_vectors(service.event_id, model, 0)
            return sum(1 for row in rows if row[-1])

    assert vectors() == 2
    service.purge_personal_data()
    assert vectors() == 0
    service.embed_pending()
    assert vectors() == 2
    database.dispose()
