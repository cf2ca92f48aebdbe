"""Render an HTML file (e.g. the exported Q&A page) to PNG with headless Chromium.

    python scripts/render_html_png.py page.html [out.png] [--width 1200] [--height 1600]

Skips with a message (exit code 0) when no Chromium is installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def render(html: Path, png: Path, width: int, height: int, browser: str) -> None:
    with tempfile.TemporaryDirectory(prefix="render-html-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={png.resolve()}",
            f"--window-size={width},{height}",
            html.resolve().as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path, nargs="?")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=1600)
    args = parser.parse_args(argv)
    if not args.html.is_file():
        print(f"{args.html}: no such file", file=sys.stderr)
        return 2
    browser = find_browser()
    if browser is None:
        print("skipped: no chromium/chrome found (apt-get install chromium)")
        return 0
    png = args.png or args.html.with_suffix(".png")
    render(args.html, png, args.width, args.height, browser)
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
