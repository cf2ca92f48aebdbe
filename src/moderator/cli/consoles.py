"""The screens: the console (tui), the demo with the sample event, the stage, and the
browser pages for stream and stage (overlay)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from moderator.cli.base import (
    SAMPLE_DIR,
    CliError,
    adds_data,
    embedder,
    event_config,
    event_service,
    meaning_pass,
    open_database,
    printable,
    text_for,
)
from moderator.cli.importing import print_summary, project_names

if TYPE_CHECKING:  # the services, the storage and Textual: imported when a command runs
    from moderator.services import EventService
    from moderator.ui.app import ModeratorApp


def cmd_tui(args: argparse.Namespace) -> int:
    from moderator.config import load_keymap

    db = open_database(args, create=adds_data(args))
    service = event_service(args, db)
    from moderator.ui.app import ModeratorApp  # Textual only when the console opens

    ModeratorApp(service, keymap=load_keymap(), language=text_for(args, service).language).run()
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    db = open_database(args, create=adds_data(args))
    service = event_service(args, db)
    from moderator.ui.stage import StageApp

    StageApp(service, language=text_for(args, service).language).run()
    return 0


def load_sample(service: EventService, sample_dir: Path = SAMPLE_DIR) -> list:
    from moderator.domain.models import Channel
    from moderator.services.ingesting import import_paths

    # In the order the questions arrived: registration mails, the webinar chat, the
    # follow-up session, then the questions phoned in.
    def files(folder: str) -> list[Path]:
        return sorted(
            p for p in (sample_dir / folder).rglob("*") if p.is_file() and _is_sample_source(p)
        )

    return import_paths(service, files("mail") + files("zoom") + files("bbb")) + import_paths(
        service, [sample_dir / "phone.txt"], channel=Channel.PHONE
    )


def _is_sample_source(path: Path) -> bool:
    return path.suffix.lower() in {".txt", ".eml", ".mbox", ".csv", ".xlsx"}


def cmd_demo(args: argparse.Namespace) -> int:
    app = demo_console(args)
    if app is not None:
        app.run()
    return 0


def demo_console(args: argparse.Namespace) -> ModeratorApp | None:
    """Load the sample event into a fresh database (a temporary file unless --db) and
    return the console on it, which shows where the database is (None with --no-tui)."""
    from moderator.config import load_config, load_keymap, moderator_name
    from moderator.services import open_event
    from moderator.storage.db import Database

    if not (SAMPLE_DIR / "event.toml").exists():
        raise CliError(text_for(args)("demo.missing", path=SAMPLE_DIR))
    # A folder of its own only when it is used (with --db nothing is left behind).
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='moderator-demo-')) / 'demo.db'}"
    db = Database(url)
    db.upgrade()
    service = open_event(
        db,
        load_config(SAMPLE_DIR / "event.toml"),
        moderator=moderator_name(args.as_name),
        embedder=embedder,
    )
    t = text_for(args, service)
    for summary in load_sample(service):
        print_summary(summary, t, out=sys.stderr, names=project_names(service))
    meaning_pass(service, t)
    print(t("demo.database", url=printable(db.safe_url)), file=sys.stderr)
    if args.no_tui:
        return None
    from moderator.ui.app import ModeratorApp  # Textual only when the console opens

    return ModeratorApp(
        service, keymap=load_keymap(), language=t.language, database=printable(db.safe_url)
    )


OVERLAY_TEXT = {
    "de": {
        "help": "Browser-Seiten für Stream und Bühne: /overlay (OBS, vMix), /stage, /api/state",
        "setup": "OBS: Quellen → + → Browser, URL http://127.0.0.1:{port}/overlay, 1920 × 1080.\n"
        "Die Seite ist durchsichtig: nur die Frage auf Sendung erscheint ([overlay] in der\n"
        "Eventdatei oder ?size=40&position=top-right); /stage ist die Seite für die Sprecher.",
        "port": "Port (Vorgabe: {port})",
        "host": "auf dieser Adresse lauschen statt 127.0.0.1 (z. B. 0.0.0.0 fürs WLAN); "
        "dann gilt jeder Aufruf nur mit dem Zugangs-Token",
        "token": "dieses Zugangs-Token statt eines zufälligen (damit die Links nach einem "
        "Neustart gültig bleiben)",
        "serving": "Überträgt {title!r} – Strg+C beendet.",
        "overlay": "Overlay (OBS/vMix, Browserquelle 1920 × 1080):",
        "stage": "Bühne (Tablet der Sprecher):",
        "api": "Daten als JSON:",
        "token_note": "Die Links enthalten das Zugangs-Token: nur an das Team weitergeben.",
    },
    "en": {
        "help": "browser pages for the stream and the stage: /overlay (OBS, vMix), /stage, "
        "/api/state",
        "setup": "OBS: Sources → + → Browser, URL http://127.0.0.1:{port}/overlay, 1920 × 1080.\n"
        "The page is transparent: only the question on air shows ([overlay] in the event\n"
        "file or ?size=40&position=top-right); /stage is the page for the speakers.",
        "port": "port (default: {port})",
        "host": "listen on this address instead of 127.0.0.1 (e.g. 0.0.0.0 for the Wi-Fi); "
        "then every request needs the access token",
        "token": "this access token instead of a random one (so the links stay valid after "
        "a restart)",
        "serving": "Serving {title!r} – Ctrl+C stops.",
        "overlay": "Overlay (OBS/vMix, browser source 1920 × 1080):",
        "stage": "Stage (the speakers' tablet):",
        "api": "Data as JSON:",
        "token_note": "The links carry the access token: give them to the team only.",
    },
}


def cmd_overlay(args: argparse.Namespace) -> int:
    import secrets
    import socket

    from moderator.config import load_default_config
    from moderator.services.events import stored_config
    from moderator.web.server import Options, WebServer

    db = open_database(args, create=adds_data(args))
    service = event_service(args, db)
    config = event_config(args) or stored_config(db, service.event.slug) or load_default_config()
    language = text_for(args, service).language  # --lang, else the event's
    text = OVERLAY_TEXT.get(language, OVERLAY_TEXT["de"])
    token = None
    if args.host is not None:  # beyond this machine: nothing without the token
        token = args.token or secrets.token_urlsafe(18)
    options = Options(language=language, look=config.overlay, token=token)
    host = args.host or "127.0.0.1"

    def ready(server: WebServer) -> None:
        print(text["serving"].format(title=printable(service.event.title)))
        for key, path in (("overlay", "/overlay"), ("stage", "/stage"), ("api", "/api/state")):
            url = server.url(path)
            if host in ("0.0.0.0", "::"):  # every address of this machine: name it
                url = url.replace("127.0.0.1", socket.gethostname(), 1)
            print(f"  {text[key]:<46} {printable(url)}")
        if token:
            print(text["token_note"])
        sys.stdout.flush()

    try:
        WebServer(service, options, host=host, port=args.port).run(ready)
    finally:
        service.close()
    return 0
