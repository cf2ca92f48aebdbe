"""The web server of `moderator overlay`: aiohttp, read-only, one event.

    /overlay      the lower third for a browser source (transparent background)
    /stage        the speakers' page (light and dark)
    /api/state    the same as JSON (docs/web-api.md)
    /events       server-sent events: the state whenever it changes, a ping every 2 s

A `Feed` thread waits on the change watch every console uses (LISTEN/NOTIFY on PostgreSQL,
the change counter on SQLite) and reads the stage when the event changed; every open page
gets the new state at once. The pages reconnect by themselves and say when what they show
is stale (no ping, or the database away).

Listening beyond 127.0.0.1 (`host`) requires `token` on every request (`?token=`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from moderator.config import ConfigError, OverlaySettings
from moderator.domain.language import error_text
from moderator.services.console import EventService
from moderator.web import DEFAULT_PORT
from moderator.web.feed import Feed, Options
from moderator.web.texts import texts

log = logging.getLogger(__name__)

PING = 2.0  # seconds between two pings on an idle event stream
STATIC = Path(__file__).parent / "static"
ASSETS = {  # every file the pages load, all served from the package (no CDN, no web fonts)
    "live.js": "text/javascript",
    "overlay.css": "text/css",
    "stage.css": "text/css",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'"
)
LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
# What a page may set by query parameter: the look, never whether names are shown.
QUERY_LOOK = frozenset(OverlaySettings.__dataclass_fields__) - {"show_names"}


FEED = web.AppKey("feed", Feed)
OPTIONS = web.AppKey("options", Options)
TEMPLATES = web.AppKey("templates", Environment)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The token (when one is set) on every request; without one, only requests to this
    machine's own names (a web page elsewhere cannot reach the pages through a name of its
    own that points here: DNS rebinding). Safe headers on every response."""
    options = request.app[OPTIONS]
    if options.token is None:
        allowed = request.host.rsplit(":", 1)[0] in LOCAL_NAMES
    else:
        given = request.query.get("token", "")
        allowed = hmac.compare_digest(given.encode(), options.token.encode())
    if not allowed:
        refused = web.Response(status=403, text=texts(options.language)["forbidden"])
        _secure(refused)
        return refused
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _secure(exc)
        raise
    _secure(response)
    return response


def _secure(response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cache-Control", "no-store")


def _look(request: web.Request) -> OverlaySettings:
    options = request.app[OPTIONS]
    wanted = {k: v for k, v in request.query.items() if k in QUERY_LOOK}
    try:
        return options.look.with_values(wanted, where="?")
    except ConfigError as exc:
        reason = error_text(exc, options.language).removeprefix("?: ")
        text = texts(options.language)["bad_look"].format(reason=reason)
        raise web.HTTPBadRequest(text=text) from None


def _page(request: web.Request, template: str, **extra: Any) -> web.Response:
    app = request.app
    options, feed = app[OPTIONS], app[FEED]
    look = _look(request)
    token = f"?token={options.token}" if options.token else ""
    words = texts(options.language)
    html = (
        app[TEMPLATES]
        .get_template(template)
        .render(
            lang=options.language,
            words=words,
            token=token,
            config=json.dumps(
                {
                    "events": f"events{token}",
                    "stale_after": options.stale_after,
                    "look": {
                        "font": look.font,
                        "size": look.size,
                        "color": look.color,
                        "background": look.background,
                        "accent": look.accent,
                        "position": look.position,
                        "show_project": look.show_project,
                        "show_askers": look.show_askers,
                    },
                    "words": words,
                    "state": feed.state,
                }
            ),
            **extra,
        )
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def overlay(request: web.Request) -> web.Response:
    return _page(request, "overlay.html.j2")


async def stage(request: web.Request) -> web.Response:
    theme = request.query.get("theme", "auto")
    return _page(request, "stage.html.j2", theme=theme if theme in ("light", "dark") else "auto")


async def api_state(request: web.Request) -> web.Response:
    feed = request.app[FEED]
    if feed.state is None:  # just started: the first read is a moment away
        await feed.changed(0, 3.0)
    state = feed.state or {}
    return web.json_response(
        {**state, "connected": feed.connected}, dumps=lambda v: json.dumps(v, ensure_ascii=False)
    )


async def asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    kind = ASSETS.get(name)
    if kind is None:
        raise web.HTTPNotFound()
    body = (STATIC / name).read_bytes()
    return web.Response(body=body, content_type=kind, charset="utf-8")


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: `state` (the whole state) at once and after every change,
    `ping` (whether the database answers) when nothing changed for `PING` seconds."""
    feed = request.app[FEED]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"}
    )
    _secure(response)
    await response.prepare(request)
    sent = 0  # the version sent last (0: none yet; the first read makes version 1)
    try:
        await response.write(b"retry: 1000\n\n")
        while not feed.closing:
            if feed.version != sent and feed.state is not None:
                sent = feed.version
                data = json.dumps({**feed.state, "connected": feed.connected}, ensure_ascii=False)
                await response.write(f"event: state\ndata: {data}\n\n".encode())
            elif not await feed.changed(sent, PING):
                ping = json.dumps({"connected": feed.connected})
                await response.write(f"event: ping\ndata: {ping}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response


def make_app(service: EventService, options: Options) -> web.Application:
    app = web.Application(middlewares=[_guard])
    app[OPTIONS] = options
    app[FEED] = Feed(service, options)
    app[TEMPLATES] = Environment(
        loader=PackageLoader("moderator.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    app.router.add_get("/", _redirect)
    app.router.add_get("/overlay", overlay)
    app.router.add_get("/stage", stage)
    app.router.add_get("/api/state", api_state)
    app.router.add_get("/events", events)
    app.router.add_get("/static/{name}", asset)

    async def started(app: web.Application) -> None:
        app[FEED].start(asyncio.get_running_loop())

    async def closing(app: web.Application) -> None:
        app[FEED].closing = True
        app[FEED]._wake()

    async def stopped(app: web.Application) -> None:
        await asyncio.get_running_loop().run_in_executor(None, app[FEED].stop)

    app.on_startup.append(started)
    app.on_shutdown.append(closing)
    app.on_cleanup.append(stopped)
    return app


async def _redirect(request: web.Request) -> web.StreamResponse:
    token = request.app[OPTIONS].token
    raise web.HTTPFound("/overlay" + (f"?token={token}" if token else ""))


class WebServer:
    """The app on `host:port` in a thread of its own (tests, benchmarks) or in the
    caller's (`run`, the command line). `port=0` takes a free port (see `port`)."""

    def __init__(
        self,
        service: EventService,
        options: Options,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
    ) -> None:
        self.service, self.options, self.host, self.port = service, options, host, port
        self.app: web.Application | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def feed(self) -> Feed:
        assert self.app is not None
        return self.app[FEED]

    def url(self, path: str = "/overlay", **query: str) -> str:
        params = dict(query)
        if self.options.token:
            params["token"] = self.options.token
        tail = urlencode(params)
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}{path}" + (f"?{tail}" if tail else "")

    async def _start(self) -> None:
        self.app = make_app(self.service, self.options)
        self._runner = web.AppRunner(self.app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        server = getattr(site, "_server", None)
        if self.port == 0 and server is not None and server.sockets:
            self.port = server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def start(self) -> WebServer:
        """Serve in a background thread; returns once the port is open."""

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._start())
            except BaseException as exc:
                self._error = exc
                self._ready.set()
                loop.close()
                return
            self._ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._stop())
                loop.close()

        self._thread = threading.Thread(target=run, name="web-server", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        """Close every connection and the port (again: nothing)."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # it closed meanwhile
                loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)

    def run(self, ready: Callable[[WebServer], None] = lambda server: None) -> None:
        """Serve until interrupted (Ctrl+C), in this thread."""

        async def main() -> None:
            await self._start()
            ready(self)
            try:
                await asyncio.Event().wait()
            finally:
                await self._stop()

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(main())

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
