"""A real headless Chromium (the system's, driven by Playwright) and the real web server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from moderator.web.server import Options, WebServer

BROWSER_ENV = "MODERATOR_TEST_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    explicit = os.environ.get(BROWSER_ENV)
    if explicit:
        return explicit if os.path.exists(explicit) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests skipped: the playwright package is not installed (dev extra)")
    path = chromium_path()
    if path is None:
        pytest.skip(
            "browser tests skipped: no Chromium found (apt-get install chromium, or set "
            f"{BROWSER_ENV} to a Chromium or Chrome executable)"
        )
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=path, headless=True)
        except Exception as exc:  # a browser that does not start: say why, once
            pytest.skip(f"browser tests skipped: {path} did not start ({exc})".splitlines()[0])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def serve() -> Iterator[object]:
    """serve(service, **options) starts the real server on a free port (stopped after)."""
    servers: list[WebServer] = []

    def start(service, *, port: int = 0, host: str = "127.0.0.1", **options) -> WebServer:
        server = WebServer(service, Options(**options), host=host, port=port).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
