"""From the files to the export: a real chat file and a mailbox imported, a moderator's
keys in the console, then the Markdown export says what the keys did."""

from __future__ import annotations

import re
from pathlib import Path

from moderator.domain.models import QueueState
from moderator.services.exporting import export_to
from moderator.services.ingesting import import_paths
from moderator.ui.modals import PickScreen
from tests.ui.helpers import make_app, select, settle

S = QueueState
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CHAT = SAMPLE / "zoom" / "2020-06-19 18.00.00 Web-Seminar Smart Cities" / "meeting_saved_chat.txt"
MAILBOX = SAMPLE / "mail" / "anmeldungen.mbox"
PLAIN = re.compile(r"^[\w äöüÄÖÜß,.?-]+$")  # titles the export shows without escaping


def sections(markdown: str) -> dict[str, list[str]]:
    """Project heading -> the questions under it, as the export lists them."""
    found: dict[str, list[str]] = {}
    heading = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            found[heading] = []
        elif heading and line.startswith("**") and line.endswith("**"):
            found[heading].append(line.strip("*"))
    return found


async def test_keys_in_the_console_end_up_in_the_markdown_export(sqlite_service, clock):
    service = sqlite_service
    imported = import_paths(service, [CHAT, MAILBOX])
    assert [s.questions > 0 for s in imported] == [True, True]
    inbox = [g for g in service.summaries() if g.state == S.NEW and PLAIN.match(g.title)]

    def merge_choices(group_id: int) -> list[int]:
        """The merge picker's choices in its order: confident ones, then the "maybe"s."""
        confident = [s.group_id for s in service.suggestions(group_id)]
        weaker = service.suggestions(group_id, min_score=service.matching.maybe_threshold)
        return confident + [s.group_id for s in weaker if s.group_id not in confident]

    with_match = next(g for g in inbox if merge_choices(g.id))
    target = merge_choices(with_match.id)[0]
    others = [g for g in inbox if g.id not in (with_match.id, target)]
    tagged, live, answered, on_air = others[:4]
    project = next(p for p in service.projects if p.key != tagged.suggested_project and p.hotkey)
    members_before = next(g for g in service.summaries() if g.id == target).members

    app = make_app(service, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await select(app, pilot, tagged.id)
        await pilot.press(project.hotkey)  # tag
        await settle(app, pilot)
        await pilot.press("a")  # later
        await settle(app, pilot)
        await select(app, pilot, with_match.id)
        await pilot.press("M")  # merge: the picker offers the candidates...
        await settle(app, pilot)
        assert isinstance(app.screen, PickScreen)
        await pilot.press("enter")  # ...the best one is chosen
        await settle(app, pilot)
        await select(app, pilot, live.id)
        await pilot.press("l")  # live, its suggested project confirmed
        await settle(app, pilot)
        await select(app, pilot, answered.id)
        await pilot.press("enter")  # on air...
        await settle(app, pilot)
        await select(app, pilot, on_air.id)
        await pilot.press("enter")  # ...and the next one on air: the first is answered live
        await settle(app, pilot)
        assert not app.main_screen.model.pending

    names = {p.key: p.name for p in service.projects}
    open_ = sections(str(export_to(service, fmt="md", generated_at=clock())))
    # Tagged and put off for later: listed under the project the key chose.
    assert tagged.title in open_[names[project.key]]
    assert all(tagged.title not in qs for name, qs in open_.items() if name != names[project.key])
    # Merged: the source is no question of its own any more; the target has its wording.
    everything = str(export_to(service, fmt="md", status="all", generated_at=clock()))
    listed = [q for qs in sections(everything).values() for q in qs]
    merged = service.group(target)
    assert len(merged.members) == members_before + with_match.members
    assert with_match.title not in listed or with_match.title == merged.title
    assert listed.count(merged.title) >= 1
    # Live, on air and answered live are not open any more: not in the default export...
    shown = [q for qs in open_.values() for q in qs]
    for group in (live, answered, on_air):
        assert group.title not in shown
    # ...but each is in the export of its state, the live one under its confirmed project.
    by_state = {
        "live": live,
        "on_air": on_air,
        "answered_live": answered,
    }
    for status, group in by_state.items():
        part = sections(str(export_to(service, fmt="md", status=status, generated_at=clock())))
        assert [q for qs in part.values() for q in qs] == [group.title], status
    live_sections = sections(str(export_to(service, fmt="md", status="live", generated_at=clock())))
    confirmed = service.group(live.id)
    assert confirmed.project_confirmed and confirmed.project_key == live.suggested_project
    assert live_sections[names[confirmed.project_key]] == [live.title]
