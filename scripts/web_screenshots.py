"""Screenshots of the browser pages for the README: /overlay over a dark and a light test
frame (a stand-in for the video the overlay sits on in OBS) and /stage in light and dark.

    python scripts/web_screenshots.py [--out docs] [--chromium /usr/bin/chromium]

Loads the sample event into a temporary database (words only, no sentence encoder), puts a
question about local logistics on air with two more in the live queue, and presents
"Lokale Logistik" as the team would with `p`.
"""

from __future__ import annotations

import argparse
import base64
import shutil
import sys
import tempfile
from pathlib import Path

from moderator.cli import SAMPLE_DIR, load_sample
from moderator.config import load_config
from moderator.services import open_event
from moderator.storage.db import Database
from moderator.web.server import Options, WebServer

# Test frames: CSS gradients standing in for a dark and a light camera picture.
FRAMES = {
    "dark": (
        "radial-gradient(circle at 30% 35%, #3a4a6b 0, #1b2235 38%, transparent 60%),"
        "radial-gradient(circle at 75% 30%, #6b3f5c 0, transparent 35%),"
        "radial-gradient(ellipse at 50% 120%, #2b2f3a 0, #0b0d12 70%)"
    ),
    "light": (
        "radial-gradient(circle at 28% 38%, #ffffff 0, #e9eef5 35%, transparent 62%),"
        "radial-gradient(circle at 72% 30%, #f7e6c4 0, transparent 38%),"
        "linear-gradient(180deg, #dfe6ee 0, #c9d3de 60%, #b7c2cf 100%)"
    ),
}


def _event(workdir: Path):
    db = Database(f"sqlite:///{workdir / 'web.db'}")
    db.upgrade()
    service = open_event(db, load_config(SAMPLE_DIR / "event.toml"), moderator="Demo")
    load_sample(service)
    groups = [g for g in service.summaries() if g.effective_project == "logistik"]
    others = [g for g in service.summaries() if g.effective_project not in ("logistik", None)]
    wanted = [g for g in groups if "Paket" in g.title][:1] or groups[:1]
    for g in wanted + groups[1:2] + others[:1]:
        service.send_live(g.id)
    service.advance(wanted[0].id)
    service.present("logistik")
    return service


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        service = _event(Path(tmp))
        with WebServer(service, Options(), port=0) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(server.url("/overlay"))
            page.wait_for_function(
                "() => getComputedStyle(document.getElementById('third')).opacity === '1'"
            )
            overlay = page.screenshot(omit_background=True)  # transparent, as OBS gets it
            picture = base64.b64encode(overlay).decode()
            canvas = browser.new_page(viewport={"width": 1280, "height": 720})
            for name, frame in FRAMES.items():
                canvas.set_content(
                    f'<body style="margin:0;width:1280px;height:720px;background:{frame}">'
                    f'<img src="data:image/png;base64,{picture}" style="display:block"></body>'
                )
                path = args.out / f"overlay-{name}.jpg"
                canvas.screenshot(path=str(path), type="jpeg", quality=88)
                print(path)
            for theme in ("light", "dark"):
                page.goto(server.url("/stage", theme=theme))
                page.wait_for_function("() => document.body.dataset.seq !== undefined")
                path = args.out / f"stage-{theme}.png"
                page.screenshot(path=str(path))
                print(path)
            browser.close()
        service.close()
        service.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
