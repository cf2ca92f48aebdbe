"""The web server without a browser: the JSON, the event stream, the token, read-only
routes, security headers, the look's settings, the command line."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from moderator.config import ConfigError, OverlaySettings, load_default_config, parse_config
from moderator.domain.models import Kind
from moderator.services import open_event
from moderator.storage.db import Database
from tests.conftest import ROOT
from tests.factories import msg
from tests.ui.helpers import seed


def get(url: str, *, method: str = "GET") -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def wait_for(condition, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    return condition()


def test_api_state_is_the_documented_json_without_names(serve, sqlite_service):
    ids = seed(sqlite_service)
    for name in ("Anna", "Bernd", "Carla"):
        sqlite_service.send_live(ids[name])
    sqlite_service.advance(ids["Anna"])
    sqlite_service.present("logistik")
    server = serve(sqlite_service)
    wait_for(lambda: server.feed.state is not None)
    status, headers, body = get(server.url("/api/state"))
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    state = json.loads(body)
    assert state["version"] == 1 and state["language"] == "de" and state["connected"]
    assert state["seq"] == sqlite_service.change_seq()
    assert state["on_air"] == {
        "id": ids["Anna"],
        "text": "Wann kommen die Paketstationen in die Innenstadt?",
        "project": {"key": "logistik", "name": "Lokale Logistik"},
        "askers": 1,
    }
    assert [q["id"] for q in state["next"]] == [ids["Bernd"], ids["Carla"]]
    assert state["presenting"] == {"key": "logistik", "name": "Lokale Logistik"}
    assert "Anna" not in body and "Bernd" not in body and "names" not in body


def test_names_only_when_the_event_opts_in(serve, sqlite_service):
    sqlite_service.import_messages(
        [msg(1, "Erreicht man Sie unter anna@example.org oder 0631 365-1234?", author="Anna")]
    )
    group = sqlite_service.summaries()[0].id
    sqlite_service.advance(group)
    hidden = serve(sqlite_service)
    shown = serve(sqlite_service, look=OverlaySettings(show_names=True))
    for server in (hidden, shown):
        wait_for(lambda server=server: server.feed.state is not None)
    text = json.loads(get(hidden.url("/api/state"))[2])["on_air"]["text"]
    assert "anna@example.org" not in text and "365-1234" not in text
    # a query parameter cannot switch the names on
    assert "Anna" not in get(hidden.url("/overlay", show_names="true"))[2]
    opted = json.loads(get(shown.url("/api/state"))[2])["on_air"]
    assert "anna@example.org" in opted["text"] and opted["names"] == ["Anna"]


def test_event_stream_sends_the_state_at_once_and_after_each_change(serve, sqlite_service):
    ids = seed(sqlite_service)
    server = serve(sqlite_service)

    async def follow() -> tuple[list[str], dict, float]:
        import aiohttp

        async with (
            aiohttp.ClientSession() as session,
            session.get(server.url("/events")) as response,
        ):
            assert response.headers["Content-Type"] == "text/event-stream"
            lines: list[str] = []

            async def next_state() -> dict:
                while True:
                    line = (await response.content.readline()).decode()
                    lines.append(line)
                    if line.startswith("data: ") and lines[-2].startswith("event: state"):
                        return json.loads(line.removeprefix("data: "))

            first = await next_state()
            assert first["on_air"] is None
            await asyncio.to_thread(sqlite_service.advance, ids["Eva"])
            started = time.perf_counter()
            return lines, await next_state(), time.perf_counter() - started

    lines, state, took = asyncio.run(follow())
    assert lines[0] == "retry: 1000\n"
    assert state["on_air"]["id"] == ids["Eva"]
    assert took < 1.0


def test_read_only_and_safe_headers(serve, sqlite_service):
    server = serve(sqlite_service)
    for path in ("/overlay", "/stage", "/api/state", "/events"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert get(server.url(path), method=method)[0] == 405, (path, method)
    status, headers, body = get(server.url("/overlay"))
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    # every asset from the package: no other origin, no inline script or style
    assert not re.search(r"(src|href)=\"(https?:)?//", body)
    assert "<script>" not in body and "style=" not in body
    assert get(server.url("/static/live.js"))[0] == 200
    assert get(server.url("/static/..%2Fserver.py"))[0] == 404
    assert get(server.url("/static/nothing.js"))[0] == 404


def test_without_a_token_only_local_names_are_served(serve, sqlite_service):
    server = serve(sqlite_service)
    for host, status in (
        ("127.0.0.1", 200),
        ("localhost", 200),
        ("evil.example", 403),
        ("127.0.0.1.evil.example", 403),
    ):
        request = urllib.request.Request(server.url("/api/state"))
        request.add_header("Host", f"{host}:{server.port}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                assert (host, response.status) == (host, status)
        except urllib.error.HTTPError as exc:
            assert (host, exc.code) == (host, status)


def test_token_guards_every_route(serve, sqlite_service):
    server = serve(sqlite_service, token="t0k3n")
    base = f"http://127.0.0.1:{server.port}"
    for path in ("/", "/overlay", "/stage", "/api/state", "/events", "/static/live.js"):
        status, _, body = get(base + path)
        assert status == 403 and "Zugang nur mit dem Link" in body
        assert get(base + path + "?token=t0k3")[0] == 403
    assert get(base + "/api/state?token=t0k3n")[0] == 200
    # the page hands the token on to its assets and its event stream
    page = get(base + "/overlay?token=t0k3n")[2]
    assert "static/live.js?token=t0k3n" in page and "events?token=t0k3n" in page


def test_look_from_the_event_file_and_query_parameters(serve, sqlite_service):
    text = (ROOT / "src/moderator/data/default_event.toml").read_text("utf-8")
    config = parse_config(
        text + '\n[overlay]\nsize = 48\nposition = "top-right"\ncolor = "#ffee00"\n',
        source="event.toml",
    )
    assert config.overlay.size == 48 and config.overlay.position == "top-right"
    with pytest.raises(ConfigError, match=r"event.toml:\d+: overlay color"):
        parse_config(text + '\n[overlay]\ncolor = "red; background: url(x)"\n', source="event.toml")
    with pytest.raises(ConfigError, match="unknown overlay setting 'colour'"):
        parse_config(text + '\n[overlay]\ncolour = "red"\n', source="event.toml")
    server = serve(sqlite_service, look=config.overlay)
    page = get(server.url("/overlay", size="60", accent="rgba(0, 128, 255, 0.9)"))[2]
    assert "&#34;size&#34;: 60" in page and "&#34;position&#34;: &#34;top-right&#34;" in page
    assert "rgba(0, 128, 255, 0.9)" in page
    status, _, body = get(server.url("/overlay", color='"><script>alert(1)</script>'))
    assert status == 400 and "Ungültige Einstellung" in body and "<script>" in body
    assert "muss eine Farbe sein" in body and "must be" not in body  # the page's language
    assert get(server.url("/overlay", size="5000"))[0] == 400


def test_overlay_help_explains_the_obs_setup_in_both_languages():
    for lang, words in (("de_DE.UTF-8", "Quellen → + → Browser"), ("C.UTF-8", "Sources → +")):
        env = {**os.environ, "LANG": lang, "LC_ALL": "", "LC_MESSAGES": ""}
        out = subprocess.run(
            [sys.executable, "-m", "moderator.cli", "overlay", "--help"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        setup = out.split("\n\n")[1].splitlines()
        assert len(setup) == 3 and words in setup[0] and "/overlay" in setup[0]
        assert "/stage" in setup[2]


def test_command_line_serves_and_prints_the_links_with_the_token(tmp_path: Path, clock):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    db = Database(url)
    db.upgrade()
    service = open_event(db, load_default_config(), moderator="Anna", clock=clock)
    service.import_messages([msg(1, "Wo stehen die Paketstationen?", kind=Kind.QUESTION)])
    service.advance(service.summaries()[0].id)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "moderator.cli",
            "--db",
            url,
            "overlay",
            "--port",
            "0",
            "--host",
            "127.0.0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = []
        while len(lines) < 4:
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line)
        assert "Strg+C" in lines[0]
        link = re.search(r"http://\S+/api/state\?token=\S+", "".join(lines)).group(0)
        assert get(link)[0] == 200
        assert json.loads(get(link)[2])["on_air"]["text"] == "Wo stehen die Paketstationen?"
        assert get(link.split("?")[0])[0] == 403
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) in (0, 130)
    db.dispose()
