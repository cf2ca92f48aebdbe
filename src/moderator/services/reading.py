"""The read side of the event's use cases: list lines, whole groups with their history
and candidates, counts, the stage and the change counter. Each read is one short read
transaction and returns plain domain objects."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from moderator.domain.models import (
    GENERAL_KEY,
    Action,
    Group,
    GroupSummary,
    Kind,
    Message,
    QueueState,
    Suggestion,
)
from moderator.domain.queues import LIVE_STATES, OPEN_STATES
from moderator.domain.similarity import best_groups
from moderator.services.base import S, ServiceBase
from moderator.services.errors import NotFoundError
from moderator.services.importing import fold_imports
from moderator.storage.repository import Repository

#: Candidates the detail pane and the merge picker list at least, with a sentence encoder:
#: those down to the "vielleicht" floor, then the nearest by meaning.
SHOWN = 5


@dataclass(frozen=True, slots=True)
class Counts:
    states: dict[QueueState, int]
    kinds: dict[Kind, int]
    projects: dict[str | None, int]


@dataclass(frozen=True, slots=True)
class Detail:
    """What the detail pane shows of one question: the group with its wordings and stored
    suggestions, its history (newest first) and the weaker "maybe" candidates."""

    group: Group
    history: tuple[Action, ...]
    maybe: tuple[Suggestion, ...]


@dataclass(frozen=True, slots=True)
class FirstScreen:
    """What the console shows first of a large event while it reads the rest: the newest
    lines of its first view and the whole live queue, with the counts of the whole event
    (listed questions per state, open ones per effective project, None: general)."""

    rows: list[GroupSummary]
    states: dict[QueueState, int]
    open_by_project: dict[str, int]


class ReadingMixin(ServiceBase):
    """What the console, the stage and the exports read."""

    def first_screen(
        self, states: Collection[QueueState] | None, *, lines: int, above: int
    ) -> FirstScreen | None:
        """The newest `lines` questions in `states` and the live queue, with the event's
        counts, in one read; None (nothing more read) when the event lists no more than
        `above` questions: then the whole event is read about as quickly."""
        with self._reading() as session:
            repo = Repository(session)
            counts = repo.state_project_counts(self.event_id)
            if sum(counts.values()) <= above:
                return None
            ids = repo.newest_group_ids(self.event_id, states, lines)
            rows = repo.summaries(self.event_id, group_ids=ids, plus_states=LIVE_STATES)
        by_state: dict[QueueState, int] = {}
        by_project: dict[str, int] = {}
        for (state, key), count in counts.items():
            by_state[state] = by_state.get(state, 0) + count
            if state in OPEN_STATES:
                name = key or GENERAL_KEY
                by_project[name] = by_project.get(name, 0) + count
        return FirstScreen(rows, by_state, by_project)

    def change_seq(self) -> int:
        """A counter every write bumps: poll it to notice other moderators and importers."""
        with self._reading() as session:
            return Repository(session).change_seq(self.event_id)

    def last_action_id(self) -> int:
        with self._reading() as session:
            return Repository(session).last_action_id(self.event_id)

    def summaries(
        self,
        *,
        states: Collection[QueueState] | None = None,
        project: str | None = None,
        search: str | None = None,
        group_ids: Collection[int] | None = None,
        plus_states: Collection[QueueState] = (),
    ) -> list[GroupSummary]:
        """Summaries of the open groups; `group_ids` narrows to those, `plus_states` adds
        every group in those states (e.g. the changed groups and the live queue at once)."""
        with self._reading() as session:
            return Repository(session).summaries(
                self.event_id,
                states=states,
                project=project,
                search=search,
                group_ids=group_ids,
                plus_states=plus_states,
            )

    def live_queue(self) -> list[GroupSummary]:
        items = self.summaries(states=[S.LIVE, S.ON_AIR])
        return sorted(items, key=lambda g: (g.state != S.ON_AIR, g.position or 0, g.id))

    def group(self, group_id: int) -> Group:
        with self._reading() as session:
            return _group_in(Repository(session), group_id)

    def groups(self, *, include_merged: bool = False) -> list[Group]:
        with self._reading() as session:
            repo = Repository(session)
            return [
                repo.to_group(r, with_suggestions=False)
                for r in repo.groups(self.event_id, include_merged=include_merged)
            ]

    def messages(
        self, *, kinds: Collection[Kind] | None = None, after_id: int = 0
    ) -> list[Message]:
        with self._reading() as session:
            return Repository(session).messages(self.event_id, kinds=kinds, after_id=after_id)

    def history(self, group_id: int | None = None, *, limit: int | None = 50) -> list[Action]:
        with self._reading() as session:
            return Repository(session).actions(
                self.event_id, group_id=group_id, limit=limit, newest_first=True
            )

    def detail(self, group_id: int, *, history: int = 20) -> Detail:
        """Everything the detail pane shows, in one call: the group and its last `history`
        actions read in one transaction, then the candidates down to the "maybe"
        threshold (scored against the duplicate index)."""
        with self._reading() as session:
            repo = Repository(session)
            group = _group_in(repo, group_id)
            actions = repo.actions(
                self.event_id, group_id=group_id, limit=history, newest_first=True
            )
        maybe = self.suggestions(group_id, min_score=self.matching.maybe_threshold, fill=SHOWN)
        return Detail(group, tuple(actions), tuple(maybe))

    def merge_candidates(self, group_id: int) -> tuple[list[Suggestion], list[Suggestion]]:
        """The merge picker's choices, scored once: (confident ones at or above the suggest
        threshold, weaker ones down to the "maybe" threshold, then the nearest by meaning
        while fewer than `SHOWN` are listed)."""
        scored = self.suggestions(group_id, min_score=self.matching.maybe_threshold, fill=SHOWN)
        floor = self.matching.suggest_threshold
        return [s for s in scored if s.score >= floor], [s for s in scored if s.score < floor]

    def activity(self, limit: int = 100) -> list[Action]:
        """The last `limit` entries of "who did what", newest first, an import's batches
        as one entry (`fold_imports`; looks at most 20 times `limit` log entries back)."""
        return fold_imports(self.history(limit=limit * 20))[:limit]

    def groups_suggesting(self, group_ids: Collection[int]) -> set[int]:
        """Groups whose duplicate hint may name one of `group_ids` (to re-read when those
        were merged away or came back)."""
        if not group_ids:
            return set()
        with self._reading() as session:
            return Repository(session).groups_suggesting(group_ids)

    def actions_since(self, action_id: int) -> list[Action]:
        with self._reading() as session:
            return Repository(session).actions(self.event_id, after_id=action_id)

    def counts(self) -> Counts:
        with self._reading() as session:
            repo = Repository(session)
            return Counts(
                repo.state_counts(self.event_id),
                repo.kind_counts(self.event_id),
                repo.project_counts(self.event_id),
            )

    def chatter_count(self) -> int:
        """How many chatter messages the event has: one count, cheaper than `counts()`."""
        with self._reading() as session:
            return Repository(session).kind_count(self.event_id, Kind.CHATTER)

    def suggestions(
        self, group_id: int, *, min_score: float | None = None, limit: int = 5, fill: int = 0
    ) -> list[Suggestion]:
        """Current duplicate candidates for a group, scored afresh against the whole event.

        `min_score` defaults to the event's suggest threshold; the console passes a lower
        floor to list weaker candidates below the confident ones. `fill`: while fewer than
        `fill` reach it, the questions nearest by meaning follow (`Suggestion.nearest`).
        """
        floor = self.matching.suggest_threshold if min_score is None else min_score
        if self._warming and not self._index_ready:
            # The index is being built (`warm_up`): the suggestions stored when the
            # questions arrived, rather than a detail view that waits a second or more.
            with self._reading() as session:
                stored = Repository(session).suggestions_for_group(group_id)
            return [s for s in stored if s.score >= floor][:limit]
        with self._lock, self._reading() as session:
            repo = Repository(session)
            self._sync_index(repo)
            row = repo.group(group_id)
            members = repo.members(group_id)
            own = {m.id for m in members}
            best: dict[int, float] = {}
            for member in members:
                if member.kind != Kind.QUESTION.value:
                    continue
                for mid, score in self._index.query(
                    member.text,
                    limit=max(8, limit),
                    exclude=own,
                    min_score=floor,
                    vector=self._index.vector(member.id),
                    fill=fill,
                ):
                    best[mid] = max(best.get(mid, 0.0), score)
            group_of = repo.group_of_messages(best)
            result = []
            for gid, score in best_groups(best.items(), group_of.get, row.id, limit):
                target = repo.group(gid)
                if target.merged_into_id is None:
                    result.append(Suggestion(gid, score, target.title, score < floor))
            return result

    def similar_open(self, group_id: int) -> list[Suggestion]:
        """The open questions that look like `group_id` (by words and meaning), best first,
        down to the "vielleicht" floor: the cluster a moderator may merge at once."""
        candidates = self.suggestions(group_id, min_score=self.matching.maybe_threshold, limit=12)
        open_ids = {g.id for g in self.summaries(group_ids=[s.group_id for s in candidates])}
        return [s for s in candidates if s.group_id in open_ids]

    def merged_into(self, group_ids: Collection[int]) -> dict[int, int]:
        """For each of `group_ids` that was merged away, the question it lives on in now."""
        found: dict[int, int] = {}
        with self._reading() as session:
            repo = Repository(session)
            for group_id in group_ids:
                try:
                    row = repo.group(group_id)
                except LookupError:
                    continue
                seen = {row.id}
                while row.event_id == self.event_id and row.merged_into_id is not None:
                    row = repo.group(row.merged_into_id)
                    if row.id in seen:  # never expected; guards against a loop
                        break
                    seen.add(row.id)
                if row.id != group_id and row.event_id == self.event_id:
                    found[group_id] = row.id
        return found


def _group_in(repo: Repository, group_id: int) -> Group:
    """The group `group_id` with its suggestions, or `NotFoundError`."""
    try:
        row = repo.group(group_id)
    except LookupError as exc:
        raise NotFoundError(str(exc)) from None
    return repo.to_group(row, with_suggestions=True)
