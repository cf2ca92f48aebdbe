"""Undo: revert the moderator's last action from the action log."""

from __future__ import annotations

from moderator.domain.actions import UNDOABLE, Verb
from moderator.domain.models import (
    Action,
    Kind,
)
from moderator.services.base import S, ServiceBase
from moderator.services.errors import (
    ConflictError,
)
from moderator.storage.repository import (
    to_action,
)


class UndoMixin(ServiceBase):
    # ------------------------------------------------------------------ undo
    def undo(self) -> Action | None:
        """Revert this moderator's last action that is not undone yet; None if there is none."""
        with self._write() as repo:
            action = repo.last_undoable(self.event_id, self.moderator, UNDOABLE)
            if action is None:
                return None
            before, after = dict(action.before), dict(action.after)
            joined: tuple[int, str, list[int]] | None = None
            verb = action.verb
            summary = f"undid: {action.summary}"
            gid = action.group_id or 0  # every verb below but "kind" names its group
            if verb == "tag":
                row = self._group(repo, gid)
                row.project_key = before["project_key"]
                row.project_confirmed = before["project_confirmed"]
            elif verb in ("move", "answer"):
                row = self._group(repo, gid)
                if verb == "answer":
                    row.answer = before["answer"]
                prev = after.get("previous_on_air")
                if prev is not None and S(row.state) == S.ON_AIR:
                    other = repo.group(prev)
                    if other.state == S.ANSWERED_LIVE.value:
                        row.state = S.NEW.value
                        other.state = S.ON_AIR.value
                self._force_state(repo, row, S(before["state"]), before["position"])
            elif verb == "reorder":
                live = repo.live_order(self.event_id)
                if sorted(g.id for g in live) != sorted(before["order"]):
                    raise ConflictError(key="live_changed")
                self._apply_order(live, before["order"])
            elif verb == "merge":
                source = repo.group(after["source"])
                for mid in after["moved"]:
                    member = repo.message(mid)
                    if member.group_id != after["target"]:
                        raise ConflictError(key="wording_moved", msg=mid)
                    member.group_id = source.id
                if source.merged_into_id is not None:
                    source.merged_into_id = None
                    if source.state == S.LIVE.value:
                        live = repo.live_order(self.event_id)
                        slot = max(1, min(source.position or len(live) + 1, len(live) + 1))
                        source.position = None
                        repo.flush()
                        repo.shift_live_positions(self.event_id, slot, 1)
                        source.position = slot
            elif verb == "split":
                message = repo.message(after["message"])
                back = repo.group(before["group"])
                if back.merged_into_id is not None:
                    raise ConflictError(key="merged_since", id=back.id)
                left = message.group_id
                message.group_id = back.id
                repo.flush()
                if left is not None and left != back.id and not repo.members(left):
                    emptied = repo.group(left)
                    if emptied.state == S.LIVE.value:
                        pos = emptied.position
                        self._leave_live(repo, emptied)
                        emptied.position = pos
                    emptied.merged_into_id = back.id
            elif verb == "title":
                row = self._group(repo, gid)
                row.title, row.title_edited = before["title"], before["title_edited"]
            elif verb == "kind":
                message = repo.message(after["message"])
                old_group = message.group_id
                self._apply_kind(
                    repo, message, Kind(before["kind"]), before["group_id"], before["vote_for_id"]
                )
                message.kind_overridden = before["kind_overridden"]
                repo.flush()
                if before["group_id"] is not None and "group_state" in before:
                    group = repo.group(before["group_id"])
                    self._force_state(
                        repo, group, S(before["group_state"]), before["group_position"]
                    )
                del old_group
            elif verb == "divide":
                joined = (after["message"], before["text"], self._join_parts(repo, before, after))
            elif verb == "manual":
                row = self._group(repo, after["group"])
                if S(row.state) == S.LIVE:
                    self._leave_live(repo, row)
                row.state = S.DISMISSED.value
                row.position = None
            action.undone = True
            # `undid`: which verb was taken back, for the sentence the console shows.
            self._log(
                repo,
                Verb.UNDO,
                action.group_id,
                summary,
                after,
                before | {"undid": verb},
                undo_of=action.id,
            )
            undone = to_action(action)
        if joined is not None:
            self._after_join(*joined)
        return undone
