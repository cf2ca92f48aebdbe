"""Make a message fit the database, the same way on every backend.

PostgreSQL refuses NUL characters in text and strings longer than their column; SQLite
takes both. So every message is fitted here, once, before it becomes a row (not in each
parser), and both backends store the same thing:

* NUL (U+0000) and lone surrogates (undecodable bytes) are removed from the text and the
  labels; lone surrogates cannot be stored on either backend.
* Labels are cut to their column: a sender name, an address, the file name. The source key
  (a Message-ID, a chat position) keeps its identity: cut, with a hash of the whole key, so
  re-importing the same message still finds it and two long keys never collide.
* Content is never cut here beyond `MAX_TEXT`: the question text stays whole, and the
  original is kept losslessly (see `escape_original`).

Each change is described in a note for the import summary.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from moderator.domain.language import Sentence, sentence
from moderator.domain.models import IncomingMessage

# The lengths of the label columns; storage/rows.py declares its columns with them.
AUTHOR_MAX = 300
EMAIL_MAX = 300
SOURCE_KEY_MAX = 500
MODERATOR_MAX = 200
# The event configuration's labels: refused when longer (config.parse_config), not cut.
SLUG_MAX = 200
TITLE_MAX = 500
PROJECT_KEY_MAX = 100
PROJECT_NAME_MAX = 300

#: A stored `original` that starts with this line holds the real original as a JSON string
#: (see `escape_original`); every other stored original is the original itself.
ESCAPED_ORIGINAL = "moderator:escaped-original\n"

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable(text: str | None) -> bool:
    return bool(text) and _UNSTORABLE.search(text) is not None  # type: ignore[arg-type]


def clean(text: str) -> str:
    """`text` without NUL characters and lone surrogates (they cannot be stored)."""
    return _UNSTORABLE.sub("", text) if _UNSTORABLE.search(text) else text


def fit_label(value: str | None, limit: int) -> str | None:
    """A label (a name, an address) cleaned and cut to `limit` characters, ending in '…'."""
    if value is None:
        return None
    value = clean(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def fit_key(key: str, limit: int = SOURCE_KEY_MAX) -> str:
    """A source key that fits its column and still identifies the message: a key that is
    too long (or holds a NUL) becomes its cleaned beginning plus a hash of the whole key."""
    if len(key) <= limit and not has_unstorable(key):
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    head = clean(key)[: limit - len(digest) - 6]
    return f"{head}…#sha:{digest}"


def escape_original(original: str) -> str:
    """The original as it can be stored on every backend, losslessly.

    An original without NUL or lone surrogates is stored as it is. Otherwise it is stored as
    `ESCAPED_ORIGINAL` followed by the original as a JSON string (``json.dumps``): the NUL
    becomes the six characters ``\\u0000``, a lone surrogate ``\\udcff``, and
    `raw_original` gives back exactly the original. An original that happens to begin
    with the marker line is escaped too, so the marker is never ambiguous.
    """
    if not has_unstorable(original) and not original.startswith(ESCAPED_ORIGINAL):
        return original
    # ensure_ascii=False keeps umlauts readable; surrogates then need ASCII escapes.
    dumped = json.dumps(original, ensure_ascii=False)
    if has_unstorable(dumped):
        dumped = json.dumps(original, ensure_ascii=True)
    return ESCAPED_ORIGINAL + dumped


def raw_original(stored: str) -> str:
    """The original exactly as the source delivered it (undoes `escape_original`)."""
    if stored.startswith(ESCAPED_ORIGINAL):
        return json.loads(stored[len(ESCAPED_ORIGINAL) :])
    return stored


@dataclass(frozen=True, slots=True)
class Fitted:
    message: IncomingMessage
    notes: tuple[Sentence, ...] = ()  # said in the event's language by the import


def fit_message(message: IncomingMessage) -> Fitted:
    """`message` made storable (see the module docstring), with a note per change."""
    where: object = message.source_name or message.source_key
    if message.source_line:
        where = sentence("line", where=where, line=message.source_line)
    notes: list[Sentence] = []
    text = clean(message.text)
    labels = (message.author or "") + (message.author_email or "")
    if text != message.text or has_unstorable(labels):
        notes.append(sentence("fit_unstorable", where=where))
    author = fit_label(message.author, AUTHOR_MAX)
    if message.author is not None and len(clean(message.author)) > AUTHOR_MAX:
        notes.append(sentence("fit_author", where=where, chars=len(message.author)))
    email = fit_label(message.author_email, EMAIL_MAX)
    if message.author_email is not None and len(clean(message.author_email)) > EMAIL_MAX:
        notes.append(sentence("fit_email", where=where))
    key = fit_key(message.source_key)
    if key != message.source_key:
        notes.append(sentence("fit_key", where=where))
    reply = fit_key(message.reply_to_key) if message.reply_to_key else message.reply_to_key
    source_name = clean(message.source_name) if message.source_name else message.source_name
    original = message.original if message.original is not None else message.text
    stored_original = escape_original(original)
    if stored_original != original and not notes:
        notes.append(sentence("fit_original", where=where))
    unchanged = stored_original == original and reply == message.reply_to_key
    if not notes and unchanged and source_name == message.source_name:
        return Fitted(message)
    return Fitted(
        replace(
            message,
            source_key=key,
            text=text,
            author=author,
            author_email=email,
            original=stored_original,
            reply_to_key=reply,
            source_name=source_name,
        ),
        tuple(notes),
    )


def fit_messages(
    messages: Iterable[IncomingMessage], notes: list[Sentence], *, keep: int = 10
) -> Iterator[IncomingMessage]:
    """`fit_message` over a stream; the first `keep` notes are added to `notes`, then one
    line counting the rest (a million messages with a NUL must not give a million lines)."""
    more = 0
    for message in messages:
        fitted = fit_message(message)
        for note in fitted.notes:
            if len(notes) < keep:
                notes.append(note)
            else:
                more += 1
        yield fitted.message
    if more:
        notes.append(sentence("fit_more", n=more))
