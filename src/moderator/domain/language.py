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
from moderator.domain.sentences import ERROR_TEXT

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
        "compared": "{questions} aus {source} mit den früheren verglichen",
        "compared_merged": "{questions} aus {source} mit den früheren verglichen, "
        "{merged} automatisch zusammengeführt",
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
        "compared": "compared {questions} from {source} with the earlier ones",
        "compared_merged": "compared {questions} from {source} with the earlier ones, "
        "auto-merged {merged}",
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
    elif verb == Verb.IMPORT and "compared" in after:  # an import's later comparison
        values["questions"] = counted(int(after["compared"] or 0), "question", lang)
        values["source"] = after.get("source") or "?"
        values["merged"] = len(after.get("moved") or ())
        key = "compared_merged" if values["merged"] else "compared"
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
# The sentences themselves live in `domain.sentences` (ERROR_TEXT).


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
