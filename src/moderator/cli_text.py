"""What the command line says, in German and English (the event's language, or --lang).

Counted words use `domain.language.counted` ("1 Frage", "2 Fragen"); names, paths and other
user data are put in by the caller after `printable`.
"""

from __future__ import annotations

from moderator.domain.language import counted, number, pick

_DE: dict[str, str] = {
    # the import summary
    "summary.line": "{source}: {new} neu ({questions}, {chatter}, {votes}), "
    "{known} bereits importiert, {suggested} mit Duplikatvorschlag{merged}, {skipped}",
    "summary.merged": ", {n} automatisch zusammengeführt",
    "summary.skipped": "{n} übersprungen",
    "summary.projects": "  vorgeschlagene Projekte: {parts}",
    "summary.note": "  Hinweis: {note}",
    "summary.skip": "  übersprungen: {problem}",
    "summary.skip_only": "übersprungen: {problem}",
    "summary.total": "gesamt: {new} neu, {known} bereits importiert, {skipped}",
    # progress and Ctrl+C
    "import.progress": "{read} Nachrichten gelesen, {new} neu",
    "import.bytes": "{done} von {total} MB",
    "import.compared": "{done} von {total} neuen Fragen mit den früheren verglichen",
    "import.stopped": "Import abgebrochen (Strg+C).",
    "import.kept_nothing": "{source}: nichts aus dieser Datei importiert; erneut ausführen, "
    "um sie zu importieren",
    "import.kept_some": "{source}: {messages} gespeichert; erneut ausführen, um den Rest "
    "hinzuzufügen (Gespeichertes wird nicht doppelt importiert)",
    "meaning.stopped": "Bedeutungsabgleich abgebrochen: {questions} ohne Bedeutungsvektor; "
    "der nächste Import oder die Konsole holt das nach",
    # the meaning pass
    "meaning.task": "Bedeutungsabgleich",
    "meaning.done": "Bedeutungsabgleich: {questions} in {seconds} s, {suggested} mit "
    "Duplikatvorschlag ({model})",
    "meaning.off": "Bedeutungsabgleich nicht verfügbar: Duplikate nur nach Wörtern",
    # databases and events
    "db.not_moderator": "{where} ist noch keine moderator-Datenbank (keine Tabellen; --db prüfen)",
    "db.created_file": "moderator: Datenbank {where} angelegt",
    "db.created_tables": "moderator: Tabellen in {where} angelegt",
    "db.schema": "{url}: Schema {before} -> {head}",
    "db.schema_empty": "leer",
    "name.too_long": "moderator: Hinweis: Ihr Name ist zu lang für das Aktionsprotokoll; "
    "er wird als {name} gespeichert",
    "demo.missing": "das Beispiel-Event fehlt ({path}); starten Sie die Demo aus einem Klon",
    "demo.database": "Demo-Datenbank: {url}",
    "batch.too_small": "--batch-size muss mindestens 1 sein, nicht {n}",
    # watch and IMAP
    "watch.no_folder": "{folder}: kein solcher Ordner (beobachte {path})",
    "watch.waiting": "moderator: {path} gibt es noch nicht; warte darauf",
    "imap.password_in_url": "{where}: das Passwort gehört nicht in die URL (es stünde in "
    "`ps` und im Shell-Verlauf); ${env} setzen, imap_password in settings.toml eintragen "
    "oder es bei der Nachfrage eingeben",
    "imap.prompt": "IMAP-Passwort für {user}@{host}: ",
    "imap.no_password": "{where}: kein IMAP-Passwort; ${env} setzen, imap_password in "
    "settings.toml eintragen oder in einem Terminal starten, um gefragt zu werden",
    # export
    "export.is_folder": "{path} ist ein Ordner; mit -o einen Dateinamen angeben",
    "export.no_folder": "{folder}: kein solcher Ordner (für {path})",
    "export.exists": "{path} gibt es schon; --force überschreibt sie",
    "export.binary": "XLSX ist binär: mit -o eine Datei angeben",
    "export.cannot_write": "kann {path} nicht schreiben: {reason}",
    "export.wrote": "{path} geschrieben",
    # answers, purge, reindex
    "answers.stored": "{file}: {answers} gespeichert, {rows} nicht zugeordnet",
    "purge.confirm": "das entfernt alle Namen, E-Mail-Adressen und Telefonnummern der "
    "Fragenden dieses Events (auch in Fragetexten, Antworten, Original-Mails und im "
    "Aktionsprotokoll) und verdichtet die Datenbank; mit --yes wiederholen, um zu bestätigen",
    "purge.done": "Namen, Adressen, Telefonnummern, Dateinamen und Original-Nachrichten "
    "entfernt ({messages} mit Name oder Adresse) aus {event}",
    "purge.warning": "moderator: Warnung: der alte Text kann noch in den Datenbankdateien "
    "stehen: {detail}; purge-personal-data erneut ausführen, wenn keine Konsole offen ist",
    "purge.compacted": "{url} verdichtet ({detail})",
    "reindex.dropped": "{event}: {vectors} eines anderen Modells verworfen",
    "reindex.status": "{event}: {model}, {questions} ohne Vektor",
    # argparse's own words
    "args.usage": "Aufruf: ",
    "args.positional": "Argumente",
    "args.options": "Optionen",
    "args.help": "diese Hilfe zeigen und beenden",
    "args.error": "{prog}: Fehler: {message}",
    # --help: what the program, its commands and options do
    "help.description": "Tastaturgesteuerte Konsole für die Fragen eines Live-Webinars.",
    "help.commands": "Befehle",
    "help.db_commands": "db-Befehle",
    "help.command": "BEFEHL",
    "help.m_path": "PFAD",
    "help.m_source": "PFAD_ODER_IMAP_URL",
    "help.m_file": "DATEI",
    "help.m_name": "NAME",
    "help.m_key": "SCHLÜSSEL",
    "help.m_address": "ADRESSE",
    "help.db": "Datenbank-URL (Vorgabe: $MODERATOR_DB, db in settings.toml oder eine "
    "SQLite-Datei im Datenverzeichnis des Benutzers); z. B. postgresql+psycopg://user@host/db",
    "help.event": "das Event, an dem gearbeitet wird (Vorgabe: das neueste)",
    "help.config": "Konfigurationsdatei des Events",
    "help.as": "Ihr Moderatorenname für das Aktionsprotokoll (Vorgabe: $MODERATOR_NAME, name "
    "in settings.toml oder der Anmeldename)",
    "help.lang": "Sprache der Konsole, der Bühne, dieser Meldungen und der CSV/XLSX-"
    "Spaltenköpfe (Vorgabe: die Sprache des Events, sonst die der Locale)",
    "help.verbose": "mehr protokollieren",
    "help.version": "die Versionsnummer zeigen und beenden",
    "help.tui": "die Konsole öffnen (die Vorgabe)",
    "help.demo": "neue temporäre Datenbank mit dem Beispiel-Event, dann die Konsole",
    "help.no_tui": "nur das Beispiel-Event laden",
    "help.stage": "Bühnenansicht nur zum Lesen: die Frage auf Sendung, groß, und die nächsten zwei",
    "help.import": "Chatprotokolle, E-Mails und Tabellen importieren",
    "help.import_format": "ohne Erkennung: zoom, bbb, pasted, lines, csv, xlsx, eml, mbox, maildir",
    "help.channel": "den Kanal festlegen, z. B. phone für eine von Hand getippte Liste",
    "help.batch_size": "Nachrichten je Transaktion (Vorgabe: Portionen von je etwa 80 ms)",
    "help.watch": "wachsende Chatdateien, Mailordner oder ein IMAP-Postfach verfolgen "
    "(imaps://user@host/INBOX; das Passwort aus $MODERATOR_IMAP_PASSWORD, imap_password in "
    "settings.toml, dem Schlüsselbund oder einer Nachfrage)",
    "help.watch_format": "Format der verfolgten Dateien (Vorgabe: erkennen)",
    "help.interval": "Sekunden zwischen zwei Blicken",
    "help.allow_insecure": "IMAP: auch anmelden, wenn der Server kein STARTTLS anbietet (das "
    "Passwort geht im Klartext über das Netz); nur in einem vertrauenswürdigen Netz",
    "help.export": "Fragen exportieren (Frage-Antwort-Seite oder Daten)",
    "help.export_format": "Ausgabeformat (Vorgabe: json)",
    "help.status": "all oder eine Kommaliste von Status (Vorgabe: new,later)",
    "help.project": "nur dieses Projekt",
    "help.output": "hierhin schreiben (Vorgabe: die Standardausgabe)",
    "help.force": "eine vorhandene Datei überschreiben",
    "help.include_askers": "Namen, E-Mail-Adressen, die vollständigen Originalnachrichten und "
    "die Kontaktangaben im Fragetext übernehmen (personenbezogene Daten; sonst maskiert)",
    "help.no_counts": "weglassen, wie viele gefragt haben",
    "help.chart": "HTML: das Statistik-Diagramm einfügen",
    "help.import_answers": "schriftliche Antworten aus einem ausgefüllten CSV/XLSX-Export "
    "speichern",
    "help.stats": "Statistik des Events",
    "help.purge": "Namen, E-Mail-Adressen und Telefonnummern entfernen, die Fragen behalten",
    "help.yes": "bestätigen",
    "help.events": "die Events in der Datenbank auflisten",
    "help.db_group": "Datenbankpflege",
    "help.upgrade": "das Schema auf den neuesten Stand bringen",
    "help.reindex": "die Bedeutungsvektoren der Fragen neu berechnen (nach einem Modellwechsel)",
    # the level of a log line ("Warnung moderator.services.ingesting: …")
    "log.debug": "Debug",
    "log.info": "Info",
    "log.warning": "Warnung",
    "log.error": "Fehler",
    "log.critical": "Kritisch",
    # errors
    "error": "moderator: Fehler: {message}",
    "error.details": "{message} ({kind}; -v zeigt die Einzelheiten)",
}

_EN: dict[str, str] = {
    "summary.line": "{source}: {new} new ({questions}, {chatter}, {votes}), "
    "{known} already imported, {suggested} with a duplicate suggestion{merged}, {skipped}",
    "summary.merged": ", {n} merged automatically",
    "summary.skipped": "{n} skipped",
    "summary.projects": "  suggested projects: {parts}",
    "summary.note": "  note: {note}",
    "summary.skip": "  skipped: {problem}",
    "summary.skip_only": "skipped: {problem}",
    "summary.total": "total: {new} new, {known} already imported, {skipped}",
    "import.progress": "{read} messages read, {new} new",
    "import.bytes": "{done} of {total} MB",
    "import.compared": "{done} of {total} new questions compared with the earlier ones",
    "import.stopped": "Import interrupted (ctrl+c).",
    "import.kept_nothing": "{source}: nothing imported from this file; run again to import it",
    "import.kept_some": "{source}: {messages} stored; run again to add the rest (what is "
    "stored is not imported twice)",
    "meaning.stopped": "Matching by meaning interrupted: {questions} without a meaning "
    "vector; the next import or the console catches up",
    "meaning.task": "Matching by meaning",
    "meaning.done": "Matching by meaning: {questions} in {seconds} s, {suggested} with a "
    "duplicate suggestion ({model})",
    "meaning.off": "Matching by meaning not available: duplicates by words only",
    "db.not_moderator": "{where} is not a moderator database yet (no tables; check --db)",
    "db.created_file": "moderator: created the database {where}",
    "db.created_tables": "moderator: created the tables in {where}",
    "db.schema": "{url}: schema {before} -> {head}",
    "db.schema_empty": "empty",
    "name.too_long": "moderator: note: your name is too long for the action log; it is "
    "stored as {name}",
    "demo.missing": "the sample event is missing ({path}); run the demo from a clone",
    "demo.database": "demo database: {url}",
    "batch.too_small": "--batch-size must be at least 1, not {n}",
    "watch.no_folder": "{folder}: no such folder (watching {path})",
    "watch.waiting": "moderator: {path} does not exist yet; waiting for it",
    "imap.password_in_url": "{where}: leave the password out of the URL (it would show in "
    "`ps` and the shell history); set ${env}, put imap_password in settings.toml, or type it "
    "when asked",
    "imap.prompt": "IMAP password for {user}@{host}: ",
    "imap.no_password": "{where}: no IMAP password; set ${env}, put imap_password in "
    "settings.toml, or run in a terminal to be asked",
    "export.is_folder": "{path} is a folder; give a file name with -o",
    "export.no_folder": "{folder}: no such folder (for {path})",
    "export.exists": "{path} exists; use --force to overwrite it",
    "export.binary": "XLSX is binary: give a file with -o",
    "export.cannot_write": "cannot write {path}: {reason}",
    "export.wrote": "wrote {path}",
    "answers.stored": "{file}: {answers} stored, {rows} not matched",
    "purge.confirm": "this removes every asker name, e-mail address and phone number of the "
    "event (also in question texts, answers, original mails and the action log) and "
    "compacts the database; repeat with --yes to confirm",
    "purge.done": "removed names, addresses, phone numbers, file names and original messages "
    "({messages} had a name or address) from {event}",
    "purge.warning": "moderator: warning: the old text may still be in the database files: "
    "{detail}; run purge-personal-data again when no console is open",
    "purge.compacted": "compacted {url} ({detail})",
    "reindex.dropped": "{event}: {vectors} of another model dropped",
    "reindex.status": "{event}: {model}, {questions} without vector",
    "args.usage": "usage: ",
    "args.positional": "positional arguments",
    "args.options": "options",
    "args.help": "show this help message and exit",
    "args.error": "{prog}: error: {message}",
    "help.description": "Keyboard-driven console for the questions of a live webinar.",
    "help.commands": "commands",
    "help.db_commands": "db commands",
    "help.command": "COMMAND",
    "help.m_path": "PATH",
    "help.m_source": "PATH_OR_IMAP_URL",
    "help.m_file": "FILE",
    "help.m_name": "NAME",
    "help.m_key": "KEY",
    "help.m_address": "ADDRESS",
    "help.db": "database URL (default: $MODERATOR_DB, db in settings.toml, or a SQLite "
    "file in the user data directory); e.g. postgresql+psycopg://user@host/db",
    "help.event": "event to work on (default: newest)",
    "help.config": "event configuration file",
    "help.as": "your moderator name for the action log (default: $MODERATOR_NAME, name in "
    "settings.toml, or the login name)",
    "help.lang": "language of the console, the stage, these messages and the CSV/XLSX "
    "headers (default: the event's language setting, else the locale's)",
    "help.verbose": "log more",
    "help.version": "show the version number and exit",
    "help.tui": "open the console (the default)",
    "help.demo": "fresh temporary database with the sample event, then the console",
    "help.no_tui": "only load the sample event",
    "help.stage": "read-only stage view: the question on air, big, and the next two",
    "help.import": "import chat logs, e-mails, spreadsheets",
    "help.import_format": "skip detection: zoom, bbb, pasted, lines, csv, xlsx, eml, mbox, maildir",
    "help.channel": "override the channel, e.g. phone for a list typed in by hand",
    "help.batch_size": "messages per transaction (default: batches of about 80 ms each)",
    "help.watch": "follow growing chat files, mail folders or an IMAP mailbox "
    "(imaps://user@host/INBOX; the password from $MODERATOR_IMAP_PASSWORD, imap_password in "
    "settings.toml, the keyring, or a prompt)",
    "help.watch_format": "format of watched files (default: detect)",
    "help.interval": "seconds between looks",
    "help.allow_insecure": "IMAP: log in even if the server offers no STARTTLS (the password "
    "travels in plain text); only on a network you trust",
    "help.export": "export questions (Q&A page or data)",
    "help.export_format": "output format (default: json)",
    "help.status": "all, or a comma list of states (default: new,later)",
    "help.project": "only this project",
    "help.output": "write here (default: stdout)",
    "help.force": "overwrite an existing file",
    "help.include_askers": "include names, e-mail addresses, the full original messages and "
    "the contact details in question text (personal data; masked by default)",
    "help.no_counts": "leave out how many people asked",
    "help.chart": "HTML: include the statistics chart",
    "help.import_answers": "store written answers from a filled-in CSV/XLSX export",
    "help.stats": "statistics of the event",
    "help.purge": "remove names, e-mail addresses and phone numbers, keep the questions",
    "help.yes": "confirm",
    "help.events": "list the events in the database",
    "help.db_group": "database maintenance",
    "help.upgrade": "bring the schema up to date",
    "help.reindex": "rebuild the meaning vectors of the questions (after a change of the model)",
    "log.debug": "DEBUG",
    "log.info": "INFO",
    "log.warning": "WARNING",
    "log.error": "ERROR",
    "log.critical": "CRITICAL",
    "error": "moderator: error: {message}",
    "error.details": "{message} ({kind}; -v shows the details)",
}

CATALOGUES = {"de": _DE, "en": _EN}


class CliText:
    """The command line's sentences in one language."""

    def __init__(self, language: str | None) -> None:
        self.language = pick(language)
        self._table = CATALOGUES[self.language]

    def __call__(self, key: str, **values: object) -> str:
        return self._table[key].format(**values)

    def get(self, key: str) -> str | None:
        """The text of `key` as it stands, None when there is none."""
        return self._table.get(key)

    def count(self, n: int, noun: str) -> str:
        """ "1 Frage" / "2 questions"."""
        return counted(n, noun, self.language)

    def number(self, value: float, digits: int = 0) -> str:
        return number(value, self.language, digits)
