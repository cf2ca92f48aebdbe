"""What an import did: the summary of an import (or of one of its batches), the progress
report after each committed batch, and the folding of an import's log entries into one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from moderator.domain.models import Action, Kind
from moderator.services.dividing import DivideEntry


@dataclass(slots=True)
class ImportSummary:
    """What one import did. `skipped` holds one line per problem (file and line)."""

    source: str
    new: int = 0
    already_imported: int = 0
    questions: int = 0
    chatter: int = 0
    votes: int = 0
    with_suggestion: int = 0
    auto_merged: int = 0
    divided: int = 0  # mails divided into one question per listed question
    # The log entries of those divides, written after the import's own entry (`_log_divides`).
    divide_log: list[DivideEntry] = field(default_factory=list, repr=False)
    skipped: list[str] = field(default_factory=list)
    # What was changed to fit the database (NUL removed, a long name cut; `domain.fit`) or
    # assumed (the day of a chat whose path has no date).
    notes: list[str] = field(default_factory=list)
    projects: Counter[str] = field(default_factory=Counter)
    group_ids: list[int] = field(default_factory=list)
    # Auto-merges: (message, its new group, the group it joined instead).
    merges: list[tuple[int, int, int]] = field(default_factory=list)

    def merge(self, other: ImportSummary) -> None:
        self.new += other.new
        self.already_imported += other.already_imported
        self.questions += other.questions
        self.chatter += other.chatter
        self.votes += other.votes
        self.with_suggestion += other.with_suggestion
        self.auto_merged += other.auto_merged
        self.divided += other.divided
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        self.projects.update(other.projects)
        self.group_ids.extend(other.group_ids)
        self.merges.extend(other.merges)

    def count(self, kinds: Iterable[Kind]) -> None:
        """Count new messages of these kinds (each a question, a vote or chatter)."""
        for kind in kinds:
            self.new += 1
            if kind == Kind.QUESTION:
                self.questions += 1
            elif kind == Kind.VOTE:
                self.votes += 1
            else:
                self.chatter += 1


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """One committed batch of an import, for progress and for follow-up work.

    `read`: messages taken from the source so far (this batch included); `summary`: what
    this batch stored (its `group_ids` are the new questions' groups); `question_ids`: the
    message ids of the questions it stored, in arrival order.
    """

    source: str
    number: int
    read: int
    summary: ImportSummary
    question_ids: tuple[int, ...]


Progress = Callable[[ImportBatch], None]


def fold_imports(actions: Sequence[Action]) -> list[Action]:
    """The action log (newest first) with each run of consecutive import entries of one
    importer and source (the batches of one import, or a watched file's polls) as one
    entry, its counts summed: "who did what" then shows an import of a million messages
    as one line, not as thousands."""
    folded: list[Action] = []
    for action in actions:
        last = folded[-1] if folded else None
        if (
            last is None
            or not action.verb == last.verb == "import"
            or action.moderator != last.moderator
            or action.after.get("source") != last.after.get("source")
        ):
            folded.append(action)
            continue
        new = int(last.after.get("new", 0)) + int(action.after.get("new", 0))
        known = "questions" in last.after and "questions" in action.after
        questions = int(last.after.get("questions", 0)) + int(action.after.get("questions", 0))
        source = str(action.after.get("source") or "")
        folded[-1] = replace(
            last,
            summary=f"imported {new} messages"
            + (f" ({questions} questions)" if known else "")
            + (f" from {source}" if source else ""),
            after={"source": source, "new": new} | ({"questions": questions} if known else {}),
        )
    return folded
