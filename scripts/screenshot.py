"""Write docs/screenshot.svg: the console on the sample event, after a few triage keys.

Usage: PYTHONPATH=src python scripts/screenshot.py [out.svg]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


async def main(out: Path) -> None:
    from moderator.cli import load_sample
    from moderator.config import load_config
    from moderator.services import open_event
    from moderator.storage.db import Database
    from moderator.ui.app import ModeratorApp

    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/demo.db")
        db.upgrade()

        def clock() -> datetime:
            return datetime(2020, 6, 19, 18, 40, tzinfo=UTC)

        service = open_event(db, load_config(ROOT / "sample_data" / "event.toml"),
                             moderator="Anna", clock=clock)
        load_sample(service)
        app = ModeratorApp(service, clock=clock, poll_interval=0.2)
        async with app.run_test(size=(120, 40)) as pilot:
            for keys in (("l",), ("l",), ("down", "a"), ("l",), ("w", "enter"), ("w",)):
                for key in keys:
                    await pilot.press(key)
                await app.workers.wait_for_complete()
                await pilot.pause(0.2)
            await pilot.pause(0.5)
            out.write_text(app.export_screenshot(title="moderator demo"), encoding="utf-8")
        db.dispose()
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.svg"))
