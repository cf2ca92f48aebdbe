"""The two interface languages and the words every layer shares: queue states, channels,
message kinds, counted nouns ("1 Frage", "2 Fragen") and the sentences that describe an
action-log entry ("moved #79 to on air" / "#79 nach „auf Sendung“ verschoben").

One place for them below the UI: the console (`ui.i18n`), the stage, the command line and
the tabular exports all take their words from here. Pure Python: which language applies is
decided by the caller (`config.default_language` reads the locale).
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moderator.domain.actions import Verb
from moderator.domain.models import Action, Channel, Kind, QueueState

LANGUAGES: tuple[str, ...] = ("de", "en")
#: The bundled event configuration and its questions are German.
DEFAULT_LANGUAGE = "de"

_NAMES = {
    "de": "de",
    "deu": "de",
    "ger": "de",
    "german": "de",
    "deutsch": "de",
    "en": "en",
    "eng": "en",
    "english": "en",
    "englisch": "en",
}


def language_code(value: object) -> str | None:
    """ "de", "de-DE", "de_AT.UTF-8", "German", "en_GB" … → "de" / "en"; None for anything
    else (another language, "C", "POSIX", empty)."""
    text = str(value or "").strip().lower()
    if not text:
        return None
    if text in _NAMES:
        return _NAMES[text]
    head = text.replace("-", "_").split("_", 1)[0].split(".", 1)[0]
    return head if head in LANGUAGES else None


def locale_language(environ: Mapping[str, str]) -> str:
    """The interface language a user's locale asks for: the first of LC_ALL, LC_MESSAGES,
    LANG that is set decides (as for any program's messages); German for a German locale,
    English for every other one (including "C" and "POSIX")."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return language_code(value) or "en"
    return DEFAULT_LANGUAGE


def pick(language: str | None) -> str:
    """A supported language code: `language` if it is one, else the default."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


# ------------------------------------------------------------------------ vocabulary
STATE_NAMES: dict[str, dict[QueueState, str]] = {
    "de": {
        QueueState.NEW: "neu",
        QueueState.LIVE: "live",
        QueueState.ON_AIR: "auf Sendung",
        QueueState.LATER: "später",
        QueueState.ANSWERED_LIVE: "live beantwortet",
        QueueState.ANSWERED_WRITING: "schriftlich beantwortet",
        QueueState.DISMISSED: "verworfen",
    },
    "en": {
        QueueState.NEW: "new",
        QueueState.LIVE: "live",
        QueueState.ON_AIR: "on air",
        QueueState.LATER: "later",
        QueueState.ANSWERED_LIVE: "answered live",
        QueueState.ANSWERED_WRITING: "answered in writing",
        QueueState.DISMISSED: "dismissed",
    },
}

CHANNEL_NAMES: dict[str, dict[Channel, str]] = {
    "de": {
        Channel.CHAT: "Chat",
        Channel.EMAIL: "E-Mail",
        Channel.PHONE: "Telefon",
        Channel.MANUAL: "von Hand",
        Channel.IMPORT: "Import",
    },
    "en": {
        Channel.CHAT: "chat",
        Channel.EMAIL: "e-mail",
        Channel.PHONE: "phone",
        Channel.MANUAL: "by hand",
        Channel.IMPORT: "import",
    },
}

KIND_NAMES: dict[str, dict[Kind, str]] = {
    "de": {Kind.QUESTION: "Frage", Kind.CHATTER: "Plauderei", Kind.VOTE: "Stimme"},
    "en": {Kind.QUESTION: "question", Kind.CHATTER: "chatter", Kind.VOTE: "vote"},
}

#: Counted nouns: (one, many).
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "de": {
        "message": ("Nachricht", "Nachrichten"),
        "question": ("Frage", "Fragen"),
        "chatter": ("Plauderei", "Plaudereien"),
        "vote": ("Stimme", "Stimmen"),
        "answer": ("Antwort", "Antworten"),
        "row": ("Zeile", "Zeilen"),
        "vector": ("Vektor", "Vektoren"),
        "file": ("Datei", "Dateien"),
    },
    "en": {
        "message": ("message", "messages"),
        "question": ("question", "questions"),
        "chatter": ("chatter message", "chatter messages"),
        "vote": ("vote", "votes"),
        "answer": ("answer", "answers"),
        "row": ("row", "rows"),
        "vector": ("vector", "vectors"),
        "file": ("file", "files"),
    },
}


def state_name(state: QueueState | str, language: str) -> str:
    """ "später" / "later"; an unknown value is shown as it is."""
    try:
        return STATE_NAMES[pick(language)][QueueState(str(state))]
    except ValueError:
        return str(state)


def channel_name(channel: Channel | str, language: str) -> str:
    try:
        return CHANNEL_NAMES[pick(language)][Channel(str(channel))]
    except ValueError:
        return str(channel)


def kind_name(kind: Kind | str, language: str) -> str:
    try:
        return KIND_NAMES[pick(language)][Kind(str(kind))]
    except ValueError:
        return str(kind)


def number(value: float, language: str, digits: int = 0) -> str:
    """A number with the language's separators: 12.345,6 / 12,345.6."""
    text = f"{value:,.{digits}f}"
    if pick(language) == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def counted(count: int, noun: str, language: str) -> str:
    """ "1 Frage", "2 Fragen", "0 questions", "1 question" (numbers from 10,000 grouped)."""
    one, many = NOUNS[pick(language)][noun]
    shown = number(count, language) if abs(count) >= 10_000 else str(count)
    return f"{shown} {one if count == 1 else many}"


# ------------------------------------------------------------------ action sentences
#: What an action-log entry did, without who and when. German sentences follow "Anna hat …".
ACTION_TEXT: dict[str, dict[str, str]] = {
    "de": {
        "tag": "#{group} dem Projekt „{project}“ zugeordnet",
        "move": "#{group} nach „{state}“ verschoben",
        "reorder": "#{group} auf Live-Platz {position} verschoben",
        "merge": "#{source} mit #{target} zusammengeführt",
        "merge_wording": "Formulierung {message} in #{target} übernommen",
        "split": "Formulierung {message} von #{source} abgetrennt (jetzt #{group})",
        "divide": "#{group} in {questions} aufgeteilt",
        "present": "das präsentierte Projekt gewählt: {name}",
        "present_none": "das präsentierte Projekt abgewählt",
        "title": "den Wortlaut von #{group} geändert",
        "answer": "die Antwort zu #{group} geschrieben",
        "answer_imported": "die Antwort zu #{group} importiert",
        "kind": "Nachricht {message} als {kind} markiert",
        "manual": "#{group} von Hand erfasst ({channel})",
        "import": "{messages} importiert",
        "import_questions": "{messages} ({questions}) importiert",
        "import_from": "{messages} aus {source} importiert",
        "import_questions_from": "{messages} ({questions}) aus {source} importiert",
        "undo": "rückgängig gemacht: {what}",
        "undo_move": "rückgängig gemacht: #{group} wieder {state}",
        "undo_some": "eine Aktion zu #{group} rückgängig gemacht",
        "purge": "Namen und Adressen aus {messages} entfernt",
        "other": "{verb} (#{group})",
    },
    "en": {
        "tag": "tagged #{group} {project}",
        "move": "moved #{group} to {state}",
        "reorder": "moved #{group} to live position {position}",
        "merge": "merged #{source} into #{target}",
        "merge_wording": "merged wording {message} into #{target}",
        "split": "split wording {message} off #{source} into #{group}",
        "divide": "divided #{group} into {questions}",
        "present": "presents {name}",
        "present_none": "presents no project",
        "title": "changed the wording of #{group}",
        "answer": "wrote the answer of #{group}",
        "answer_imported": "imported the answer of #{group}",
        "kind": "marked message {message} as {kind}",
        "manual": "added #{group} by hand ({channel})",
        "import": "imported {messages}",
        "import_questions": "imported {messages} ({questions})",
        "import_from": "imported {messages} from {source}",
        "import_questions_from": "imported {messages} ({questions}) from {source}",
        "undo": "undid: {what}",
        "undo_move": "undid: #{group} back to {state}",
        "undo_some": "undid an action on #{group}",
        "purge": "removed names and addresses from {messages}",
        "other": "{verb} (#{group})",
    },
}

#: What an undo entry took back, for entries written before undo stored it: the verb is read
#: from the English summary the undone entry had.
_UNDONE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("undid: tagged", Verb.TAG),
    ("undid: moved #", Verb.MOVE),
    ("undid: merged", Verb.MERGE),
    ("undid: split", Verb.SPLIT),
    ("undid: divided", Verb.DIVIDE),
    ("undid: changed the wording", Verb.TITLE),
    ("undid: wrote the answer", Verb.ANSWER),
    ("undid: imported the answer", Verb.ANSWER),
    ("undid: marked message", Verb.KIND),
    ("undid: added #", Verb.MANUAL),
)


def describe_action(
    action: Action,
    language: str,
    project_name: Callable[[str], str | None] | None = None,
) -> str:
    """The action without who and when, in `language`, made from the entry's verb and
    values (the stored English summary only fills in what an old entry lacks)."""
    lang = pick(language)
    texts = ACTION_TEXT[lang]
    after, before = action.after or {}, action.before or {}
    group = action.group_id if action.group_id is not None else "?"
    verb = action.verb
    values: dict[str, Any] = {"group": group, "verb": verb}
    key = verb
    if verb == Verb.TAG:
        project_key = after.get("project_key")
        name = project_name(str(project_key)) if project_name and project_key else None
        if name is None and action.summary.startswith(f"tagged #{group} "):
            name = action.summary.removeprefix(f"tagged #{group} ")
        values["project"] = name or project_key or "?"
    elif verb == Verb.MOVE:
        values["state"] = state_name(after.get("state", "?"), lang)
    elif verb == Verb.REORDER:
        order = after.get("order") or []
        values["position"] = order.index(group) + 1 if group in order else "?"
    elif verb == Verb.MERGE:
        moved = after.get("moved") or []
        values |= {
            "source": after.get("source", "?"),
            "target": after.get("target", group),
            "message": moved[0] if moved else "?",
        }
        if action.summary.startswith("merged wording"):
            key = "merge_wording"
    elif verb == Verb.SPLIT:
        values |= {"source": before.get("group", "?"), "message": after.get("message", "?")}
    elif verb == Verb.DIVIDE:  # one wording into several questions
        values["questions"] = counted(len(after.get("groups") or ()), "question", lang)
    elif verb == Verb.PRESENT:  # the project being presented, chosen for the whole team
        values["name"] = after.get("name")
        if not values["name"]:
            key = "present_none"
    elif verb == Verb.ANSWER and action.summary.startswith("imported"):
        key = "answer_imported"
    elif verb == Verb.KIND:
        values |= {
            "message": after.get("message", "?"),
            "kind": kind_name(after.get("kind", "?"), lang),
        }
    elif verb == Verb.MANUAL:
        channel = after.get("channel")
        if channel is None:  # older entries: "added #83 by hand (phone)"
            channel = action.summary.rsplit("(", 1)[-1].rstrip(")") if "(" in action.summary else ""
        values["channel"] = channel_name(channel, lang) if channel else "?"
    elif verb == Verb.IMPORT:
        values["messages"] = counted(int(after.get("new", 0) or 0), "message", lang)
        has_questions = "questions" in after
        if has_questions:
            values["questions"] = counted(int(after["questions"] or 0), "question", lang)
        source = after.get("source")
        if source and source != "manual":
            values["source"] = source
        key = (
            "import"
            + ("_questions" if has_questions else "")
            + ("_from" if "source" in values else "")
        )
    elif verb == Verb.UNDO:
        return _describe_undo(action, lang, project_name)
    elif verb == Verb.PURGE:
        values["messages"] = counted(int(after.get("messages", 0) or 0), "message", lang)
    template = texts.get(key, texts["other"])
    return template.format(**values)


def _describe_undo(
    action: Action, lang: str, project_name: Callable[[str], str | None] | None
) -> str:
    undone = action.after.get("undid") if action.after else None
    if undone is None:
        undone = next((v for p, v in _UNDONE_PREFIXES if action.summary.startswith(p)), None)
    if undone is None:
        return ACTION_TEXT[lang]["undo_some"].format(group=action.group_id or "?")
    if undone == Verb.MOVE and "state" in (action.after or {}):  # where it is again
        state = state_name(action.after["state"], lang)
        return ACTION_TEXT[lang]["undo_move"].format(group=action.group_id or "?", state=state)
    # An undo entry stores the undone entry's before and after swapped.
    original = Action(
        id=action.id,
        event_id=action.event_id,
        moderator=action.moderator,
        at=action.at,
        verb=str(undone),
        group_id=action.group_id,
        summary=action.summary.removeprefix("undid: "),
        before=action.after,
        after=action.before,
    )
    return ACTION_TEXT[lang]["undo"].format(what=describe_action(original, lang, project_name))


# ------------------------------------------------------------------ error sentences
#: Why an action was refused, German and English (`Explained.key`). The English sentence is
#: also the exception's `str()` (logs, tests); consoles and the command line show
#: `error_text(exc, language)`.
ERROR_TEXT: dict[str, dict[str, str]] = {
    "de": {
        "no_question": "keine Frage #{id} in diesem Event",
        "merged_into": "#{id} wurde in #{target} zusammengeführt",
        "changed_by": "#{id} wurde inzwischen geändert ({what}); nichts getan, bitte neu ansehen",
        "changed_by_other": "#{id} wurde inzwischen von jemand anderem geändert; nichts "
        "getan, bitte neu ansehen",
        "changed_meanwhile": "eine Frage wurde inzwischen von jemand anderem geändert; nichts "
        "getan, bitte neu ansehen",
        "unknown_project": "unbekanntes Projekt {project}",
        "live_changed": "die Live-Warteschlange hat sich inzwischen geändert; bitte von Hand "
        "ordnen",
        "wording_moved": "Formulierung {msg} wurde inzwischen verschoben; Rückgängig abgelehnt",
        "merged_since": "#{id} wurde inzwischen zusammengeführt; Rückgängig abgelehnt",
        "other_on_air": "eine andere Frage ist gerade auf Sendung; Rückgängig abgelehnt",
        "merge_self": "eine Frage kann nicht mit sich selbst zusammengeführt werden",
        "not_a_question": "Nachricht #{msg} ist keine Frage",
        "already_there": "die Formulierung gehört schon zu dieser Frage",
        "not_in_group": "Nachricht #{msg} gehört zu keiner Frage",
        "single_wording": "#{id} hat nur diese Formulierung; nichts abzutrennen",
        "not_part": "Formulierung {msg} gehört nicht zu #{id}",
        "empty_wording": "der Wortlaut einer Frage darf nicht leer sein",
        "more_wordings": "#{id} hat mehr als eine Formulierung",
        "no_message": "keine Nachricht #{msg} in diesem Event",
        "empty_question": "eine leere Frage kann nicht erfasst werden",
        "no_event": "kein Event {slug} in der Datenbank (Events: {slugs})",
        "unknown_status": "unbekannter Status {status}; all oder einige von: {names}",
        "unknown_export_project": "unbekanntes Projekt {project}; das Event hat: {keys}",
        "unknown_format": "unbekanntes Exportformat {fmt}; eines von: {formats}",
        "transition": "eine Frage kann nicht von „{current}“ nach „{target}“ verschoben werden",
        "not_live": "#{id} ist nicht in der Live-Warteschlange",
        # files an import leaves out, and what it had to change to store a message
        "binary": "{path}: Binärdatei, kein Chat-Export, keine E-Mail und keine Tabelle",
        "binary_at": "{path}: Binärdatei (NUL-Byte bei Offset {offset}), kein Textexport",
        "unknown_file_format": "{path}: unbekanntes Format; eines wählen von: {formats}",
        "unknown_format_name": "{path}: unbekanntes Format {fmt}; eines wählen von: {formats}",
        "not_a_file": "{path}: ist ein Ordner, keine Datei",
        "no_file": "{path}: keine solche Datei",
        "hidden_folder": "versteckter Ordner, nicht gelesen",
        "hidden_file": "versteckte Datei, nicht gelesen",
        "not_importable": "{reason}, kein Chatprotokoll, keine E-Mail und keine Tabelle",
        "unknown_not_importable": "unbekanntes Format, kein Chatprotokoll, keine E-Mail und "
        "keine Tabelle",
        "text_document": "ein Textdokument, kein Chatprotokoll und keine Fragenliste (mit "
        "Namen importiert wird es als solche gelesen)",
        "fit_unstorable": "{where}: NUL- oder nicht lesbare Zeichen aus Text oder Absender "
        "entfernt",
        "fit_author": "{where}: Absendername gekürzt ({chars} Zeichen)",
        "fit_email": "{where}: Absenderadresse gekürzt",
        "fit_key": "{where}: Nachrichten-ID gekürzt (ein Hash hält sie eindeutig)",
        "fit_original": "{where}: das Original enthält NUL-Zeichen; maskiert gespeichert (\\u0000)",
        "fit_more": "… und {n} weitere solche Hinweise",
        # what a parser skipped or found odd, line by line (`ingest.base.ImportProblem`)
        "invalid_time": "ungültige Uhrzeit „{stamp}“",
        "before_first_name": "Zeile vor der ersten Zeile „Name: Text“ übergangen",
        "not_utf8": "kein UTF-8; als Windows-1252 (cp1252) gelesen",
        "bad_utf8": "ungültige UTF-8-Bytes durch \ufffd ersetzt",
        "long_message": "sehr lange Nachricht ({chars} Zeichen) vollständig übernommen",
        "empty_message": "leere Nachricht übersprungen",
        "before_first_message": "Text vor der ersten Nachricht übergangen",
        "incomplete_header": "unvollständiger Nachrichtenkopf (kein „:“), als Text übernommen",
        "header_without_colon": "Nachrichtenkopf ohne „:“, als Text übernommen",
        "unknown_reaction": "Reaktion auf eine unbekannte Nachricht „{snip}“",
        "unknown_reply": "Antwort auf eine unbekannte Nachricht „{snip}“",
        "unreadable_row": "unlesbare Zeile: {detail}",
        "row_without_question": "Zeile ohne Frage übersprungen",
        "unreadable_time": "unlesbares Datum bzw. unlesbare Uhrzeit „{value}“",
        "unreadable_votes": "unlesbare Stimmenzahl „{value}“",
        "empty_file": "leere Datei",
        "cannot_read_file": "Datei nicht lesbar: {detail}",
        "mail_not_a_file": "keine Datei",
        "no_mails": "keine Mails gefunden (keine mbox?)",
        "cannot_read_mail": "Mail nicht lesbar: {detail}",
        "cannot_read_mbox": "mbox nicht lesbar: {detail}",
        "not_maildir": "kein Maildir-Ordner (cur/new/tmp)",
        "mail_number": "Mail {n}: {reason}",
        "mail_number_id": "Mail {n} (Message-ID {id}): {reason}",
        "cannot_parse_mail": "Mail nicht lesbar: {detail}",
        "no_text_part": "kein Textteil (Text oder HTML) in dieser Mail",
        "mail_no_text": "die Mail enthält keinen Text",
        "bad_base64": "der Textteil ist Base64, das sich nicht dekodieren lässt",
        "not_regular": "keine gewöhnliche Datei (eine Pipe, ein Socket oder ein Gerät)",
        # files a format does not fit (the format given or detected)
        "not_zoom": "{path}: keine Zoom-Chatdatei (keine Zeilen „HH:MM:SS From …“)",
        "not_bbb": "{path}: kein BigBlueButton-Chat („[HH:MM] Name: Text“)",
        "broken_utf16": "{path}: fehlerhafter UTF-16-Text ({detail})",
        "not_xlsx": "{path}: keine lesbare XLSX-Arbeitsmappe ({detail})",
        "not_xlsx_xml": "{path}: keine lesbare XLSX-Arbeitsmappe (XML: {detail})",
        "no_header": "{path}: keine Kopfzeile mit einer Fragenspalte ({known}, …) in den ersten "
        "{rows} Zeilen; für eine einfache Liste von Fragen das Format „lines“ wählen",
        # the event configuration and the user's settings (`config.ConfigError`)
        "config.at": "{where}: {what}",
        "config.not_utf8": "{path}: kein UTF-8-Text ({detail} bei Byte {byte})",
        "config.cannot_read": "{path}: nicht lesbar ({detail})",
        "config.invalid_toml": "{where}: kein gültiges TOML: {detail}",
        "config.nul": "{what} enthält ein NUL-Zeichen (\\u0000), das nicht gespeichert wird",
        "config.nul_many": "{what} enthalten ein NUL-Zeichen (\\u0000), das nicht gespeichert wird",
        "config.too_long": "{what} ist {chars} Zeichen lang (höchstens {limit})",
        "config.field": "{field}",
        "config.project_field": "{field} von Projekt „{project_key}“",
        "config.event_table": "[event] muss eine Tabelle sein",
        "config.slug": "der Event-Slug „{slug}“ darf nur Buchstaben, Ziffern, „.“, „_“ und „-“ "
        "enthalten",
        "config.starts_at": "starts_at muss ein TOML-Datum mit Uhrzeit sein, etwa "
        "2020-06-19T18:00:00+02:00",
        "config.timezone": "timezone „{zone}“ ist kein Zeitzonenname wie „Europe/Berlin“",
        "config.hosts": "hosts muss eine Liste von Namen sein",
        "config.no_projects": "keine [[projects]] angegeben",
        "config.project_missing": "Projekt Nr. {n} hat kein „{field}“",
        "config.key_twice": "der Projektschlüssel „{project_key}“ kommt zweimal vor",
        "config.hotkey_digit": "die Taste „{hotkey}“ von Projekt „{project_key}“ muss eine "
        "einzelne Ziffer sein",
        "config.hotkey_twice": "die Taste „{hotkey}“ kommt zweimal vor",
        "config.string_list": "{field} von Projekt „{project_key}“ muss eine Liste von Texten sein",
        "config.generals": "mehr als ein Projekt ist mit general = true markiert",
        "config.thresholds": "die Schwellen unter [matching] müssen Zahlen sein",
        "config.overlay_table": "[overlay] muss eine Tabelle sein",
        "config.agenda_tables": "agenda muss aus [[agenda]]-Tabellen bestehen",
        "config.agenda_start": "ein Agenda-Eintrag braucht starts_at, ein TOML-Datum mit "
        "Uhrzeit wie 2020-06-19T18:10:00",
        "config.agenda_project": "das Agenda-Projekt „{project}“ ist keiner der Projektschlüssel",
        "config.language": "die Sprache „{value}“ wird nicht unterstützt; „de“ oder „en“ angeben",
        "config.overlay_unknown": "{where}: unbekannte Overlay-Einstellung „{setting}“ (bekannt: "
        "{known})",
        "config.overlay_bad": "{where}: Overlay {setting} „{value}“: {what}",
        "config.o_bool": "muss true oder false sein",
        "config.o_pixels": "muss eine ganze Zahl von Pixeln sein",
        "config.o_range": "muss zwischen 8 und 200 liegen",
        "config.o_text": "muss ein Text sein",
        "config.o_colour": "muss eine Farbe sein, etwa #ffffff, rgba(0, 0, 0, 0.8) oder white",
        "config.o_font": "muss aus Schriftnamen bestehen, durch Kommas getrennt (Buchstaben, "
        "Ziffern, Leerzeichen, -)",
        "config.o_position": "muss eines von {positions} sein",
        "config.bad_settings": "{path}: ungültige Einstellungsdatei: {detail}",
        "config.bad_keymap": "{path}: ungültige Tastenbelegung: {detail}",
        "config.unknown_setting": "{path}: unbekannte Einstellung {names} (bekannt: {known})",
        "config.setting_text": '{path}: {setting} muss ein Text sein, etwa {setting} = "…"',
        "config.keymap_entry": '{path}: jeder Eintrag muss die Form binding-id = "Tasten" haben',
        # the database (`storage.errors.StorageError`); the driver's own words follow
        "db.bad_url": "keine Datenbank-URL: {url!r}; {sqlite} oder {postgres} verwenden",
        "db.bad_port": "keine Datenbank-URL: {url!r} (der Port ist keine Zahl)",
        "db.bad_url_detail": "keine Datenbank-URL: {url!r} ({detail})",
        "db.unsupported": "die Datenbank {backend!r} in {url} wird nicht unterstützt; moderator "
        "arbeitet mit {sqlite} oder {postgres}",
        "db.unsupported_url": "nicht unterstützte Datenbank-URL {url}; {sqlite} oder "
        "{postgres} verwenden",
        "db.no_driver": "der Treiber für {driver} ist nicht installiert ({module}); "
        "moderator[postgres] installieren",
        "db.missing": "keine Datenbank {path} (--db prüfen; `moderator import`, `moderator "
        "--config` und `moderator demo` legen eine an)",
        "db.cannot_open": "die Datenbank {url} lässt sich nicht öffnen: {detail}",
        "db.unreachable": "der Datenbankserver von {url} ist nicht erreichbar: {detail}",
        "db.cannot_use": "die Datenbank {url} ist nicht verwendbar: {detail} (ist es eine "
        "moderator-Datenbank?)",
        "db.newer_schema": "die Datenbank {url} hat die Schemaversion {current}, die dieses "
        "moderator (Schema {head}) nicht kennt: eine neuere Version hat sie geschrieben; "
        "moderator aktualisieren",
        "db.cannot_upgrade": "die Datenbank {url} lässt sich nicht aktualisieren: {detail}",
        "db.cannot_compact": "{url} lässt sich nicht verdichten: {detail}",
        "db.unavailable": "Datenbank nicht erreichbar: {detail}; nichts gespeichert",
        "db.locked": "Datenbank nicht erreichbar: die Datei {url} ist von einem anderen Programm "
        "gesperrt ({detail}); nichts gespeichert",
        "db.lost_at_commit": "Verbindung zur Datenbank beim Speichern abgebrochen: {detail}; ob "
        "die Aktion gespeichert wurde, ist unklar, bitte nachsehen",
        # an IMAP mailbox (`ingest.imap`)
        "imap.not_url": "keine imap://- oder imaps://-URL: {url}",
        "imap.no_host": "IMAP-URL ohne Server: {url}",
        "imap.no_starttls": "{where}: der Server bietet kein STARTTLS, das Passwort ginge im "
        "Klartext über das Netz; nicht angemeldet (imaps:// verwenden oder, in einem "
        "vertrauenswürdigen Netz, --allow-insecure)",
        "imap.login": "{where}: Anmeldung nicht möglich: {detail}",
        "imap.failed": "{where}: {detail}",
        "imap.no_mailbox": "{where}: kein solches Postfach",
        "imap.search": "{where}: UID SEARCH fehlgeschlagen: {detail!r}",
        "imap.fetch": "{where}: UID FETCH fehlgeschlagen: {detail!r}",
        "imap.no_uidvalidity": "der Server hat für das Postfach keine UIDVALIDITY gesendet",
        "works_again": "{label}: geht wieder",
        # what the operating system said (`os_reason`), by errno
        "os.ENOENT": "keine solche Datei oder kein solcher Ordner",
        "os.EACCES": "keine Berechtigung",
        "os.EPERM": "nicht erlaubt",
        "os.ENOSPC": "kein Platz mehr auf dem Datenträger",
        "os.EDQUOT": "Speicherkontingent erschöpft",
        "os.EISDIR": "ist ein Ordner",
        "os.ENOTDIR": "ist kein Ordner",
        "os.EROFS": "Dateisystem nur lesbar",
        "os.EEXIST": "gibt es schon",
        "os.EIO": "Ein-/Ausgabefehler",
        "os.ENAMETOOLONG": "Dateiname zu lang",
        "os.ELOOP": "zu viele symbolische Verknüpfungen",
        "line": "{where}, Zeile {line}",
    },
    "en": {
        "no_question": "no question #{id} in this event",
        "merged_into": "#{id} has been merged into #{target}",
        "changed_by": "#{id} was changed meanwhile ({what}); nothing done, look again",
        "changed_by_other": "#{id} was changed meanwhile by another moderator; nothing done, "
        "look again",
        "changed_meanwhile": "a question was changed by someone else meanwhile; nothing done, "
        "look again",
        "unknown_project": "unknown project {project}",
        "live_changed": "the live queue changed since; reorder it by hand",
        "wording_moved": "wording {msg} has moved since; undo refused",
        "merged_since": "#{id} has been merged since; undo refused",
        "other_on_air": "another question is on air now; undo refused",
        "merge_self": "a question cannot be merged into itself",
        "not_a_question": "message #{msg} is not a question",
        "already_there": "the wording already belongs to that question",
        "not_in_group": "message #{msg} is not in a question group",
        "single_wording": "#{id} has only this wording; nothing to split",
        "not_part": "wording {msg} is not part of #{id}",
        "empty_wording": "the wording of a question cannot be empty",
        "more_wordings": "#{id} has more than one wording",
        "no_message": "no message #{msg} in this event",
        "empty_question": "an empty question cannot be added",
        "no_event": "no event {slug} in the database (events: {slugs})",
        "unknown_status": "unknown status {status}; use all or some of: {names}",
        "unknown_export_project": "unknown project {project}; the event has: {keys}",
        "unknown_format": "unknown export format {fmt}; use one of {formats}",
        "transition": "cannot move a question from {current} to {target}",
        "not_live": "#{id} is not in the live queue",
        "binary": "{path}: binary file, not a chat export, e-mail or spreadsheet",
        "binary_at": "{path}: binary file (NUL byte at offset {offset}), not a text export",
        "unknown_file_format": "{path}: unknown format; choose one of {formats}",
        "unknown_format_name": "{path}: unknown format {fmt}; choose one of {formats}",
        "not_a_file": "{path}: is a directory, not a file",
        "no_file": "{path}: no such file",
        "hidden_folder": "hidden folder, not read",
        "hidden_file": "hidden file, not read",
        "not_importable": "{reason}, not a chat log, e-mail or spreadsheet",
        "unknown_not_importable": "unknown format, not a chat log, e-mail or spreadsheet",
        "text_document": "a text document, not a chat log or a list of questions (import it "
        "by name to read it as one)",
        "fit_unstorable": "{where}: NUL or undecodable characters removed from the text or sender",
        "fit_author": "{where}: sender name shortened to fit ({chars} chars)",
        "fit_email": "{where}: sender address shortened to fit",
        "fit_key": "{where}: message id shortened to fit (a hash keeps it unique)",
        "fit_original": "{where}: the original holds NUL characters; stored escaped (\\u0000)",
        "fit_more": "… and {n} more such notes",
        "invalid_time": "invalid time {stamp!r}",
        "before_first_name": "line before the first 'Name: text' line ignored",
        "not_utf8": "not UTF-8; decoded as Windows-1252 (cp1252)",
        "bad_utf8": "invalid UTF-8 bytes replaced by \ufffd",
        "long_message": "very long message ({chars} characters) kept in full",
        "empty_message": "empty message skipped",
        "before_first_message": "text before the first message ignored",
        "incomplete_header": "incomplete message header (no ':'), kept as text",
        "header_without_colon": "message header without ':', kept as text",
        "unknown_reaction": "reaction to an unknown message {snip!r}",
        "unknown_reply": "reply to an unknown message {snip!r}",
        "unreadable_row": "unreadable row: {detail}",
        "row_without_question": "row without a question skipped",
        "unreadable_time": "unreadable date/time {value!r}",
        "unreadable_votes": "unreadable vote count {value!r}",
        "empty_file": "empty file",
        "cannot_read_file": "cannot read file: {detail}",
        "mail_not_a_file": "not a file",
        "no_mails": "no mails found (not an mbox?)",
        "cannot_read_mail": "cannot read mail: {detail}",
        "cannot_read_mbox": "cannot read mbox: {detail}",
        "not_maildir": "not a Maildir (cur/new/tmp)",
        "mail_number": "mail {n}: {reason}",
        "mail_number_id": "mail {n} (Message-ID {id}): {reason}",
        "cannot_parse_mail": "cannot parse mail: {detail}",
        "no_text_part": "no text part (plain or HTML) in this mail",
        "mail_no_text": "mail has no text",
        "bad_base64": "the text part is base64 that cannot be decoded",
        "not_regular": "not a regular file (a pipe, socket or device)",
        "not_zoom": "{path}: not a Zoom chat file (no 'HH:MM:SS From …' lines)",
        "not_bbb": "{path}: not a BigBlueButton chat ('[HH:MM] Name: text')",
        "broken_utf16": "{path}: broken UTF-16 text ({detail})",
        "not_xlsx": "{path}: not a readable XLSX workbook ({detail})",
        "not_xlsx_xml": "{path}: not a readable XLSX workbook (XML: {detail})",
        "no_header": "{path}: no header row with a question column ({known}, …) in the first "
        "{rows} rows; for a plain list of questions use the 'lines' format",
        "config.at": "{where}: {what}",
        "config.not_utf8": "{path}: not UTF-8 text ({detail} at byte {byte})",
        "config.cannot_read": "{path}: cannot read ({detail})",
        "config.invalid_toml": "{where}: invalid TOML: {detail}",
        "config.nul": "{what} holds a NUL character (\\u0000), which is not stored",
        "config.nul_many": "{what} hold a NUL character (\\u0000), which is not stored",
        "config.too_long": "{what} is {chars} characters long (at most {limit})",
        "config.field": "{field}",
        "config.project_field": "{field} of project {project_key!r}",
        "config.event_table": "[event] must be a table",
        "config.slug": "event slug {slug!r} may only use letters, digits, '.', '_' and '-'",
        "config.starts_at": "starts_at must be a TOML date-time such as 2020-06-19T18:00:00+02:00",
        "config.timezone": 'timezone {zone!r} is not a time zone name such as "Europe/Berlin"',
        "config.hosts": "hosts must be a list of names",
        "config.no_projects": "no [[projects]] defined",
        "config.project_missing": "project #{n} has no {field!r}",
        "config.key_twice": "project key {project_key!r} is used twice",
        "config.hotkey_digit": "hotkey {hotkey!r} of project {project_key!r} must be a single "
        "digit",
        "config.hotkey_twice": "hotkey {hotkey!r} is used twice",
        "config.string_list": "{field} of project {project_key!r} must be a list of strings",
        "config.generals": "more than one project is marked general = true",
        "config.thresholds": "matching thresholds must be numbers",
        "config.overlay_table": "[overlay] must be a table",
        "config.agenda_tables": "agenda must be [[agenda]] tables",
        "config.agenda_start": "an agenda slot needs starts_at, a TOML date-time such as "
        "2020-06-19T18:10:00",
        "config.agenda_project": "agenda project {project!r} is not one of the projects' keys",
        "config.language": 'language {value!r} is not supported; use "de" or "en"',
        "config.overlay_unknown": "{where}: unknown overlay setting {setting!r} (known: {known})",
        "config.overlay_bad": "{where}: overlay {setting} {value!r}: {what}",
        "config.o_bool": "must be true or false",
        "config.o_pixels": "must be a whole number of pixels",
        "config.o_range": "must be between 8 and 200",
        "config.o_text": "must be a text",
        "config.o_colour": "must be a colour such as #ffffff, rgba(0, 0, 0, 0.8) or white",
        "config.o_font": "must be font names separated by commas (letters, digits, blanks, -)",
        "config.o_position": "must be one of {positions}",
        "config.bad_settings": "{path}: invalid settings: {detail}",
        "config.bad_keymap": "{path}: invalid key map: {detail}",
        "config.unknown_setting": "{path}: unknown setting {names} (known: {known})",
        "config.setting_text": '{path}: {setting} must be a text, e.g. {setting} = "…"',
        "config.keymap_entry": '{path}: every entry must be binding-id = "keys"',
        "db.bad_url": "not a database URL: {url!r}; use {sqlite} or {postgres}",
        "db.bad_port": "not a database URL: {url!r} (the port is not a number)",
        "db.bad_url_detail": "not a database URL: {url!r} ({detail})",
        "db.unsupported": "unsupported database {backend!r} in {url}; moderator works with "
        "{sqlite} or {postgres}",
        "db.unsupported_url": "unsupported database URL {url}; use {sqlite} or {postgres}",
        "db.no_driver": "the driver for {driver} is not installed ({module}); install "
        "moderator[postgres]",
        "db.missing": "no database {path} (check --db; `moderator import`, `moderator --config` "
        "and `moderator demo` create one)",
        "db.cannot_open": "cannot open database {url}: {detail}",
        "db.unreachable": "cannot open database {url}: {detail}",
        "db.cannot_use": "cannot use database {url}: {detail} (is it a moderator database?)",
        "db.newer_schema": "database {url} has schema version {current}, which this moderator "
        "(schema {head}) does not know: it was written by a newer version; upgrade moderator",
        "db.cannot_upgrade": "cannot upgrade database {url}: {detail}",
        "db.cannot_compact": "cannot compact {url}: {detail}",
        "db.unavailable": "database unreachable: {detail}; nothing stored",
        "db.locked": "database unreachable: the file {url} is locked by another program "
        "({detail}); nothing stored",
        "db.lost_at_commit": "the connection to the database broke while saving: {detail}; "
        "whether the action was stored is unclear, please look",
        "imap.not_url": "not an imap:// or imaps:// URL: {url}",
        "imap.no_host": "IMAP URL without host: {url}",
        "imap.no_starttls": "{where}: the server offers no STARTTLS, so the password would "
        "travel in plain text; not logged in (use imaps:// or, on a network you trust, "
        "--allow-insecure)",
        "imap.login": "{where}: cannot log in: {detail}",
        "imap.failed": "{where}: {detail}",
        "imap.no_mailbox": "{where}: no such mailbox",
        "imap.search": "{where}: UID SEARCH failed: {detail!r}",
        "imap.fetch": "{where}: UID FETCH failed: {detail!r}",
        "imap.no_uidvalidity": "server sent no UIDVALIDITY for the mailbox",
        "works_again": "{label}: works again",
        "os.ENOENT": "no such file or directory",
        "os.EACCES": "permission denied",
        "os.EPERM": "operation not permitted",
        "os.ENOSPC": "no space left on device",
        "os.EDQUOT": "disk quota exceeded",
        "os.EISDIR": "is a directory",
        "os.ENOTDIR": "not a directory",
        "os.EROFS": "read-only file system",
        "os.EEXIST": "file exists",
        "os.EIO": "input/output error",
        "os.ENAMETOOLONG": "file name too long",
        "os.ELOOP": "too many levels of symbolic links",
        "line": "{where}, line {line}",
    },
}


@dataclass(frozen=True, slots=True)
class Amount:
    """A number in a sentence, written with the language's separators (12.345 / 12,345)."""

    value: float

    def __str__(self) -> str:
        return number(self.value, "en")


def _shown(value: object, language: str) -> object:
    """A value as an error sentence shows it: states by name, log entries as a sentence."""
    if isinstance(value, Amount):
        return number(value.value, language)
    said_in = getattr(value, "said_in", None)  # a value that says itself in either language
    if callable(said_in):
        return said_in(language)
    if isinstance(value, Sentence | Explained):
        return error_text(value, language)
    if isinstance(value, QueueState):
        return state_name(value, language)
    if isinstance(value, Action):
        return f"{value.moderator}: {describe_action(value, language)}"
    return value


def error_sentence(key: str, values: Mapping[str, object], language: str) -> str:
    lang = pick(language)
    return ERROR_TEXT[lang][key].format(**{k: _shown(v, lang) for k, v in values.items()})


@dataclass(frozen=True, slots=True)
class Sentence:
    """A remark in both languages (a note or a reason an import gives): `key` into
    `ERROR_TEXT` and its values; `str()` is the English sentence, `error_text` says it in
    another language."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return error_sentence(self.key, self.values, "en")

    def __contains__(self, part: str) -> bool:  # `"NUL" in note`, as for a plain string
        return part in str(self)


def sentence(key: str, **values: object) -> Sentence:
    return Sentence(key, values)


class Explained(Exception):
    """An error said in both languages: `key` names its sentence in `ERROR_TEXT`, `values`
    fill it in; `str()` is the English sentence. Without a key, the message as given."""

    def __init__(self, message: str = "", *, key: str | None = None, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(error_sentence(key, values, "en") if key else message)


def os_reason(exc: OSError, language: str) -> str:
    """What the operating system said, in `language` for the common errors (its own words,
    which follow the C locale, for the others)."""
    name = errno.errorcode.get(exc.errno or 0, "")
    said = ERROR_TEXT[pick(language)].get(f"os.{name}")
    return said or exc.strerror or str(exc)


def error_text(exc: object, language: str) -> str:
    """What to show the user for an error or a `Sentence` in `language` (its plain text if
    it has no sentence)."""
    if isinstance(exc, Sentence):
        return error_sentence(exc.key, exc.values, language)
    said_in = getattr(exc, "said_in", None)  # a value that says itself in either language
    if callable(said_in):
        return str(said_in(language))
    key = getattr(exc, "key", None)
    if isinstance(exc, Explained) and key is not None:
        return error_sentence(key, exc.values, language)
    return str(exc)
