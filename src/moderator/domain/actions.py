"""The action log's vocabulary: every verb a log entry can have, which of them a moderator
can undo, and what each can have changed (questions, the live queue, chatter).

One place: services write these verbs (`ServiceBase._log`), undo looks up the undoable
ones, consoles and the stage decide from them what to read again.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from moderator.domain.models import Action


class Verb(StrEnum):
    """What a log entry records. Stored as its value."""

    TAG = "tag"  # a project confirmed or changed
    MOVE = "move"  # a queue move (also on air, answered live)
    REORDER = "reorder"  # the live queue's order
    MERGE = "merge"  # a group or one wording merged into another group
    SPLIT = "split"  # one wording taken out of its group
    DIVIDE = "divide"  # one wording divided into several questions (by hand or on import)
    TITLE = "title"  # the representative wording chosen or edited
    ANSWER = "answer"  # a written answer (may mark the question answered)
    KIND = "kind"  # a message's kind changed by hand (question, chatter, vote)
    MANUAL = "manual"  # a question typed in by hand
    IMPORT = "import"  # messages imported
    UNDO = "undo"  # an entry of the moderator's own taken back
    PURGE = "purge"  # names and addresses removed
    PRESENT = "present"  # the presented project chosen (the team's, shown everywhere)


# What `undo` can take back (the moderator's own entries, newest first).
UNDOABLE = frozenset(
    {
        Verb.TAG,
        Verb.MOVE,
        Verb.REORDER,
        Verb.MERGE,
        Verb.SPLIT,
        Verb.DIVIDE,
        Verb.TITLE,
        Verb.ANSWER,
        Verb.KIND,
        Verb.MANUAL,
    }
)

# Entries that can move questions into, out of or within the live queue. Tags, wordings,
# answers (only a new or later question can be marked answered) and imports never do.
QUEUE_VERBS = frozenset(
    {Verb.MOVE, Verb.REORDER, Verb.MERGE, Verb.SPLIT, Verb.UNDO, Verb.KIND, Verb.PURGE}
)

# Entries that can change how many chatter messages an event has: new messages, a kind
# changed by hand, names removed. An undo entry does not say which verb it undid, so every
# undo counts (undoing a kind change or a manual entry does change it).
CHATTER_VERBS = frozenset({Verb.IMPORT, Verb.MANUAL, Verb.KIND, Verb.UNDO, Verb.PURGE})

# Entries that may merge a group away or bring one back: a console reads the groups they
# name even where it did not show them.
REDIRECTING = frozenset({Verb.MERGE, Verb.SPLIT, Verb.UNDO, Verb.KIND})

# Entries that cannot be pinned to groups: everything is read again.
RELOADING = frozenset({Verb.PURGE})

# Entries not announced to the other moderators one by one (their questions just appear).
QUIET = frozenset({Verb.IMPORT})


def changes_chatter(action: Action) -> bool:
    """Whether this log entry can have changed the event's chatter messages or their count."""
    return action.verb in CHATTER_VERBS


def changes_queue(action: Action) -> bool:
    """Whether this log entry can have changed the live queue's members or positions."""
    return action.verb in QUEUE_VERBS


def touched_groups(action: Action) -> set[int]:
    """Every group id an action changed: its own, merge sources, imports, reorders."""
    ids: set[int] = set()
    if action.group_id is not None:
        ids.add(action.group_id)
    for side in (action.before, action.after):
        for key in ("source", "target", "group", "group_id", "previous_on_air"):
            value = side.get(key)
            if isinstance(value, int):
                ids.add(value)
        for key in ("groups", "order", "merged"):
            values = side.get(key)
            if isinstance(values, list):
                ids.update(v for v in values if isinstance(v, int))
    return ids


def restored_group(action: Action) -> int | None:
    """The question that undoing `action` brings back into view: the merged-away source, the
    group a wording returns to, the question moved, tagged or edited; None where undoing
    shows no question (a question typed by hand goes to the dismissed ones, a message
    turned back into chatter)."""
    before, after = action.before, action.after
    if action.verb == Verb.MERGE:
        value = after.get("source")
    elif action.verb == Verb.SPLIT:
        value = before.get("group")
    elif action.verb == Verb.KIND:
        value = before.get("group_id")
    elif action.verb == Verb.MANUAL:
        value = None
    else:
        value = action.group_id
    return value if isinstance(value, int) else None


def changed_groups(actions: Iterable[Action]) -> set[int] | None:
    """Group ids touched by these log entries; None when a full reload is safer."""
    ids: set[int] = set()
    for action in actions:
        if action.verb in RELOADING:
            return None
        ids |= touched_groups(action)
    return ids
